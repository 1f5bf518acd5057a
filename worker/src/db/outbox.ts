/**
 * The outbox's life cycle: the work queue of the engine. Rows are enqueued by the planner (the
 * change feed past a target's watermark, an initial sync's pages), leased (UPDATE … RETURNING,
 * so two overlapping runs never take the same row, and a crashed run's rows come back when the
 * lease expires), completed, rescheduled, failed or held.
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

/** ids per enqueue statement: they travel as one JSON array parameter (json_each), not 100 binds */
const ENQUEUE_CHUNK = 500;

/** How a resource enqueued again coalesces with its row (enqueueResources explains it); the SELECT ends in `WHERE …`. */
export const ENQUEUE_CONFLICT = `ON CONFLICT (target_id, resource_type, resource_id) DO UPDATE SET
           change_seq = max(outbox.change_seq, excluded.change_seq),
           state = CASE WHEN outbox.state = 'leased' THEN 'leased' ELSE 'pending' END,
           attempts = CASE WHEN outbox.state = 'leased' THEN outbox.attempts ELSE 0 END,
           next_attempt_at = CASE WHEN outbox.state = 'leased' THEN outbox.next_attempt_at ELSE excluded.next_attempt_at END,
           approved = CASE WHEN excluded.change_seq > outbox.change_seq THEN 0 ELSE outbox.approved END,
           last_error = CASE WHEN outbox.state = 'leased' THEN outbox.last_error ELSE NULL END,
           updated_at = excluded.updated_at`;

/**
 * Work for these resources of one target, as statements to commit with whatever advanced the
 * planner (the watermark, an initial sync's cursor) in one D1 batch. Rows coalesce on (target,
 * resource): the dispatcher reads the directory's current state, so the target gets the latest.
 * A leased row keeps its lease and takes the newer `seq`, so the run holding it redoes it; a
 * failed, dead or held row is pending again, due now. `seq` never moves a row's change_seq
 * backwards (an initial sync's page may come after a newer change was planned), and a row an
 * admin approved stays approved unless the resource changed again.
 */
export function enqueueResources(
  db: D1Database,
  targetId: string,
  resourceType: 'User' | 'Group',
  ids: readonly string[],
  seq: number,
  now: Date,
): D1PreparedStatement[] {
  const at = now.toISOString();
  return chunk(ids, ENQUEUE_CHUNK).map((part) =>
    db
      .prepare(
        `INSERT INTO outbox (target_id, resource_type, resource_id, state, change_seq, attempts, next_attempt_at, enqueued_at, updated_at)
         SELECT ?1, ?2, j.value, 'pending', ?3, 0, ?4, ?4, ?4 FROM json_each(?5) j WHERE true
         ${ENQUEUE_CONFLICT}`,
      )
      .bind(targetId, resourceType, seq, at, JSON.stringify(part)),
  );
}

/**
 * Leases up to `limit` due rows of one target, oldest first. `leasePrefix` (the run's id) lets
 * a run that crashes give back exactly the rows it holds (`releaseRunLeases`).
 */
export async function claimOutbox(db: D1Database, targetId: string, limit: number, now: Date, leaseMs: number, leasePrefix?: string): Promise<OutboxRow[]> {
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
    .bind(leasePrefix ? `${leasePrefix}.${crypto.randomUUID()}` : crypto.randomUUID(), new Date(now.getTime() + leaseMs).toISOString(), at, targetId, limit)
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
      .prepare(
        "UPDATE outbox SET state = 'pending', attempts = 0, lease_id = NULL, lease_until = NULL, next_attempt_at = ?, updated_at = ? WHERE id = ? AND lease_id = ?",
      )
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
        .prepare(
          "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_id = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_id = ?",
        )
        .bind(retryAt.toISOString(), error, at, row.id, row.leaseId)
    : db
        .prepare(
          "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, lease_id = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_id = ?",
        )
        .bind(error, at, row.id, row.leaseId);
}

/** Rejected by the target (or blocked on a paused target): kept, shown, not retried by itself. */
export function failOutbox(db: D1Database, row: OutboxRow, state: 'failed' | 'pending', error: string, now: Date, retryAt?: Date): D1PreparedStatement {
  const at = now.toISOString();
  return db
    .prepare(
      'UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ?, lease_id = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_id = ?',
    )
    .bind(state, error, (retryAt ?? now).toISOString(), at, row.id, row.leaseId);
}

