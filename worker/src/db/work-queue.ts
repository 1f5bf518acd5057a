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

/**
 * Takes the target's run lease until `until` unless another consumer invocation holds one. One
 * UPDATE: D1 runs it alone, so two invocations cannot both take it. Telling "busy" from "gone"
 * costs a second read, only when the lease was not taken.
 */
export async function claimTargetRun(db: D1Database, targetId: string, now: Date, until: Date): Promise<'taken' | 'busy' | 'gone'> {
  const row = await db
    .prepare('UPDATE targets SET run_lease_until = ?1 WHERE id = ?2 AND (run_lease_until IS NULL OR run_lease_until < ?3) RETURNING id')
    .bind(until.toISOString(), targetId, now.toISOString())
    .first<{ id: string }>();
  if (row) return 'taken';
  return (await db.prepare('SELECT 1 AS found FROM targets WHERE id = ?').bind(targetId).first()) ? 'busy' : 'gone';
}

/** Gives the lease back, if it is still the one this invocation took. */
export async function releaseTargetRun(db: D1Database, targetId: string, until: Date): Promise<void> {
  await db.prepare('UPDATE targets SET run_lease_until = NULL WHERE id = ? AND run_lease_until = ?').bind(targetId, until.toISOString()).run();
}
