/**
 * "Never destroy by accident": when the deactivations plus deletions waiting for a target exceed
 * its threshold, they are all held for an admin's approval instead of being sent. An empty or
 * broken source therefore never deactivates everyone.
 */
import type { Target } from '../../../shared/src';

export async function holdDestructive(db: D1Database, target: Pick<Target, 'id' | 'deletionThreshold'>, now: Date): Promise<number> {
  const candidates = `
    SELECT o.id FROM outbox o
      JOIN links l ON l.target_id = o.target_id AND l.resource_type = o.resource_type AND l.resource_id = o.resource_id
      LEFT JOIN users u ON o.resource_type = 'User' AND u.id = o.resource_id
      LEFT JOIN groups g ON o.resource_type = 'Group' AND g.id = o.resource_id
     WHERE o.target_id = ?1 AND o.state = 'pending' AND o.approved = 0
       AND l.remote_id IS NOT NULL AND coalesce(l.remote_state, 'active') <> 'deleted'
       AND ((o.resource_type = 'User' AND (u.pk IS NULL OR (u.active = 0 AND coalesce(l.remote_state, 'active') <> 'deactivated')))
         OR (o.resource_type = 'Group' AND g.pk IS NULL))`;
  const row = await db.prepare(`SELECT count(*) AS n FROM (${candidates})`).bind(target.id).first<{ n: number }>();
  const n = row?.n ?? 0;
  if (n <= target.deletionThreshold) return 0;
  await db
    .prepare(`UPDATE outbox SET state = 'held', last_error = ?2, updated_at = ?3 WHERE id IN (${candidates})`)
    .bind(target.id, `Held for approval: ${n} deactivations/deletions exceed the threshold of ${target.deletionThreshold}.`, now.toISOString())
    .run();
  return n;
}