/** Releases a lease untouched (the run ran out of budget before it got to the row). */
export function releaseOutbox(db: D1Database, row: OutboxRow): D1PreparedStatement {
  return db.prepare("UPDATE outbox SET state = 'pending', lease_id = NULL, lease_until = NULL WHERE id = ? AND lease_id = ?").bind(row.id, row.leaseId);
}

/**
 * A run that failed outside any row's own policy (a bug, a storage error, a header nobody could
 * parse) gives back every row it still holds: pending again after `retryAt`, with the reason,
 * instead of leased with no state and no word until the lease runs out.
 */
export function releaseRunLeases(db: D1Database, targetId: string, leasePrefix: string, error: string, retryAt: Date, now: Date): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE outbox SET state = 'pending', lease_id = NULL, lease_until = NULL, last_error = ?1, next_attempt_at = ?2, updated_at = ?3
        WHERE target_id = ?4 AND state = 'leased' AND substr(lease_id, 1, length(?5) + 1) = ?5 || '.'`,
    )
    .bind(error, retryAt.toISOString(), now.toISOString(), targetId, leasePrefix);
}

/**
 * Not done yet, through no failure: a group push waiting for its members' own rows. Pending
 * again at `retryAt` with the reason shown, its attempts untouched — waiting is not failing.
 */
export function deferOutbox(db: D1Database, row: OutboxRow, retryAt: Date, reason: string, now: Date): D1PreparedStatement {
  return db
    .prepare(
      "UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?, lease_id = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND lease_id = ?",
    )
    .bind(retryAt.toISOString(), reason, now.toISOString(), row.id, row.leaseId);
}

/**
 * Which of these users still have work queued for the target (pending, leased or held): a group
 * push waits for them. A user with no row, or a failed or dead one, is settled — linked or not.
 */
export async function usersStillQueued(db: D1Database, targetId: string, userIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const stmts = chunk(userIds, ENQUEUE_CHUNK).map((part) =>
    db
      .prepare(
        `SELECT resource_id AS id FROM outbox
          WHERE target_id = ?1 AND resource_type = 'User' AND state IN ('pending', 'leased', 'held')
            AND resource_id IN (SELECT value FROM json_each(?2))`,
      )
      .bind(targetId, JSON.stringify(part)),
  );
  if (stmts.length === 0) return out;
  for (const r of await db.batch<{ id: string }>(stmts)) for (const row of r.results) out.add(row.id);
  return out;
}

/**
 * One writer per (target, resource): the resource's row is upserted and leased as a whole, or
 * not at all. Null when another run holds it (or it is held for approval): `state` says which.
 */
export async function claimResource(
  db: D1Database,
  targetId: string,
  resourceType: 'User' | 'Group',
  resourceId: string,
  now: Date,
  leaseMs: number,
): Promise<{ row: OutboxRow } | { state: string }> {
  const at = now.toISOString();
  const [, claimed, current] = await db.batch<OutboxRow & { state: string }>([
    ...enqueueResources(db, targetId, resourceType, [resourceId], 0, now),
    db
      .prepare(
        `UPDATE outbox SET state = 'leased', lease_id = ?1, lease_until = ?2, updated_at = ?3
          WHERE target_id = ?4 AND resource_type = ?5 AND resource_id = ?6
            AND (state IN ('pending', 'failed', 'dead') OR (state = 'leased' AND lease_until < ?3))
          RETURNING ${COLUMNS}`,
      )
      .bind(crypto.randomUUID(), new Date(now.getTime() + leaseMs).toISOString(), at, targetId, resourceType, resourceId),
    db.prepare('SELECT state FROM outbox WHERE target_id = ? AND resource_type = ? AND resource_id = ?').bind(targetId, resourceType, resourceId),
  ]);
  const row = claimed!.results[0];
  return row ? { row } : { state: current!.results[0]?.state ?? 'gone' };
}

/** The next rows a target's run would take (pending, leased or held), oldest first: what "plan" decides. */
export async function queuedRows(
  db: D1Database,
  targetId: string,
  limit: number,
): Promise<{ id: number; resourceType: 'User' | 'Group'; resourceId: string; state: string }[]> {
  const { results } = await db
    .prepare(
      "SELECT id, resource_type AS resourceType, resource_id AS resourceId, state FROM outbox WHERE target_id = ? AND state IN ('pending', 'leased', 'held') ORDER BY id LIMIT ?",
    )
    .bind(targetId, limit)
    .all<{ id: number; resourceType: 'User' | 'Group'; resourceId: string; state: string }>();
  return results;
}
