/**
 * Group membership rows. Changes are deltas (INSERT OR IGNORE / DELETE of the named members),
 * so adding or removing one member costs the same in a group of 5 or 50,000, and repeating a
 * change is a no-op.
 */
import { MAX_PARAMS, chunk, guard, placeholders } from './sql';
import type { MemberRef, ResourceKind, SqlFragment } from './types';

/** The group whose id is bound: what a batch that read nothing knows it by. */

/** Which of these ids exist, and as what. Unknown ids are absent from the map. */
export async function resolveMembers(db: D1Database, ids: readonly string[]): Promise<Map<string, ResourceKind>> {
  const found = new Map<string, ResourceKind>();
  const unique = [...new Set(ids)];
  const stmts = chunk(unique, MAX_PARAMS / 2).map((part) =>
    db
      .prepare(
        `SELECT id, 'User' AS type FROM users WHERE id IN (${placeholders(part.length)}) UNION ALL SELECT id, 'Group' AS type FROM groups WHERE id IN (${placeholders(part.length)})`,
      )
      .bind(...part, ...part),
  );
  if (stmts.length === 0) return found;
  for (const r of await db.batch<{ id: string; type: ResourceKind }>(stmts)) for (const row of r.results) found.set(row.id, row.type);
  return found;
}

/**
 * Statements adding members by id alone, each typed by the table it is found in, so nothing is
 * read first: with `membersExistGuards` ahead of them in the batch, an unknown id refuses the
 * whole write. Two compound terms per statement (D1 allows five).
 */
function addMembersByIdStatements(db: D1Database, groupPkSql: string, groupPkParams: unknown[], ids: readonly string[]): D1PreparedStatement[] {
  const per = Math.floor((MAX_PARAMS - 2 * groupPkParams.length) / 2);
  return chunk([...new Set(ids)], per).map((part) =>
    db
      .prepare(
        `INSERT OR IGNORE INTO group_members (group_pk, member_id, member_type) SELECT ${groupPkSql}, id, 'User' FROM users WHERE id IN (${placeholders(part.length)}) UNION ALL SELECT ${groupPkSql}, id, 'Group' FROM groups WHERE id IN (${placeholders(part.length)})`,
      )
      .bind(...groupPkParams, ...part, ...groupPkParams, ...part),
  );
}

/** Guards that refuse the batch ('unknown_member') unless every id is a user or a group. */
function membersExistGuards(db: D1Database, ids: readonly string[]): D1PreparedStatement[] {
  return chunk([...new Set(ids)], Math.floor(MAX_PARAMS / 2)).map((part) =>
    guard(
      db,
      'unknown_member',
      `(SELECT count(*) FROM users WHERE id IN (${placeholders(part.length)})) + (SELECT count(*) FROM groups WHERE id IN (${placeholders(part.length)})) = ${part.length}`,
      [...part, ...part],
    ),
  );
}

/**
 * SQL that is true when adding `add` and removing `remove` would change the members of the group
 * whose pk is `groupPkSql` (a `?` or a subquery by id; existence of the added ids is the guards'
 * business), with its parameters; undefined when the ids are too many for one statement, and the
 * caller treats the change as real.
 */
function membersWouldChange(
  groupPkSql: string,
  groupPkParams: readonly unknown[],
  add: readonly string[],
  remove: readonly string[],
): { sql: string; params: unknown[] } | undefined {
  const a = [...new Set(add)];
  const r = [...new Set(remove)];
  const pks = ((a.length > 0 ? 2 : 0) + (r.length > 0 ? 1 : 0)) * groupPkParams.length;
  // The touch statement this goes into binds two more (touchStatements: last_modified, id).
  if (2 * a.length + r.length + pks + 2 > MAX_PARAMS) return undefined;
  const notMember = (table: string) =>
    `EXISTS (SELECT 1 FROM ${table} WHERE id IN (${placeholders(a.length)}) AND NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_pk = ${groupPkSql} AND m.member_id = ${table}.id))`;
  const parts: string[] = [];
  const params: unknown[] = [];
  if (a.length > 0) {
    parts.push(notMember('users'), notMember('groups'));
    params.push(...a, ...groupPkParams, ...a, ...groupPkParams);
  }
  if (r.length > 0) {
    parts.push(`EXISTS (SELECT 1 FROM group_members WHERE group_pk = ${groupPkSql} AND member_id IN (${placeholders(r.length)}))`);
    params.push(...groupPkParams, ...r);
  }
  return { sql: parts.length > 0 ? parts.join(' OR ') : '0', params };
}

function removeMemberStatements(db: D1Database, groupPkSql: string, groupPkParams: readonly unknown[], ids: readonly string[]): D1PreparedStatement[] {
  return chunk(ids, MAX_PARAMS - groupPkParams.length).map((part) =>
    db.prepare(`DELETE FROM group_members WHERE group_pk = ${groupPkSql} AND member_id IN (${placeholders(part.length)})`).bind(...groupPkParams, ...part),
  );
}

/**
 * Members added by id inside a write's batch, behind guards that refuse the batch when an id is
 * neither a user nor a group: nothing is read first. Only that refusal reads, to name the ids.
 */
export const addMembersGuarded = (db: D1Database, groupPkSql: string, groupPkParams: unknown[], ids: readonly string[]): D1PreparedStatement[] =>
  ids.length > 0 ? [...membersExistGuards(db, ids), ...addMembersByIdStatements(db, groupPkSql, groupPkParams, ids)] : [];

