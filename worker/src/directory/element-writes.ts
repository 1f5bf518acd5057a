/**
 * Writes into the elements of a multi-valued attribute that a `type eq "…"` filter selects, as
 * SQL over the stored JSON inside the write's own batch: Entra ID's most common update,
 * `{"op":"Replace","path":"emails[type eq \"work\"].value","value":"x@y"}`, reads nothing first
 * (issue #11 item 5). Like the engine (scim/patch/apply-value-path.ts), a step sets the
 * sub-attribute of every element whose type matches, case-insensitively, and keeps the rest.
 *
 * Where no element matches, an `add` appends the element the engine creates (`{type, value}`:
 * Entra ID's `Add phoneNumbers[type eq "mobile"].value` to a user without one), with its
 * user_values row. What the request alone cannot tell refuses the batch as `needs_read`, and the
 * service applies the PATCH in code after reading: a `replace` that matches nothing (noTarget), a
 * stored type holding non-ASCII characters (SQLite's lower() folds ASCII only, the engine folds
 * Unicode), or more than one element primary (the engine would settle them, RFC 7643 §2.4).
 */
import { foldValue, jsonPath, listJudged, nonAscii, refusal, textEquals, USER_PK_BY_ID } from './sql';
import { insertValueRowIf } from './resources';
import type { ElementWrite, SqlFragment } from './types';

const TYPE = `json_extract(e.value, '$."type"')`;
const MATCH = textEquals('e.value', `'$."type"'`, true);
/** Elements the step cannot judge as the engine would: not an object, or a type SQLite cannot fold. */
const ODD = `e.type IS NOT 'object' OR (json_type(e.value, '$."type"') = 'text' AND ${nonAscii(TYPE)})`;

/**
 * One step of a merge's chain of CTEs (directory/resources.ts mergeStatements): the body `d` with
 * the write applied, or a refusal. A matched element is rebuilt with its sub-attributes in stored
 * order (the engine's validation orders them so), json_patch dropping the absent ones; an
 * appended one is written as the engine coerced it.
 */
export function elementStep(w: ElementWrite): SqlFragment {
  const path = `'${jsonPath([w.attr])}'`;
  const each = `json_each(d, ${path}) AS e`;
  const fields = w.subs.map((s) => `'${s}', ${s === w.sub ? 'json(?)' : `e.value -> '${jsonPath([s])}'`}`);
  const rebuilt = `json_patch('{}', json_object(${fields.join(', ')}))`;
  const judged = listJudged(path, ODD);
  const list = `(SELECT json_group_array(CASE WHEN ${MATCH} THEN ${rebuilt} ELSE json(e.value) END) FROM ${each})`;
  // apply-value-path.ts: the new element goes at the end of the list (a new list when there is none).
  const appended = `json_set(d, ${path}, json(json_insert(coalesce(d -> ${path}, '[]'), '$[#]', json(?))))`;
  const noMatch = w.append === undefined ? refusal('needs_read') : appended;
  return {
    sql: `SELECT CASE WHEN NOT (${judged}) THEN ${refusal('needs_read')} WHEN EXISTS (SELECT 1 FROM ${each} WHERE ${MATCH}) THEN json_set(d, ${path}, ${list}) ELSE ${noMatch} END`,
    params: [w.type, w.type, w.value, ...(w.append === undefined ? [] : [w.append])],
  };
}

/**
 * The user_values rows of the write, kept the mirror of the body that toWrite makes them: the
 * appended element's row when no row has the type (rows hold the type folded in code, so this is
 * the body's own test of a match), then the matched rows' columns. Each write's statements run
 * after the previous write's, as the body's steps do.
 */
export function elementRowStatements(db: D1Database, id: string, writes: readonly ElementWrite[]): D1PreparedStatement[] {
  return writes.flatMap(({ rows, type }) => (rows ? [...appendRow(db, id, rows, type), ...setRows(db, id, rows, type)] : []));
}

function appendRow(db: D1Database, id: string, rows: NonNullable<ElementWrite['rows']>, type: string): D1PreparedStatement[] {
  const noRow = 'NOT EXISTS (SELECT 1 FROM user_values v WHERE v.user_pk = users.pk AND v.attr = ? AND v.type = ?)';
  return rows.append ? [insertValueRowIf(db, id, rows.append, { sql: noRow, params: [rows.attr, type] })] : [];
}

function setRows(db: D1Database, id: string, rows: NonNullable<ElementWrite['rows']>, type: string): D1PreparedStatement[] {
  // toWrite's value_lower is the value folded in code, as here.
  const columns = Object.entries(rows.set).flatMap(([name, v]): [string, string | null][] =>
    name === 'value'
      ? [
          [name, v],
          ['value_lower', foldValue(v)],
        ]
      : [[name, v]],
  );
  if (columns.length === 0) return [];
  return [
    db
      .prepare(`UPDATE user_values SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE user_pk = ${USER_PK_BY_ID} AND attr = ? AND type = ?`)
      .bind(...columns.map(([, v]) => v), id, rows.attr, type),
  ];
}
