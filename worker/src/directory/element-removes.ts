/**
 * Removal of the elements of a multi-valued attribute that one `value eq` or `type eq` filter
 * selects (`{"op":"remove","path":"emails[value eq \"a@x\"]"}`, RFC 7644 §3.5.2.2), as SQL over
 * the stored JSON inside the write's own batch, so it reads nothing first (issue #11 item 5). As
 * the engine does (scim/patch/apply-value-path.ts): the matched elements go, an attribute left
 * empty is unassigned, and a filter that matches nothing is an error (400 noTarget) — which the
 * batch leaves to the engine by refusing itself (`needs_read`), as it does for a stored element
 * SQL cannot compare like the engine: not an object, the compared value not text, or text with
 * non-ASCII characters where case is folded (SQLite's lower() folds ASCII only).
 */
import { USER_PK_BY_ID, jsonPath, nonAscii, refusal, textEquals } from './sql';
import type { ConditionalUnset, ElementRemove, SqlFragment } from './types';

/** One step of a merge's chain of CTEs (directory/resources.ts mergeStatements): `d` without the matched elements, or a refusal. */
export function removeStep(w: ElementRemove): SqlFragment {
  const path = `'${jsonPath([w.attr])}'`;
  const each = `json_each(d, ${path}) AS e`;
  const at = `'${jsonPath([w.key])}'`;
  // textEquals is false, never NULL, for an element without the key: a plain no-match under the NOT below.
  const match = textEquals('e.value', at, w.folded);
  const odd = `e.type IS NOT 'object' OR json_type(e.value, ${at}) NOT IN ('text', 'null')${w.folded ? ` OR ${nonAscii(`e.value ->> ${at}`)}` : ''}`;
  const kept = `(SELECT json_group_array(json(e.value)) FROM ${each} WHERE NOT (${match}))`;
  return {
    sql: `SELECT CASE WHEN EXISTS (SELECT 1 FROM ${each} WHERE ${odd}) OR NOT EXISTS (SELECT 1 FROM ${each} WHERE ${match}) THEN ${refusal('needs_read')}
      WHEN ${kept} = '[]' THEN json_remove(d, ${path}) ELSE json_set(d, ${path}, json(${kept})) END`,
    params: [w.value, w.value, w.value],
  };
}

/** The user_values rows of the removed elements: rows hold the compared value as the filter compares it (folded in code where case is folded). */
export function removeRowStatements(db: D1Database, id: string, removes: readonly ElementRemove[]): D1PreparedStatement[] {
  return removes.flatMap(({ rows, value }) =>
    rows ? [db.prepare(`DELETE FROM user_values WHERE user_pk = ${USER_PK_BY_ID} AND attr = ? AND ${rows.column} = ?`).bind(id, rows.attr, value)] : [],
  );
}

/**
 * One step of the chain: `d` without the attribute at `w.at` when its `w.key` equals the value
 * (scim/patch/apply-value-path.ts applyToFilteredSingle: a filter that does not match is a no-op),
 * refused where SQL cannot compare as the engine does (a value that is not text, non-ASCII text
 * where case is folded). It runs before the containers are pruned, so an extension it empties goes.
 */
export function unsetIfStep(w: ConditionalUnset): SqlFragment {
  const at = `'${jsonPath([...w.at, w.key])}'`;
  const odd = `json_type(d, ${at}) NOT IN ('text', 'null')${w.folded ? ` OR ${nonAscii(`(d ->> ${at})`)}` : ''}`;
  return {
    sql: `SELECT CASE WHEN ${odd} THEN ${refusal('needs_read')} WHEN ${textEquals('d', at, w.folded)} THEN json_remove(d, '${jsonPath(w.at)}') ELSE d END`,
    params: [w.value],
  };
}
