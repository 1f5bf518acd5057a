/**
 * A reconcile run's state as stored in `targets.reconcile_state`: parsed at the edge (a value
 * from an older release reads as "no run"), created fresh, and judged: in progress, leased.
 */
import { reconcileStateSchema, type ReconcileState, type Target } from '../../../../shared/src';

export function parseState(text: string | null): ReconcileState | null {
  if (!text) return null;
  try {
    const parsed = reconcileStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    // Not JSON: stored by something else; a new run replaces it.
    return null;
  }
}

/** Repairs go through the mode that drains the queue: automatic where it is on, else scheduled. */
export function repairModeOf(target: Target): ReconcileState['repairMode'] {
  if (target.modes.automatic.enabled) return 'automatic';
  if (target.modes.scheduled.enabled) return 'scheduled';
  return null;
}

export function freshState(target: Target, trigger: ReconcileState['trigger'], now: Date): ReconcileState {
  return {
    runId: crypto.randomUUID(),
    phase: 'users',
    cursor: null,
    trigger,
    listing: 'paged',
    pageSize: null,
    counts: { requests: 0, users: 0, groups: 0, unlinked: 0, invocations: 0, retries: 0 },
    found: {},
    queued: {},
    unrepaired: {},
    fixed: {},
    repairMode: repairModeOf(target),
    startedAt: now.toISOString(),
    finishedAt: null,
    error: null,
    leaseUntil: null,
  };
}

export const inProgress = (s: ReconcileState | null): s is ReconcileState => s !== null && s.phase !== 'done' && s.phase !== 'failed';

export const isLeased = (s: ReconcileState, now: Date) => s.leaseUntil !== null && Date.parse(s.leaseUntil) > now.getTime();
