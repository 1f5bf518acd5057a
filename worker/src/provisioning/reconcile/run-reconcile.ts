/**
 * A reconcile run for one target (issue #9 item 4), level-triggered like a Kubernetes
 * controller: it observes the target and records what it holds as the links' last-confirmed
 * state; the sync engine then sees the difference from desired state and repairs it. Phases:
 * users (paged listing) → verify (GET by id for linked accounts the listing missed) → groups
 * (members or Drupal roles) → repair (queue the drift, let the engine drain it) → done.
 *
 * A run spans invocations: each takes the run with a compare-and-swap lease, works within its
 * budget and commits after every page, so the cron (or the next POST) continues where it left.
 */
import type { ReconcileState } from '../../../../shared/src';
import { auditStatements } from '../../db/audit';
import { clearRunStatements, driftStatement, loadReconcileRow, saveReconcileState, swapReconcileState } from '../../db/reconcile';
import type { Env } from '../../env';
import { type Budget, createBudget } from '../../limits/budget';
import { CPU_MS, pageWithin } from '../../limits/cpu';
import { MAX_ATTEMPTS, POLICY, type Failure } from '../failure';
import { loadTargetSecret, pauseTarget } from '../targets';
import { hasBudget, type ReconcileContext } from './context';
import { observeGroups } from './observe-groups';
import { observeUsers } from './observe-users';
import { countFixed, repair } from './repair';
import { freshState, inProgress, isLeased, parseState } from './state';
import { createTargetLister } from './target-lister';
import type { StepResult } from './verify-missing';
import { verifyMissingUsers } from './verify-missing';

export interface ReconcileOptions {
  trigger?: ReconcileState['trigger'];
  /** abandon a run in progress and start over */
  restart?: boolean;
  budget?: Budget;
  now?: () => Date;
  fetch?: typeof fetch;
}

/** How long an invocation holds a run beyond its own deadline before another may take it over. */
const LEASE_GRACE_MS = 60_000;

/** Starts or continues the target's run; null when there is no such target. */
export async function reconcileTarget(env: Env, targetId: string, opts: ReconcileOptions = {}): Promise<ReconcileState | null> {
  const now = opts.now ?? (() => new Date());
  const budget = opts.budget ?? createBudget(env, 'http');
  const [secret, row] = await Promise.all([loadTargetSecret(env, targetId), loadReconcileRow(env.DB, targetId)]);
  if (!secret || !row) return null;
  const stored = parseState(row.state);
  if (inProgress(stored) && isLeased(stored, now()) && !opts.restart) return stored;
  const fresh = opts.restart || !inProgress(stored);
  const state = fresh ? freshState(secret.target, opts.trigger ?? 'manual', now()) : stored;
  state.leaseUntil = new Date(Math.max(budget.deadline, Date.now()) + LEASE_GRACE_MS).toISOString();
  state.counts.invocations++;
  if (!(await swapReconcileState(env.DB, targetId, row.state, JSON.stringify(state))))
    return parseState((await loadReconcileRow(env.DB, targetId))?.state ?? null);
  if (fresh) await env.DB.batch(clearRunStatements(env.DB, targetId));

  const ctx: ReconcileContext = {
    env,
    db: env.DB,
    target: secret.target,
    state,
    operations: null,
    budget,
    now,
    audit: [],
    drift: [],
    lister: undefined as never,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };
  ctx.operations = state.repairMode ? secret.target.modes[state.repairMode].operations : null;
  ctx.lister = createTargetLister(
    secret.target,
    secret.token,
    {
      onRequest(r) {
        state.counts.requests++;
        budget.requests--;
        // A 404 to the read of one account or group is the answer verify asks for (it is gone), not a failure.
        const failure = r.failure && !(r.failure.kind === 'not_found' && r.method === 'GET' && !r.path.includes('?')) ? r.failure : undefined;
        ctx.audit.push({
          at: now().toISOString(),
          targetId,
          runId: state.runId,
          resourceType: null,
          resourceId: null,
          operation: 'reconcile',
          method: r.method,
          path: r.path,
          httpStatus: r.status ?? null,
          durationMs: Math.round(r.durationMs),
          outcome: failure ? failure.kind : 'ok',
          error: failure?.message ?? null,
          attributesChanged: null,
          dryRun: false,
        });
      },
    },
    opts.fetch,
  );

  await work(ctx);
  state.leaseUntil = null;
  await commit(ctx, [], state.phase === 'done' || state.phase === 'failed');
  return state;
}

