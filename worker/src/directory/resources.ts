/**
 * Users and groups in D1: create, replace, touch, delete (reads and lists: reads.ts; PATCH merged
 * in SQL: merge-writes.ts). Every write also appends to the change log in the same batch, so
 * provisioning never misses a change, and reads its row back at the end of its batch.
 */
import { readBack, SELECT } from './reads';
import { foldValue, MAX_PARAMS, TABLES, chunk, guard, guardReasonOf, isUniqueViolation, nowIso, placeholders, USER_PK_BY_ID } from './sql';
import { DirectoryError, type ColumnValues, type ResourceKind, type ResourceWrite, type SqlFragment, type StoredResource, type ValueRow } from './types';

export const COLUMNS: Record<ResourceKind, readonly string[]> = {
  User: ['user_name', 'user_name_lower', 'external_id', 'display_name_lower', 'given_name_lower', 'family_name_lower', 'active'],
  Group: ['display_name', 'display_name_lower', 'external_id'],
};

function columnList(kind: ResourceKind, cols: ColumnValues): [string[], unknown[]] {
  const names = COLUMNS[kind];
  return [names as string[], names.map((n) => normalizeColumn(cols[n]))];
}

export const normalizeColumn = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? null));

function createdRow(db: D1Database, kind: ResourceKind, id: string, at: string) {
  return db.prepare("INSERT INTO changes (resource_type, resource_id, op, version, at) VALUES (?, ?, 'create', 1, ?)").bind(kind, id, at);
}

/**
 * Multi-row VALUES, never `SELECT … UNION ALL SELECT …`: D1 caps compound SELECTs at five
 * terms, and the VALUES form is exempt. The user's pk is an expression (a subquery on create).
 */
export function valueRows(db: D1Database, pkExpr: string, pkParams: unknown[], values: readonly ValueRow[]): D1PreparedStatement[] {
  const perRow = 6 + pkParams.length;
  return chunk(values, Math.floor(MAX_PARAMS / perRow)).map((rows) =>
    db
      .prepare(
        `INSERT INTO user_values (user_pk, attr, type, value, value_lower, display, "primary") VALUES ${rows.map(() => `(${pkExpr}, ?, ?, ?, ?, ?, ?)`).join(', ')}`,
      )
      .bind(...rows.flatMap((r) => [...pkParams, r.attr, r.type, r.value, foldValue(r.value), r.display, r.primary ? 1 : 0])),
  );
}

/**
 * One value row for the user whose id is bound, inserted only where `cond` holds (SQL over the
 * user's row `users`): a PATCH's appended element gets its row when the batch appends it.
 */
export const insertValueRowIf = (db: D1Database, id: string, row: ValueRow, cond: SqlFragment): D1PreparedStatement =>
  db
    .prepare(
      `INSERT INTO user_values (user_pk, attr, type, value, value_lower, display, "primary") SELECT pk, ?, ?, ?, ?, ?, ? FROM users WHERE id = ? AND ${cond.sql}`,
    )
    .bind(row.attr, row.type, row.value, foldValue(row.value), row.display, row.primary ? 1 : 0, id, ...cond.params);

/** The statements that create one resource; the first one RETURNs the new row. */
function insertStatements(
  db: D1Database,
  kind: ResourceKind,
  id: string,
  write: ResourceWrite,
  extra: D1PreparedStatement[],
  now: string,
): D1PreparedStatement[] {
  const table = TABLES[kind];
  const [names, vals] = columnList(kind, write.columns);
  return [
    db
      .prepare(
        `INSERT INTO ${table} (id, ${names.join(', ')}, created, last_modified, version, data) VALUES (?, ${placeholders(names.length)}, ?, ?, 1, ?) RETURNING ${SELECT}`,
      )
      .bind(id, ...vals, now, now, write.data),
    ...(write.values?.length ? valueRows(db, USER_PK_BY_ID, [id], write.values) : []),
    ...extra,
    createdRow(db, kind, id, now),
  ];
}

