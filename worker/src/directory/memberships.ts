/**
 * Group membership rows. Changes are deltas (INSERT OR IGNORE / DELETE of the named members),
 * so adding or removing one member costs the same in a group of 5 or 50,000, and repeating a
 * change is a no-op.
 */
import { MAX_PARAMS, chunk, placeholders } from './sql';
import type { MemberRef, ResourceKind } from './types';

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
 * For a PATCH of a group's members: which of these ids exist (and as what), and which are members
 * of the group already. One statement per chunk of ids, so a membership PATCH reads once.
 */
export async function resolveMembersOf(db: D1Database, groupPk: number, ids: readonly string[]): Promise<Map<string, { type: ResourceKind; member: boolean }>> {
  const found = new Map<string, { type: ResourceKind; member: boolean }>();
  const isMember = (table: string) => `EXISTS (SELECT 1 FROM group_members m WHERE m.group_pk = ? AND m.member_id = ${table}.id)`;
  const stmts = chunk([...new Set(ids)], Math.floor((MAX_PARAMS - 2) / 2)).map((part) =>
    db
      .prepare(
        `SELECT id, 'User' AS type, ${isMember('users')} AS member FROM users WHERE id IN (${placeholders(part.length)}) UNION ALL SELECT id, 'Group' AS type, ${isMember('groups')} AS member FROM groups WHERE id IN (${placeholders(part.length)})`,
      )
      .bind(groupPk, ...part, groupPk, ...part),
  );
  if (stmts.length === 0) return found;
  for (const r of await db.batch<{ id: string; type: ResourceKind; member: number }>(stmts)) {
    for (const row of r.results) found.set(row.id, { type: row.type, member: row.member === 1 });
  }
  return found;
}

/**
 * Statements adding members to the group whose pk is `groupPkSql` (its parameters bound per
 * row). Multi-row VALUES: D1 caps compound SELECTs at five terms; VALUES is exempt.
 */
export function addMemberStatements(
  db: D1Database,
  groupPkSql: string,
  groupPkParams: unknown[],
  members: readonly { id: string; type: ResourceKind }[],
): D1PreparedStatement[] {
  const perRow = 2 + groupPkParams.length;
  return chunk(members, Math.floor(MAX_PARAMS / perRow)).map((rows) =>
    db
      .prepare(`INSERT OR IGNORE INTO group_members (group_pk, member_id, member_type) VALUES ${rows.map(() => `(${groupPkSql}, ?, ?)`).join(', ')}`)
      .bind(...rows.flatMap((m) => [...groupPkParams, m.id, m.type])),
  );
}

export function removeMemberStatements(db: D1Database, groupPk: number, ids: readonly string[]): D1PreparedStatement[] {
  return chunk(ids, MAX_PARAMS - 1).map((part) =>
    db.prepare(`DELETE FROM group_members WHERE group_pk = ? AND member_id IN (${placeholders(part.length)})`).bind(groupPk, ...part),
  );
}

export const clearMembersStatement = (db: D1Database, groupPk: number) => db.prepare('DELETE FROM group_members WHERE group_pk = ?').bind(groupPk);

/** A group's members with a display name (the user's displayName or userName, the group's displayName). */
export async function membersOf(db: D1Database, groupPk: number): Promise<MemberRef[]> {
  return (await membersOfMany(db, [groupPk])).get(groupPk) ?? [];
}

/** Members of several groups at once (list responses). */
export async function membersOfMany(db: D1Database, groupPks: readonly number[]): Promise<Map<number, MemberRef[]>> {
  const out = new Map<number, MemberRef[]>();
  for (const part of chunk(groupPks, MAX_PARAMS)) {
    const { results } = await db
      .prepare(
        `SELECT m.group_pk AS pk, m.member_id AS id, m.member_type AS type,
                CASE m.member_type WHEN 'User' THEN coalesce(json_extract(u.data, '$.displayName'), u.user_name) ELSE g.display_name END AS display
           FROM group_members m
           LEFT JOIN users u ON m.member_type = 'User' AND u.id = m.member_id
           LEFT JOIN groups g ON m.member_type = 'Group' AND g.id = m.member_id
          WHERE m.group_pk IN (${placeholders(part.length)})
          ORDER BY m.rowid`,
      )
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