/** Steps until the run is over, the budget is spent or a read failed. */
async function work(ctx: ReconcileContext): Promise<void> {
  const { state } = ctx;
  // a users step compares a whole page: it starts only while one fits the CPU left
  while (inProgress(state) && hasBudget(ctx, state.phase === 'users' ? (state.pageSize ?? 1) : 1)) {
    if (state.phase === 'repair') {
      if (!(await repair(ctx))) return;
      await finish(ctx);
      return;
    }
    const step = await guarded(ctx, () => nextStep(ctx));
    if (step.failure) {
      await fail(ctx, step.failure);
      await commit(ctx, step.stmts, false);
      return;
    }
    state.counts.retries = 0;
    state.error = null;
    if (step.done) advance(ctx);
    await commit(ctx, step.stmts, false);
  }
}

/**
 * A step that throws (a bug, a D1 failure) leaves no half-counted drift behind: the run's
 * state goes back to where the step began, and the failure is transient (retried next time).
 */
async function guarded(ctx: ReconcileContext, run: () => Promise<StepResult>): Promise<StepResult> {
  const before = structuredClone(ctx.state);
  try {
    return await run();
  } catch (err) {
    console.error(JSON.stringify({ event: 'reconcile_error', targetId: ctx.target.id, phase: before.phase, error: String(err) }));
    const sent = ctx.state.counts.requests;
    Object.assign(ctx.state, before);
    ctx.state.counts.requests = sent;
    ctx.drift = [];
    return { stmts: [], done: false, failure: { kind: 'transient', message: `Internal error while reconciling: ${String(err)}` } };
  }
}

async function nextStep(ctx: ReconcileContext): Promise<StepResult> {
  const { state, lister } = ctx;
  switch (state.phase) {
    case 'users': {
      if (state.pageSize === null) {
        const size = await lister.pageSize();
        if (!size.ok) return { stmts: [], done: false, failure: size.failure };
        // pages the run's first budget can compare (limits/cpu.ts): smaller on Free, kept for the run
        state.pageSize = pageWithin(ctx.budget.cpuMs, CPU_MS.reconciledUser, size.value);
        if (!hasBudget(ctx)) return { stmts: [], done: false };
      }
      const page = await lister.users(state.cursor, state.pageSize);
      // A target that will not list (RFC 7644 §3.4.2 makes a filterless GET optional in practice:
      // 400, 404 or 501 there) is reconciled by reading each linked account and group by id.
      if (!page.ok && state.cursor === null && (page.failure.kind === 'rejected' || page.failure.kind === 'not_found')) {
        state.listing = 'by-id';
        return { stmts: [], done: true };
      }
      if (!page.ok) return { stmts: [], done: false, failure: page.failure };
      const stmts = await observeUsers(ctx, page.value.items);
      state.cursor = page.value.next;
      return { stmts, done: page.value.next === null };
    }
    case 'verify':
      return verifyMissingUsers(ctx);
    case 'groups':
      return ctx.target.pushGroups ? observeGroups(ctx) : { stmts: [], done: true };
    default:
      return { stmts: [], done: true };
  }
}

function advance(ctx: ReconcileContext): void {
  const order: ReconcileState['phase'][] = ['users', 'verify', 'groups', 'repair'];
  ctx.state.phase = order[order.indexOf(ctx.state.phase) + 1] ?? 'repair';
  ctx.state.cursor = null;
}

/** POLICY decides: transient reads are retried by the next invocation; fatal pauses the target; the rest ends the run. */
async function fail(ctx: ReconcileContext, failure: Failure): Promise<void> {
  const { state } = ctx;
  state.error = failure.message;
  const policy = POLICY[failure.kind];
  if (policy === 'retry' && ++state.counts.retries < MAX_ATTEMPTS) return;
  if (policy === 'pause_target') await pauseTarget(ctx.env, ctx.target.id, failure.message, ctx.now());
  state.phase = 'failed';
  state.finishedAt = ctx.now().toISOString();
}

async function finish(ctx: ReconcileContext): Promise<void> {
  ctx.state.fixed = await countFixed(ctx);
  ctx.state.phase = 'done';
  ctx.state.cursor = null;
  ctx.state.finishedAt = ctx.now().toISOString();
}

/** One D1 batch per step: the page's link changes, its drift, its audit events and the run's state. */
async function commit(ctx: ReconcileContext, stmts: D1PreparedStatement[], over: boolean): Promise<void> {
  const all = [...stmts];
  if (ctx.drift.length > 0) all.push(driftStatement(ctx.db, ctx.target.id, ctx.drift, ctx.now()));
  all.push(...auditStatements(ctx.db, ctx.audit));
  if (over) all.push(ctx.db.prepare('DELETE FROM reconcile_seen WHERE target_id = ?').bind(ctx.target.id));
  all.push(saveReconcileState(ctx.db, ctx.target.id, JSON.stringify(ctx.state), over ? (ctx.state.finishedAt ?? ctx.now().toISOString()) : undefined));
  await ctx.db.batch(all);
  ctx.drift = [];
  ctx.audit = [];
}
