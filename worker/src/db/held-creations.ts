/**
 * Which held outbox rows are creations (issue #13's mass-creation guard) rather than deletions
 * (the deletion threshold): a held User row with no account linked on the target would create
 * one; a held deactivation or deletion always has one (hold.ts holds only linked accounts). The
 * console and the People page show the two apart, with their counts in words.
 */

/**
 * SQL true when the link aliased `l` names an account that exists on the target: linked, and not
 * deleted there (a link keeps the remote id of an account it deleted). Sending for a user whose
 * link is not live creates an account: the creation guard (hold.ts) and the console agree on it.
 */
export const liveOnTarget = (l: string) => `(${l}.remote_id IS NOT NULL AND coalesce(${l}.remote_state, 'active') <> 'deleted')`;

/** SQL true when the outbox row aliased `o` is held and would create an account. */
export const isHeldCreation = (o: string) =>
  `(${o}.state = 'held' AND ${o}.resource_type = 'User' AND NOT EXISTS (SELECT 1 FROM links hl WHERE hl.target_id = ${o}.target_id AND hl.resource_type = 'User' AND hl.resource_id = ${o}.resource_id AND ${liveOnTarget('hl')}))`;

export async function countHeldCreations(db: D1Database, targetId: string): Promise<number> {
  const row = await db
    .prepare(`SELECT count(*) AS n FROM outbox o WHERE o.target_id = ? AND ${isHeldCreation('o')}`)
    .bind(targetId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
