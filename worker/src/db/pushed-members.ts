/** Group memberships as last pushed to a target. */
import { MAX_PARAMS, chunk, placeholders } from './sql-helpers';

export interface MemberDelta {
  add: string[];
  remove: { memberId: string; remoteId: string }[];
}

/** Compares the wanted member set with what was pushed: only the difference goes out. */
export async function pushedMemberDelta(db: D1Database, targetId: string, groupId: string, wanted: string[]): Promise<MemberDelta> {
  const { results } = await db
    .prepare(
      `SELECT p.member_id AS memberId, l.remote_id AS remoteId FROM pushed_members p
         LEFT JOIN links l ON l.target_id = p.target_id AND l.resource_type = 'User' AND l.resource_id = p.member_id
        WHERE p.target_id = ? AND p.group_id = ?`,
    )
    .bind(targetId, groupId)
    .all<{ memberId: string; remoteId: string | null }>();
  const pushed = new Set(results.map((r) => r.memberId));
  const want = new Set(wanted);
  return {
    add: wanted.filter((id) => !pushed.has(id)),
    remove: results.filter((r) => !want.has(r.memberId) && r.remoteId).map((r) => ({ memberId: r.memberId, remoteId: r.remoteId! })),
  };
}

export async function savePushedMembers(db: D1Database, targetId: string, groupId: string, added: string[], removed: string[]): Promise<void> {
  const stmts = [
    ...chunk(added, Math.floor((MAX_PARAMS - 2) / 3)).map((part) =>
      db
        .prepare(`INSERT OR IGNORE INTO pushed_members (target_id, group_id, member_id) VALUES ${part.map(() => '(?, ?, ?)').join(', ')}`)
        .bind(...part.flatMap((m) => [targetId, groupId, m])),
    ),
    ...chunk(removed, MAX_PARAMS - 2).map((part) =>
      db
        .prepare(`DELETE FROM pushed_members WHERE target_id = ? AND group_id = ? AND member_id IN (${placeholders(part.length)})`)
        .bind(targetId, groupId, ...part),
    ),
  ];
  if (stmts.length > 0) await db.batch(stmts);
}
