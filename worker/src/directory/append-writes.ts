/**
 * Elements added to a multi-valued attribute without a filter (`{"op":"add","path":"emails",
 * "value":[{"value":"b@x","type":"home"}]}`), as SQL over the stored JSON inside the write's own
 * batch, so the PATCH reads nothing first (issue #11 item 5). As the engine does
 * (scim/patch/apply-attribute.ts writeAttribute, RFC 7644 §3.5.2.1), an element goes at the end of
 * the list unless a stored element already holds every sub-attribute it sets (text compared
 * without case unless caseExact); one with `primary: true` takes the flag off the others.
 *
 * Refused as `needs_read` where SQL would judge otherwise than the engine: a stored element that
 * is not an object, a compared text with non-ASCII characters (SQLite's lower() folds ASCII only),
 * or more than one primary stored (the engine settles them).
 */
import { foldValue, jsonPath, listJudged, nonAscii, refusal, textEquals } from './sql';
import { insertValueRowIf } from './resources';
import type { AppendWrite, SqlFragment } from './types';

/** A stored element `e` (of json_each) holding every value of `w.equal`, with its parameters. */
function containsSql(w: AppendWrite, element: string): SqlFragment {
  const parts = w.equal.map(({ key, value, folded }) => {
    const at = `'${jsonPath([key])}'`;
    if (typeof value === 'boolean') return { sql: `json_type(${element}, ${at}) = '${value}'`, params: [] };
    return { sql: textEquals(element, at, folded), params: [folded ? foldValue(value) : value] };
  });
  return { sql: parts.map((p) => p.sql).join(' AND ') || '1', params: parts.flatMap((p) => p.params) };
}

/** Stored elements (`e` of json_each) SQL cannot compare as the engine does: not an object, or a folded text that is not ASCII. */
function oddSql(w: AppendWrite, element: string): string {
  const texts = w.equal.filter((q) => q.folded && typeof q.value === 'string').map(({ key }) => `${element} ->> '${jsonPath([key])}'`);
  return [`e.type IS NOT 'object'`, ...texts.map(nonAscii)].join(' OR ');
}

/**
 * One step of a merge's chain of CTEs (directory/resources.ts mergeStatements): the body `d` with
 * the element appended unless contained, or a refusal.
 */
export function appendStep(w: AppendWrite): SqlFragment {
  const path = `'${jsonPath([w.attr])}'`;
  const each = `json_each(d, ${path}) AS e`;
  const contains = containsSql(w, 'e.value');
  const judged = listJudged(path, oddSql(w, 'e.value'));
  const kept = w.primary
    ? `CASE WHEN json_type(e.value, '$."primary"') = 'true' THEN json_remove(e.value, '$."primary"') ELSE json(e.value) END`
    : 'json(e.value)';
  const appended = `json_set(d, ${path}, json(json_insert((SELECT json_group_array(${kept}) FROM ${each}), '$[#]', json(?))))`;
  return {
    sql: `SELECT CASE WHEN NOT (${judged}) THEN ${refusal('needs_read')} WHEN EXISTS (SELECT 1 FROM ${each} WHERE ${contains.sql}) THEN d ELSE ${appended} END`,
    params: [...contains.params, w.element],
  };
}

/**
 * The user_values rows of the appended elements, run before the body's UPDATE so that they judge
 * the stored body the steps start from (the plan lets no other operation of the request touch the
 * attribute, and the request's own elements do not contain one another): the others' primary
 * flag cleared for a primary one, and its row.
 */
export function appendRowStatements(db: D1Database, id: string, writes: readonly AppendWrite[]): D1PreparedStatement[] {
  return writes.flatMap((w) => {
    if (!w.row) return [];
    const contains = containsSql(w, 'e.value');
    const appended = `NOT EXISTS (SELECT 1 FROM json_each(users.data, '${jsonPath([w.attr])}') AS e WHERE ${contains.sql})`;
    return [
      ...(w.primary
        ? [
            db
              .prepare(`UPDATE user_values SET "primary" = 0 WHERE attr = ? AND user_pk = (SELECT pk FROM users WHERE id = ? AND ${appended})`)
              .bind(w.attr, id, ...contains.params),
          ]
        : []),
      insertValueRowIf(db, id, w.row, { sql: appended, params: contains.params }),
    ];
  });
}