/** Creates one resource in one batch; `readBack` re-reads it at the end (a group's member displays). */
export async function insertResource(
  db: D1Database,
  kind: ResourceKind,
  id: string,
  write: ResourceWrite,
  extra: D1PreparedStatement[] = [],
  readBackWithMembers = false,
): Promise<StoredResource> {
  try {
    const stmts = insertStatements(db, kind, id, write, extra, nowIso());
    const results = await db.batch<StoredResource>(readBackWithMembers ? [...stmts, readBack(db, kind, id, true)] : stmts);
    return results[readBackWithMembers ? results.length - 1 : 0]!.results[0]!;
  } catch (err) {
    throw directoryErrorOf(err, kind);
  }
}

/**
 * Creates many resources in one batch (one transaction, one round trip): all of them, or — on a
 * uniqueness conflict — none, so the caller can fall back to one at a time and name the culprit.
 */
export async function insertResources(db: D1Database, kind: ResourceKind, items: readonly { id: string; write: ResourceWrite }[]): Promise<StoredResource[]> {
  const now = nowIso();
  const perItem = items.map((i) => insertStatements(db, kind, i.id, i.write, [], now));
  try {
    const results = await db.batch<StoredResource>(perItem.flat());
    let at = 0;
    return perItem.map((stmts) => {
      const row = results[at]!.results[0]!;
      at += stmts.length;
      return row;
    });
  } catch (err) {
    throw directoryErrorOf(err, kind);
  }
}

const uniquenessMessage = (kind: ResourceKind) =>
  kind === 'User' ? 'A user with this userName already exists.' : 'A group with this displayName already exists (names are compared case-insensitively).';

/**
 * What a write checks inside its own batch, before it changes anything: the version it read (a
 * read-modify-write such as PATCH), or that the row exists and the client's If-Match /
 * If-None-Match `condition` on `version` holds (PUT and DELETE, which read nothing first).
 */
export type WriteGuard = { version: number } | { condition?: SqlFragment };

export function guardStatements(db: D1Database, table: string, id: string, g: WriteGuard): D1PreparedStatement[] {
  if ('version' in g) return [guard(db, 'precondition', `(SELECT version FROM ${table} WHERE id = ?) IS ?`, [id, g.version])];
  return [
    guard(db, 'not_found', `EXISTS (SELECT 1 FROM ${table} WHERE id = ?)`, [id]),
    ...(g.condition ? [guard(db, 'precondition', `EXISTS (SELECT 1 FROM ${table} WHERE id = ? AND (${g.condition.sql}))`, [id, ...g.condition.params])] : []),
  ];
}

/** A failed write batch as a DirectoryError where it has a name; anything else as it came. */
export function directoryErrorOf(err: unknown, kind: ResourceKind): unknown {
  const reason = guardReasonOf(err);
  if (reason === 'not_found') return new DirectoryError('not_found', `${kind} not found.`);
  if (reason === 'precondition') return new DirectoryError('version_mismatch', 'The resource changed while it was being written.');
  if (reason === 'unknown_member') return new DirectoryError('invalid_member', 'A member id is neither a user nor a group.');
  if (reason === 'needs_read') return new DirectoryError('needs_read', 'The write depends on what is stored: read it first.');
  if (isUniqueViolation(err)) return new DirectoryError('conflict', uniquenessMessage(kind));
  return err;
}

/** Runs a write batch whose last statement reads the resource back: that row, or the batch's failure named. */
export async function writeAndReadBack(db: D1Database, kind: ResourceKind, stmts: D1PreparedStatement[]): Promise<StoredResource> {
  try {
    const results = await db.batch<StoredResource>(stmts);
    return results[results.length - 1]!.results[0]!;
  } catch (err) {
    throw directoryErrorOf(err, kind);
  }
}

const changeRowOf = (db: D1Database, kind: ResourceKind, id: string, op: 'update' | 'delete', at: string) =>
  db
    .prepare(
      `INSERT INTO changes (resource_type, resource_id, op, version, at) SELECT ?, id, ?, version${op === 'delete' ? ' + 1' : ''}, ? FROM ${TABLES[kind]} WHERE id = ?`,
    )
    .bind(kind, op, at, id);

/**
 * Replaces a resource's attributes in one batch (one round trip): the guard, the update, its
 * value rows, `extra` (membership statements), the change row and a read-back of the new row.
 * Throws DirectoryError: not_found, version_mismatch (the guard), invalid_member, conflict.
 */
