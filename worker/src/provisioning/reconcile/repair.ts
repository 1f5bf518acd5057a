/**
 * The repair phase: reconcile does not write to the target itself. The drift it recorded (links
 * and pushed memberships now say what the target holds) goes on the target's queue — users
 * before groups, so recreated members exist when their groups are pushed — and the sync engine
 * converges it in the mode that drains the queue. The phase ends when none of it is queued any
 * more; "fixed" then counts what is in sync.
 */
import { enqueueResources } from '../../db/outbox';
import { fixedPerKind, pendingRepairs, repairableIds } from '../../db/reconcile';
import { hasRoom, keepingBack, settle } from '../../limits/budget';
import { dispatch, RUN_QUERIES } from '../dispatcher';
import type { ReconcileContext } from './context';

/** D1 queries of a repair's steps: queue one type's drift (its ids, the feed's head, the batch), count what is still queued. */
const ENQUEUE_QUERIES = 3;
const PENDING_QUERIES = 1;
/**
 * D1 queries the repair may still make after a drain: what is still queued, the groups' enqueue,
 * what is queued again (twice) and the fixed counts. A drain given the whole budget spent the
 * Free plan's 50 and the reconcile invocation then failed on its own bookkeeping.
 */
const AFTER_DRAIN_QUERIES = PENDING_QUERIES + ENQUEUE_QUERIES + 2 * PENDING_QUERIES + 1;

/** cursor of the repair phase: which resource type's drift is on the queue */
const STAGES = { users: 'users-queued', groups: 'groups-queued' } as const;

/**
 * True when the repair is over (nothing of it left queued). Users go first and are drained
 * before the groups are queued: a group pushed in the same claim as its recreated member would
 * find the member without a remote account yet and leave it out. Each step runs only while its
 * queries fit (the cron gives reconcile a quarter of what is left); the cursor keeps where it
 * got to, and the next invocation goes on from there.
 */
export async function repair(ctx: ReconcileContext): Promise<boolean> {
  const mode = ctx.state.repairMode;
  if (mode === null || ctx.target.dryRun) return true;
  const fits = (queries: number) => hasRoom(ctx.budget, 0, queries);
  if (ctx.state.cursor !== STAGES.users && ctx.state.cursor !== STAGES.groups) {
    if (!fits(ENQUEUE_QUERIES)) return false;
    await enqueue(ctx, 'User');
    ctx.state.cursor = STAGES.users;
  }
  const drain = async () => {
    if (!hasRoom(ctx.budget, 1, AFTER_DRAIN_QUERIES + RUN_QUERIES)) return;
    const budget = keepingBack(ctx.budget, AFTER_DRAIN_QUERIES);
    await dispatch(ctx.env, { mode, targetIds: [ctx.target.id], force: true, budget, now: ctx.now, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) });
    settle(ctx.budget, budget, ctx.budget.requests);
  };
  /** Drains this stage's drift if any is queued; true when none is left. */
  const drained = async () => {
    if (!fits(PENDING_QUERIES)) return false;
    if ((await pendingRepairs(ctx.db, ctx.target.id)) === 0) return true;
    await drain();
    return fits(PENDING_QUERIES) && (await pendingRepairs(ctx.db, ctx.target.id)) === 0;
  };
  if (ctx.state.cursor === STAGES.users) {
    if (!(await drained()) || !fits(ENQUEUE_QUERIES)) return false;
    await enqueue(ctx, 'Group');
    ctx.state.cursor = STAGES.groups;
  }
  // finish() then counts what is fixed: one query more.
  return (await drained()) && fits(1);
}

async function enqueue(ctx: ReconcileContext, type: 'User' | 'Group'): Promise<void> {
  const [ids, seq] = await Promise.all([
    repairableIds(ctx.db, ctx.target.id, type),
    ctx.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM changes').first<{ seq: number }>(),
  ]);
  // One past the feed's head: a row a run holds right now is redone after it (the planner's
  // max(change_seq) would otherwise let that run complete it without the repair).
  const stmts = enqueueResources(ctx.db, ctx.target.id, type, ids, (seq?.seq ?? 0) + 1, ctx.now());
  if (stmts.length > 0) await ctx.db.batch(stmts);
}

export const countFixed = (ctx: ReconcileContext) => fixedPerKind(ctx.db, ctx.target.id);
