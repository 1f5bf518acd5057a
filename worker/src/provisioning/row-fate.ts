/**
 * What becomes of an outbox row and its link after a failure — decided from the POLICY table
 * alone, for the per-operation and the Bulk paths alike.
 */
import type { LinkUpdate } from '../db/links';
import { failOutbox, rescheduleOutbox, type OutboxRow } from '../db/outbox';
import { MAX_ATTEMPTS, POLICY, backoffSeconds, type Failure } from './failure';

const MAX_WAIT_SECONDS = 24 * 60 * 60;

export interface RowFate {
  outbox: D1PreparedStatement;
  link: LinkUpdate;
}

export function failureFate(db: D1Database, row: OutboxRow, failure: Failure, now: Date): RowFate {
  const failed: LinkUpdate = { state: 'failed', success: false, error: failure.message };
  switch (POLICY[failure.kind]) {
    case 'retry': {
      // Backoff with jitter; Retry-After wins; dead after the attempt limit.
      const attempt = row.attempts + 1;
      // A client that forgot to cap Retry-After must not make an Invalid Date: at most a day.
      const wait = Math.min(MAX_WAIT_SECONDS, failure.retryAfterSeconds ?? backoffSeconds(attempt));
      const retryAt = attempt >= MAX_ATTEMPTS ? null : new Date(now.getTime() + 1000 * (Number.isFinite(wait) ? wait : backoffSeconds(attempt)));
      return {
        outbox: rescheduleOutbox(db, row, retryAt, failure.message, now),
        link: { ...failed, state: retryAt ? 'pending' : 'failed', nextAttemptAt: retryAt?.toISOString() ?? null },
      };
    }
    case 'pause_target':
      // The row waits, its attempts untouched, until the admin fixes and resumes the target.
      return { outbox: failOutbox(db, row, 'pending', failure.message, now), link: failed };
    case 'fail':
    case 'reconcile':
      // Reconcile already happened inside sync (409 → link, 404 → match again); what is left
      // is a rejection to show to the admin, not retried until the resource changes.
      return { outbox: failOutbox(db, row, 'failed', failure.message, now), link: failed };
  }
}
