/**
 * Every outbound failure has a name and a policy (DESIGN.md). `classify()` (scim-client) names
 * it once; the dispatcher decides what to do from this table alone.
 */
import type { FailureKind } from '../../../shared/src/provisioning';

export interface Failure {
  kind: FailureKind;
  /** HTTP status when the target answered */
  status?: number;
  /** what an admin reads: the target's own message where it gave one, never a secret */
  message: string;
  /** Retry-After, in seconds, for 429 / 503 */
  retryAfterSeconds?: number;
}

export type Policy =
  /** retry with backoff and jitter (Retry-After wins) until the attempt limit, then dead */
  | 'retry'
  /** failed with the target's message; not retried until the resource changes or an admin retries */
  | 'fail'
  /** the target is paused and flagged; the row waits for the target to be fixed */
  | 'pause_target'
  /** re-read and act again (409 on create: link; 404 on update: create; 412 on update: retry once at the version read) */
  | 'reconcile';

export const POLICY: Record<FailureKind, Policy> = {
  transient: 'retry',
  rejected: 'fail',
  fatal: 'pause_target',
  conflict: 'reconcile',
  not_found: 'reconcile',
  precondition_failed: 'reconcile',
};

export const MAX_ATTEMPTS = 8;

/** Exponential backoff with full jitter: 30 s, 1 min, 2 min … capped at 1 h. */
export function backoffSeconds(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(3600, 30 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
