/** What the work queue's producers and consumer read from D1: when a target's outbox is next due, and which targets are stuck. */

/**
 * When the target's outbox next has a row to claim: the earliest `next_attempt_at` of a waiting
 * row (backoff, Retry-After) or `lease_until` of a leased one; null when the outbox is empty.
 */
export async function nextDueAt(db: D1Database, targetId: string): Promise<string | null> {
  const row = await db
    .prepare(
      `SELECT MIN(CASE state WHEN 'pending' THEN next_attempt_at ELSE lease_until END) AS due
         FROM outbox WHERE target_id = ? AND state IN ('pending', 'leased')`,
    )
    .bind(targetId)
    .first<{ due: string | null }>();
  return row?.due ?? null;
}

/**
 * Active targets with work nobody is doing: a due row or an expired lease in the outbox, changes
 * past the watermark, or a full pass in progress. The cron's safety net enqueues these.
 */
export async function selectStuckTargetIds(db: D1Database, now: Date): Promise<string[]> {
  const at = now.toISOString();
  const { results } = await db
    .prepare(
      `SELECT t.id FROM targets t
        WHERE t.status = 'active'
          AND (EXISTS (SELECT 1 FROM outbox o WHERE o.target_id = t.id
                         AND ((o.state = 'pending' AND o.next_attempt_at <= ?1) OR (o.state = 'leased' AND o.lease_until < ?1)))
               OR t.watermark < (SELECT COALESCE(MAX(seq), 0) FROM changes)
               OR (t.sync_state IS NOT NULL AND json_extract(t.sync_state, '$.phase') != 'done'))`,
    )
    .bind(at)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** The error of the target's last failed run (what a crashing message kept hitting), if any. */
export async function lastRunError(db: D1Database, targetId: string): Promise<string | null> {
  const row = await db
    .prepare(`SELECT error FROM audit_events WHERE target_id = ? AND operation = 'run' AND outcome = 'failed' ORDER BY id DESC LIMIT 1`)
    .bind(targetId)
    .first<{ error: string | null }>();
  return row?.error ?? null;
}
