/**
 * What one reconcile invocation works with: the target, its lister, the run's state, the
 * operations repairs may use, the budget, and the audit events of its reads. Drift is recorded
 * here, counted per kind as found and as queued (repairable) or unrepaired.
 */
import type { DriftKind, Operations, ReconcileState, Target } from '../../../../shared/src';
import type { AuditEvent } from '../../db/audit';
import type { DriftRow } from '../../db/reconcile';
import type { Env } from '../../env';
import { type Budget, chargeCpu, cpuFits, cpuItemsLeft, cpuUntouched, hasRoom } from '../../limits/budget';
import { CPU_MS } from '../../limits/cpu';
import type { TargetLister } from './target-lister';

export interface ReconcileContext {
  env: Env;
  db: D1Database;
  target: Target;
  lister: TargetLister;
  state: ReconcileState;
  /** the operations of the mode repairs go through; null: no mode drains the queue, nothing is repaired */
  operations: Operations | null;
  budget: Budget;
  now: () => Date;
  fetch?: typeof fetch;
  audit: AuditEvent[];
  /** drift found since the last commit */
  drift: DriftRow[];
}

/** The operation a kind's repair needs (DESIGN.md: the operations each mode allows). */
const NEEDS: Record<DriftKind, keyof Operations> = {
  deleted: 'create',
  groupDeleted: 'create',
  attributes: 'update',
  deactivated: 'update',
  members: 'update',
  roles: 'update',
};

/** Whether the repair of `kind` may change anything: its operation is on and the target is not in dry-run. */
export const canRepair = (ctx: ReconcileContext, kind: DriftKind): boolean => !ctx.target.dryRun && ctx.operations !== null && ctx.operations[NEEDS[kind]];

export function recordDrift(
  ctx: ReconcileContext,
  resourceType: 'User' | 'Group',
  resourceId: string,
  kind: DriftKind,
  detail: string,
  repairable = canRepair(ctx, kind),
): boolean {
  ctx.drift.push({ resourceType, resourceId, kind, detail, repairable });
  bump(ctx.state.found, kind);
  bump(repairable ? ctx.state.queued : ctx.state.unrepaired, kind);
  return repairable;
}

const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

/** D1 queries a reconcile step may make: its page's reads of links and the commit of what it found */
export const STEP_QUERIES = 4;

/**
 * Whether the invocation may send one more request, commit what it reads, and compare `items`
 * more accounts within its CPU by the cost model — whatever they cost while none of its CPU is
 * spent (cpuUntouched), so every invocation gets somewhere, once: a second target the cron
 * reconciles in the same invocation waits for the next.
 */
export const hasBudget = (ctx: ReconcileContext, items = 1) => hasRoom(ctx.budget, 1, STEP_QUERIES) && cpuFits(ctx.budget, CPU_MS.reconciledUser, items);

/** How many accounts the next read may bring back for comparison: `most`, fewer when the CPU left holds fewer (never none). */
export const comparableNow = (ctx: ReconcileContext, most: number): number =>
  Math.max(1, Math.min(most, cpuUntouched(ctx.budget) ? most : cpuItemsLeft(ctx.budget, CPU_MS.reconciledUser)));

/** Charges the CPU of `n` comparisons. */
export function chargeCompared(ctx: ReconcileContext, n: number): void {
  chargeCpu(ctx.budget, n * CPU_MS.reconciledUser);
}