export async function replaceResource(
  db: D1Database,
  kind: ResourceKind,
  id: string,
  g: WriteGuard,
  write: ResourceWrite,
  extra: D1PreparedStatement[] = [],
  withMembers = false,
): Promise<StoredResource> {
  const table = TABLES[kind];
  const now = nowIso();
  const [names, vals] = columnList(kind, write.columns);
  const sets = names.map((n) => `${n} = ?`);
  const setVals = [...vals];
  const pkOf = USER_PK_BY_ID;
  const stmts = [
    ...guardStatements(db, table, id, g),
    db.prepare(`UPDATE ${table} SET ${sets.join(', ')}, data = ?, version = version + 1, last_modified = ? WHERE id = ?`).bind(...setVals, write.data, now, id),
    ...(kind === 'User' && write.values
      ? [db.prepare(`DELETE FROM user_values WHERE user_pk = ${pkOf}`).bind(id), ...valueRows(db, pkOf, [id], write.values)]
      : []),
    ...extra,
    changeRowOf(db, kind, id, 'update', now),
    readBack(db, kind, id, withMembers),
  ];
  return writeAndReadBack(db, kind, stmts);
}

/**
 * Applies changes that commute (membership deltas), without a version guard unless the client
 * sent If-Match: two concurrent member PATCHes of one group both succeed instead of one failing. The version moves
 * (and a change row is written) only when `wouldChange` holds before the deltas run, so a PATCH
 * of no-ops writes nothing; one batch, with a read-back of the group.
 */
export async function touchResource(
  db: D1Database,
  kind: ResourceKind,
  id: string,
  g: WriteGuard,
  extra: D1PreparedStatement[],
  wouldChange: SqlFragment,
  withMembers = false,
): Promise<StoredResource> {
  return writeAndReadBack(db, kind, touchStatements(db, kind, id, g, extra, wouldChange, withMembers));
}

/** touchResource's batch, for a caller that runs it (or shares a batch with others) itself. */
export function touchStatements(
  db: D1Database,
  kind: ResourceKind,
  id: string,
  g: WriteGuard,
  extra: D1PreparedStatement[],
  wouldChange: SqlFragment,
  withMembers = false,
): D1PreparedStatement[] {
  const table = TABLES[kind];
  const now = nowIso();
  return [
    ...guardStatements(db, table, id, g),
    db.prepare(`UPDATE ${table} SET version = version + 1, last_modified = ? WHERE id = ? AND (${wouldChange.sql})`).bind(now, id, ...wouldChange.params),
    changeRowIfWritten(db, kind, id, now),
    ...extra,
    readBack(db, kind, id, withMembers),
  ];
}

/** The change row of an update guarded in SQL: written only when the update hit the row (it set last_modified to `at`). */
export const changeRowIfWritten = (db: D1Database, kind: ResourceKind, id: string, at: string) =>
  db
    .prepare(
      `INSERT INTO changes (resource_type, resource_id, op, version, at) SELECT ?, id, 'update', version, ? FROM ${TABLES[kind]} WHERE id = ? AND last_modified = ?`,
    )
    .bind(kind, at, id, at);

/** Deletes a resource and its memberships (as member and, for groups, as group) in one batch. */
export async function deleteResource(db: D1Database, kind: ResourceKind, id: string, condition?: SqlFragment): Promise<void> {
  const table = TABLES[kind];
  const now = nowIso();
  const stmts = [
    ...guardStatements(db, table, id, condition ? { condition } : {}),
    // Groups that lose a member change too: bump them before the membership rows go.
    db.prepare('UPDATE groups SET version = version + 1, last_modified = ? WHERE pk IN (SELECT group_pk FROM group_members WHERE member_id = ?)').bind(now, id),
    db
      .prepare(
        "INSERT INTO changes (resource_type, resource_id, op, version, at) SELECT 'Group', id, 'update', version, ? FROM groups WHERE pk IN (SELECT group_pk FROM group_members WHERE member_id = ?)",
      )
      .bind(now, id),
    db.prepare('DELETE FROM group_members WHERE member_id = ?').bind(id),
    changeRowOf(db, kind, id, 'delete', now),
    db.prepare(`DELETE FROM ${table} WHERE id = ?`).bind(id),
  ];
  try {
    await db.batch(stmts);
  } catch (err) {
    throw directoryErrorOf(err, kind);
  }
}
