/**
 * "Never destroy by accident": the deletion threshold counts destructive operations of a target
 * over a sliding window (`deletion_window_minutes`, default 60), across runs and modes — those
 * sent (audit events: an IdP deprovisions one request per user, so 30 single DELETEs are 30
 * runs) plus those waiting. Over the threshold, every waiting one is held for an admin's
 * approval instead of being sent. An empty or broken source therefore never deactivates everyone.
 */
import type { Target } from '../../../shared/src';

type Thresholded = Pick<Target, 'id' | 'deletionThreshold' | 'deletionWindowMinutes'>;

export interface HoldCount {
  /** destructive operations sent within the window */
  sent: number;
  /** destructive operations waiting (not approved) */
  pending: number;
  /** rows held by this call */
  held: number;
  /** the resources held by this call, for their own audit events */
  resources?: { resourceType: 'User' | 'Group'; resourceId: string }[];
}

/** Outbox rows whose next send would deactivate or delete an account the relay created or linked. */
const CANDIDATES = `
    SELECT o.id FROM outbox o
      JOIN links l ON l.target_id = o.target_id AND l.resource_type = o.resource_type AND l.resource_id = o.resource_id
      LEFT JOIN users u ON o.resource_type = 'User' AND u.id = o.resource_id
      LEFT JOIN groups g ON o.resource_type = 'Group' AND g.id = o.resource_id
     WHERE o.target_id = ?1 AND o.state = 'pending' AND o.approved = 0
       AND l.remote_id IS NOT NULL AND coalesce(l.remote_state, 'active') <> 'deleted'
       AND ((o.resource_type = 'User' AND (u.pk IS NULL OR (u.active = 0 AND coalesce(l.remote_state, 'active') <> 'deactivated')))
         OR (o.resource_type = 'Group' AND g.pk IS NULL))`;

/** Writes that deactivated or deleted something, not reads (a Drupal delete is read back). */
const SENT = `
    SELECT count(*) AS n FROM audit_events
     WHERE target_id = ?1 AND operation IN ('deactivate', 'delete') AND at >= ?2
       AND outcome = 'ok' AND dry_run = 0 AND coalesce(method, '') <> 'GET'`;

export async function countDestructive(db: D1Database, target: Thresholded, now: Date): Promise<{ sent: number; pending: number; held: number }> {
  const since = new Date(now.getTime() - target.deletionWindowMinutes * 60_000).toISOString();
  const [sent, pending, held] = await db.batch<{ n: number }>([
    db.prepare(SENT).bind(target.id, since),
    db.prepare(`SELECT count(*) AS n FROM (${CANDIDATES})`).bind(target.id),
    db.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state = 'held'").bind(target.id),
  ]);
  return { sent: sent!.results[0]?.n ?? 0, pending: pending!.results[0]?.n ?? 0, held: held!.results[0]?.n ?? 0 };
}

export async function holdDestructive(db: D1Database, target: Thresholded, now: Date): Promise<HoldCount> {
  const { sent, pending } = await countDestructive(db, target, now);
  if (pending === 0 || sent + pending <= target.deletionThreshold) return { sent, pending, held: 0 };
  const { results } = await db
    .prepare(
      `UPDATE outbox SET state = 'held', last_error = ?2, updated_at = ?3 WHERE id IN (${CANDIDATES}) RETURNING resource_type AS resourceType, resource_id AS resourceId`,
    )
    .bind(target.id, holdMessage(target, { sent, pending }), now.toISOString())
    .all<{ resourceType: 'User' | 'Group'; resourceId: string }>();
  return { sent, pending, held: results.length, resources: results };
}

export function holdMessage(target: Thresholded, c: Pick<HoldCount, 'sent' | 'pending'>): string {
  return `Held for approval: ${c.pending} deactivation(s)/deletion(s) waiting and ${c.sent} sent in the last ${target.deletionWindowMinutes} min exceed the threshold of ${target.deletionThreshold}.`;
}
