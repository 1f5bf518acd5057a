/**
 * PATCH without a read (scim/one-trip-patch.ts): attributes merged into a resource's stored JSON
 * in SQL, with the element writes, removals and appends of multi-valued attributes, their value
 * rows, the change row and the read-back, in one batch.
 */
import { appendRowStatements, appendStep } from './append-writes';
import { removeRowStatements, removeStep, unsetIfStep } from './element-removes';
import { elementRowStatements, elementStep } from './element-writes';
import { orderedJson } from './json-order';
import { readBack } from './reads';
import { changeRowIfWritten, COLUMNS, guardStatements, normalizeColumn, valueRows, type WriteGuard } from './resources';
import { jsonPath, nowIso, placeholders, TABLES, USER_PK_BY_ID } from './sql';
import type { AppendWrite, ColumnValues, ConditionalUnset, ElementRemove, ElementWrite, KeyOrder, ResourceKind, ValueRow } from './types';

/**
 * What a merge of attributes changes, as the SCIM layer computed it from the request alone: RFC
 * 7396 merge patches of the stored JSON applied in turn (null unassigns), the containers an unassign may leave
 * empty (each a key list, innermost first: removed when empty, as the body is kept canonical), the
 * writes into elements a `type eq` filter selects (element-writes.ts), the elements a `value eq`
 * or `type eq` filter removes (element-removes.ts), the elements added without a filter
 * (append-writes.ts), and the indexed columns whose attributes it writes. A
 * multi-valued attribute is written one way in a request (the plan sees to it): whole by the
 * patches, with its value rows replaced; by element writes; by removals; or by appends.
 */
export interface MergeWrite {
  /** the stored body's key order, which the merged body is rebuilt in (json-order.ts) */
  order: readonly KeyOrder[];
  patches: readonly string[];
  prune: readonly (readonly string[])[];
  elements: readonly ElementWrite[];
  /** elements added to multi-valued attributes without a filter (append-writes.ts) */
  appends: readonly AppendWrite[];
  /** elements removed by a `value eq` / `type eq` filter (element-removes.ts) */
  removes: readonly ElementRemove[];
  /** single-valued complex attributes unassigned when a filter matches (element-removes.ts), before the pruning */
  unsets: readonly ConditionalUnset[];
  /** multi-valued attributes the patches write whole (or unassign), with their new value rows */
  lists?: { attrs: readonly string[]; rows: readonly ValueRow[] };
  columns: ColumnValues;
}

/**
 * Merges attributes into a resource's stored JSON in SQL (json_patch), reading nothing first: one
 * batch of the guards (the row exists, the client's If-Match), the update, its change row and a
 * read-back. The update only lands when the new JSON differs from the stored one, so a merge that
 * changes nothing writes no version and no change row (the rule PATCH follows in code); both are
 * compared in the registry's key order, so a body stored in another order is not a change. An
 * element write the stored body does not allow refuses the batch (`needs_read`).
 */
export function mergeStatements(db: D1Database, kind: ResourceKind, id: string, g: WriteGuard, merge: MergeWrite, withMembers = false): D1PreparedStatement[] {
  const table = TABLES[kind];
  const now = nowIso();
  // Each step removes one container when the unassigns left it empty (`{}`), innermost first.
  const pruneSteps = merge.prune.map((keys) => ({
    sql: `SELECT CASE WHEN json_type(d, ?) = 'object' AND json_extract(d, ?) = '{}' THEN json_remove(d, ?) ELSE d END`,
    params: [jsonPath(keys), jsonPath(keys), jsonPath(keys)],
  }));
  const steps = [
    ...merge.unsets.map(unsetIfStep),
    ...pruneSteps,
    ...merge.elements.map(elementStep),
    ...merge.removes.map(removeStep),
    ...merge.appends.map(appendStep),
    { sql: `SELECT ${orderedJson('d', merge.order)}`, params: [] },
  ];
  const merged = merge.patches.reduce((sql) => `json_patch(${sql}, ?)`, 'data');
  const last = `(SELECT d FROM p${steps.length})`;
  const cols = COLUMNS[kind].filter((c) => Object.hasOwn(merge.columns, c));
  const sets = cols.map((c) => `, ${c} = ?`).join('');
  const isUser = kind === 'User';
  return [
    ...guardStatements(db, table, id, g),
    ...(isUser ? appendRowStatements(db, id, merge.appends) : []),
    db
      .prepare(
        `WITH p0(d) AS (SELECT ${merged} FROM ${table} WHERE id = ?)${steps.map((s, i) => `, p${i + 1}(d) AS MATERIALIZED (${s.sql} FROM p${i})`).join('')}
         UPDATE ${table} SET data = ${last}, version = version + 1, last_modified = ?${sets} WHERE id = ? AND ${last} IS NOT ${orderedJson('data', merge.order)}`,
      )
      .bind(...merge.patches, id, ...steps.flatMap((s) => s.params), now, ...cols.map((c) => normalizeColumn(merge.columns[c])), id),
    ...(isUser && merge.lists ? listRowStatements(db, id, merge.lists) : []),
    ...(isUser ? elementRowStatements(db, id, merge.elements) : []),
    ...(isUser ? removeRowStatements(db, id, merge.removes) : []),
    changeRowIfWritten(db, kind, id, now),
    readBack(db, kind, id, withMembers),
  ];
}

/** The value rows of multi-valued attributes a merge writes whole: those attributes' rows replaced. */
function listRowStatements(db: D1Database, id: string, lists: NonNullable<MergeWrite['lists']>): D1PreparedStatement[] {
  if (lists.attrs.length === 0) return [];
  return [
    db.prepare(`DELETE FROM user_values WHERE user_pk = ${USER_PK_BY_ID} AND attr IN (${placeholders(lists.attrs.length)})`).bind(id, ...lists.attrs),
    ...valueRows(db, USER_PK_BY_ID, [id], lists.rows),
  ];
}