/**
 * A membership change as statements inside the write's batch, for the group whose pk is
 * `groupPk` (a `?` with the pk read, or GROUP_PK_BY_ID with the id): ids are resolved there, not
 * read first. `clear` drops every member first; removals — by id, and the rows `removeWhere`
 * matches (SQL over the rows `m`: member_id and member_type) — run before additions, so a member a filter
 * removes and the request adds is re-added. `wouldChange` is the SQL under which the version
 * moves: clearing always counts as a change, and so does a change too large to test in one
 * statement. `fits` says whether that answer is the one the engine, which reads the members
 * first, would give: always without removal filters (it counts such a change too); with them,
 * only when the test fit in one statement.
 */
export function memberStatements(
  db: D1Database,
  groupPk: SqlFragment,
  change: { clear: boolean; add: readonly string[] },
  remove: readonly string[],
  removeWhere: readonly SqlFragment[] = [],
) {
  const add = [...new Set(change.add)];
  const removed = [...new Set(remove)];
  const matching = removeWhere.map((w) => ({
    sql: `EXISTS (SELECT 1 FROM group_members m WHERE m.group_pk = ${groupPk.sql} AND ${w.sql})`,
    params: [...groupPk.params, ...w.params],
  }));
  const statements = [
    ...(change.clear ? [clearMembersStatement(db, groupPk.sql, groupPk.params)] : []),
    ...removeMemberStatements(db, groupPk.sql, groupPk.params, removed),
    ...removeWhere.map((w) => db.prepare(`DELETE FROM group_members AS m WHERE m.group_pk = ${groupPk.sql} AND ${w.sql}`).bind(...groupPk.params, ...w.params)),
    ...addMembersGuarded(db, groupPk.sql, groupPk.params, add),
  ];
  const byId = membersWouldChange(groupPk.sql, groupPk.params, add, removed);
  const test = byId && anyOf([byId, ...matching]);
  return { statements, add, wouldChange: !change.clear && test ? test : { sql: '1', params: [] }, fits: removeWhere.length === 0 || test !== undefined };
}

/** SQL true when any fragment is; undefined past one statement's bound parameters (the caller then counts a change). */
function anyOf(parts: readonly SqlFragment[]): SqlFragment | undefined {
  const params = parts.flatMap((p) => p.params);
  // The touch statement this goes into binds two more (touchStatements: last_modified, id).
  return params.length + 2 > MAX_PARAMS ? undefined : { sql: parts.map((p) => `(${p.sql})`).join(' OR '), params };
}

/** Drops every member of the group whose pk is `groupPkSql` (a `?` or a subquery by id). */
export const clearMembersStatement = (db: D1Database, groupPkSql: string, params: unknown[]) =>
  db.prepare(`DELETE FROM group_members WHERE group_pk = ${groupPkSql}`).bind(...params);

/** A member row as MemberRef: the display is the user's displayName or userName, the group's displayName. */
export const MEMBER_COLUMNS = `m.member_id AS id, m.member_type AS type,
  CASE m.member_type WHEN 'User' THEN coalesce(json_extract(mu.data, '$.displayName'), mu.user_name) ELSE mg.display_name END AS display`;
export const MEMBER_JOINS = `group_members m
  LEFT JOIN users mu ON m.member_type = 'User' AND mu.id = m.member_id
  LEFT JOIN groups mg ON m.member_type = 'Group' AND mg.id = m.member_id`;

/** A group's members with a display name (the user's displayName or userName, the group's displayName). */
export async function membersOf(db: D1Database, groupPk: number): Promise<MemberRef[]> {
  return (await membersOfMany(db, [groupPk])).get(groupPk) ?? [];
}

/** Members of several groups at once (list responses). */
export async function membersOfMany(db: D1Database, groupPks: readonly number[]): Promise<Map<number, MemberRef[]>> {
  const out = new Map<number, MemberRef[]>();
  for (const part of chunk(groupPks, MAX_PARAMS)) {
    const { results } = await db
      .prepare(`SELECT m.group_pk AS pk, ${MEMBER_COLUMNS} FROM ${MEMBER_JOINS} WHERE m.group_pk IN (${placeholders(part.length)}) ORDER BY m.rowid`)
      .bind(...part)
      .all<MemberRef & { pk: number }>();
    for (const { pk, ...m } of results) (out.get(pk) ?? out.set(pk, []).get(pk)!).push(m);
  }
  return out;
}

/** The groups each user is a direct member of (User.groups, RFC 7643 §4.1.2). */
export async function groupsOfMany(db: D1Database, userIds: readonly string[]): Promise<Map<string, { id: string; display: string }[]>> {
  const out = new Map<string, { id: string; display: string }[]>();
  for (const part of chunk(userIds, MAX_PARAMS)) {
    const { results } = await db
      .prepare(
        `SELECT m.member_id AS member, g.id AS id, g.display_name AS display
           FROM group_members m JOIN groups g ON g.pk = m.group_pk
          WHERE m.member_id IN (${placeholders(part.length)})`,
      )
      .bind(...part)
      .all<{ member: string; id: string; display: string }>();
    for (const { member, ...g } of results) (out.get(member) ?? out.set(member, []).get(member)!).push(g);
  }
  return out;
}
