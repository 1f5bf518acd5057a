/**
 * The outbox's life cycle. Rows are created by the `changes_enqueue_outbox` trigger; here they
 * are leased (UPDATE … RETURNING, so two overlapping runs never take the same row, and a crashed
 * run's rows come back when the lease expires), completed, rescheduled, failed or held.
 */
import { MAX_PARAMS, chunk, placeholders } from './sql-helpers';

export interface OutboxRow {
  id: number;
  targetId: string;
  resourceType: 'User' | 'Group';
  resourceId: string;
  changeSeq: number;
  attempts: number;
  approved: number;
  leaseId: string;
}

const COLUMNS = `id, target_id AS targetId, resource_type AS resourceType, resource_id AS resourceId,
  change_seq AS changeSeq, attempts, approved, lease_id AS leaseId`;

/**
 * Puts resources on a target's queue, due now: work that does not come from a directory change
 * (a reconcile that found drift). Coalesces like the trigger: an existing row becomes pending
 * again; a row being worked on (leased) keeps its lease but gets a newer change_seq, so the
 * dispatcher redoes it once the current attempt completes. The ids travel as one JSON parameter
 * (json_each), so any number of them is one statement under D1's 100 bound parameters.
 */
export function enqueueResources(db: D1Database, targetId: string, resourceType: 'User' | 'Group', ids: readonly string[], seq: number, now: Date): D1PreparedStatement[] {
  if (ids.length === 0) return [];
  const at = now.toISOString();
  return [
    db
      .prepare(
        `INSERT INTO outbox (target_id, resource_type, resource_id, state, change_seq, attempts, next_attempt_at, enqueued_at, updated_at)
         SELECT ?1, ?2, value, 'pending', ?3, 0, ?4, ?4, ?4 FROM json_each(?5) WHERE true
         ON CONFLICT (target_id, resource_type, resource_id) DO UPDATE SET
           change_seq = CASE WHEN outbox.state = 'leased' AND outbox.change_seq >= excluded.change_seq THEN outbox.change_seq + 1 ELSE excluded.change_seq END,
           state = CASE WHEN outbox.state = 'leased' THEN 'leased' ELSE 'pending' END,
           attempts = CASE WHEN outbox.state = 'leased' THEN outbox.attempts ELSE 0 END,
           next_attempt_at = CASE WHEN outbox.state = 'leased' THEN outbox.next_attempt_at ELSE excluded.next_attempt_at END,
           last_error = CASE WHEN outbox.state = 'leased' THEN outbox.last_error ELSE NULL END,
           updated_at = excluded.updated_at`,
      )
      .bind(targetId, resourceType, seq, at, JSON.stringify(ids)),
  ];
}

/** Leases up to `limit` due rows of one target, oldest first. */
export async function claimOutbox(db: D1Database, targetId: string, limit: number, now: Date, leaseMs: number): Promise<OutboxRow[]> {
  const at = now.toISOString();
  const { results } = await db
    .prepare(
      `UPDATE outbox SET state = 'leased', lease_id = ?1, lease_until = ?2, updated_at = ?3
        WHERE id IN (SELECT id FROM outbox
                      WHERE target_id = ?4
                        AND ((state = 'pending' AND next_attempt_at <= ?3) OR (state = 'leased' AND lease_until < ?3))
                      ORDER BY id LIMIT ?5)
        RETURNING ${COLUMNS}`,
    )
    .bind(crypto.randomUUID(), new Date(now.getTime() + leaseMs).toISOString(), at, targetId, limit)
    .all<OutboxRow>();
  // All rows of one claim share a lease id; the RETURNING order is unspecified.
  return results.sort((a, b) => a.id - b.id);
}

/**
 * Done: the row goes, unless the resource changed again while we worked (its change_seq moved),
 * in which case it is pending again and the next run sends the newer state.
 */
export function completeOutbox(db: D1Database, row: OutboxRow, now: Date): D1PreparedStatement[] {
  const at = now.toISOString();
  return [
    db.prepare('DELETE FROM outbox WHERE id = ? AND lease_id = ? AND change_seq = ?').bind(row.id, row.leaseId, row.changeSeq),
    db
      .prepare("UPDATE outbox SET state = 'pending', attempts = 0, lease_id = NULL, lease_until = NULL, next_attempt_at = ?, updated_at = ? WHERE id = ? AND lease_id = ?")
      .bind(at, at, row.id, row.leaseId),
  ];
}

/**
 * `completeOutbox` for many rows in two statements per chunk: delete the rows whose change_seq
 * is still the one we sent, then put back to pending those that changed meanwhile (still there).
 * The dispatcher commits a few hundred rows at a time; statements, not rows, are D1's cost.
 */
export function completeOutboxMany(db: D1Database, rows: readonly OutboxRow[], now: Date): D1PreparedStatement[] {
  const at = now.toISOString();
  const out: D1PreparedStatement[] = [];
  const byLease = new Map<string, OutboxRow[]>();
  for (const r of rows) byLease.set(r.leaseId, [...(byLease.get(r.leaseId) ?? []), r]);
  for (const [leaseId, leased] of byLease) {
    // 2 parameters per row plus the lease id, under D1's 100.
    for (const part of chunk(leased, Math.floor((MAX_PARAMS - 3) / 2))) {
      out.push(
        db
          .prepare(`DELETE FROM outbox WHERE lease_id = ? AND (id, change_seq) IN (VALUES ${part.map(() => '(?, ?)').join(', ')})`)
          .bind(leaseId, ...part.flatMap((r) => [r.id, r.changeSeq])),
        db
          .prepare(
            `UPDATE outbox SET state = 'pending', attempts = 0, lease_id = NULL, lease_until = NULL, next_attempt_at = ?, updated_at = ?
              WHERE lease_id = ? AND id IN (${placeholders(part.length)})`,
          )
          .bind(at, at, leaseId, ...part.map((r) => r.id)),
      );
    }
  }
  return out;
}

/** Transient failure: try again at `retryAt`, or give up (dead) after the attempt limit. */
export function rescheduleOutbox(db: D1Database, row: OutboxRow, retryAt: Date | null, error: string, now: Date): D1PreparedStatement {
  const at = now.toISOString();
  return retryAt
    ? db
        .prepare("UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_id = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_id = ?")
        .bind(retryAt.toISOString(), error, at, row.id, row.leaseId)
    : db
        .prepare("UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, lease_id = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_id = ?")
        .bind(error, at, row.id, row.leaseId);
}

/** Rejected by the target (or blocked on a paused target): kept, shown, not retried by itself. */
export function failOutbox(db: D1Database, row: OutboxRow, state: 'failed' | 'pending', error: string, now: Date, retryAt?: Date): D1PreparedStatement {
  const at = now.toISOString();
  return db
    .prepare('UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ?, lease_id = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_id = ?')
    .bind(state, error, (retryAt ?? now).toISOString(), at, row.id, row.leaseId);
}

/** Releases a lease untouched (the run ran out of budget before it got to the row). */
export function releaseOutbox(db: D1Database, row: OutboxRow): D1PreparedStatement {
  return db.prepare("UPDATE outbox SET state = 'pending', lease_id = NULL, lease_until = NULL WHERE id = ? AND lease_id = ?").bind(row.id, row.leaseId);
}
