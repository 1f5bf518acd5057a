/**
 * Writes into the elements of a multi-valued attribute that a `type eq "…"` filter selects, as
 * SQL over the stored JSON inside the write's own batch: Entra ID's most common update,
 * `{"op":"Replace","path":"emails[type eq \"work\"].value","value":"x@y"}`, reads nothing first
 * (issue #11 item 5). Like the engine (scim/patch/apply-value-path.ts), a step sets the
 * sub-attribute of every element whose type matches, case-insensitively, and keeps the rest.
 *
 * What the request alone cannot tell refuses the batch as `needs_read`, and the service applies
 * the PATCH in code after reading: no element matches (replace answers noTarget, add creates
 * one), a stored type holds non-ASCII characters (SQLite's lower() folds ASCII only, the engine
 * folds Unicode), or more than one element is primary (the engine would settle them, RFC 7643
 * §2.4).
 */
import { foldValue, jsonPath, refusal, USER_PK_BY_ID } from './sql';
import type { ElementWrite, SqlFragment } from './types';

const TYPE = `json_extract(e.value, '$."type"')`;
const MATCH = `json_type(e.value, '$."type"') = 'text' AND lower(${TYPE}) = ?`;
/** Elements the step cannot judge as the engine would: not an object, or a type SQLite cannot fold. */
const ODD = `e.type IS NOT 'object' OR (json_type(e.value, '$."type"') = 'text' AND length(CAST(${TYPE} AS BLOB)) <> length(${TYPE}))`;

/**
 * One step of a merge's chain of CTEs (directory/resources.ts mergeStatements): the body `d` with
 * the write applied, or a refusal. A matched element is rebuilt with its sub-attributes in stored
 * order (the engine's validation orders them so), json_patch dropping the absent ones.
 */
export function elementStep(w: ElementWrite): SqlFragment {
  const path = `'${jsonPath([w.attr])}'`;
  const each = `json_each(d, ${path}) AS e`;
  const fields = w.subs.map((s) => `'${s}', ${s === w.sub ? 'json(?)' : `e.value -> '${jsonPath([s])}'`}`);
  const rebuilt = `json_patch('{}', json_object(${fields.join(', ')}))`;
  const judged = `EXISTS (SELECT 1 FROM ${each} WHERE ${MATCH}) AND NOT EXISTS (SELECT 1 FROM ${each} WHERE ${ODD})
    AND (SELECT count(*) FROM ${each} WHERE json_type(e.value, '$."primary"') = 'true') < 2`;
  const list = `(SELECT json_group_array(CASE WHEN ${MATCH} THEN ${rebuilt} ELSE json(e.value) END) FROM ${each})`;
  return { sql: `SELECT CASE WHEN ${judged} THEN json_set(d, ${path}, ${list}) ELSE ${refusal('needs_read')} END`, params: [w.type, w.type, w.value] };
}

/** The user_values rows of the matched elements, kept the mirror of the body that toWrite makes them. */
export function elementRowStatements(db: D1Database, id: string, writes: readonly ElementWrite[]): D1PreparedStatement[] {
  return writes.flatMap(({ rows, type }) => {
    // toWrite's value_lower is the value folded in code, as here.
    const columns = Object.entries(rows?.set ?? {}).flatMap(([name, v]): [string, string | null][] =>
      name === 'value'
        ? [
            [name, v],
            ['value_lower', foldValue(v)],
          ]
        : [[name, v]],
    );
    if (!rows || columns.length === 0) return [];
    return [
      db
        .prepare(`UPDATE user_values SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE user_pk = ${USER_PK_BY_ID} AND attr = ? AND type = ?`)
        .bind(...columns.map(([, v]) => v), id, rows.attr, type),
    ];
  });
}
