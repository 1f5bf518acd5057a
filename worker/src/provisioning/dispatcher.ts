/**
 * Drains the outbox for targets in one mode. Rows are leased (never double-applied by
 * overlapping runs), processed with the target's concurrency and rate limit, and the run stops
 * within the invocation's budget (subrequests, D1 queries and wall time, from the limits
 * profile: limits/budget.ts), releasing what it did not reach for the next tick. Each run starts
 * by planning (planner.ts); deactivations and deletions beyond the target's threshold over its
 * window are held. The due targets share the invocation's CPU (cpuShareOf), so each moves.
 */
import type { ModeName, Target } from '../../../shared/src';
import { auditStatements, finishRun, startRunStatement } from '../db/audit';
import { claimOutbox, releaseRunLeases } from '../db/outbox';
import { selectTarget } from '../db/targets';
import { creationHoldMessage, holdGuarded, holdMessage, type HoldCount } from '../db/hold';
import { scopeCondition } from './scope';
import type { Env } from '../env';
import { processBulkBatch } from './bulk-batch';
import type { Failure } from './failure';
import { createLanes, FINISH_QUERIES, LEASE_MS, REQUESTS_PER_ROW } from './lanes';
import { limitConcurrency } from './concurrency-limit';
import { catchUp, MAX_PAGES, QUERIES_PER_PAGE } from './planner';
import { createSyncContext } from './sync-context';
import { listSealedTargets, markScheduled, openTargetSecret, pauseTarget, type SealedTarget } from './targets';
import { type Budget, chargeCpu, cpuItemsLeft, createBudget, hasRoom, queriesLeft, requestsLeft, settle, withCpu } from '../limits/budget';
import { CPU_MS } from '../limits/cpu';
import { takingTurns } from '../cron-order';

export { type Budget, createBudget } from '../limits/budget';

type DispatchMode = Exclude<ModeName, 'manual'>;

export interface DispatchOptions {
  /** several: one dispatch runs the due targets of each (the cron's scheduled and automatic), sharing its CPU among them all */
  mode: DispatchMode | readonly DispatchMode[];
  targetIds?: string[];
  budget?: Budget;
  /** scheduled mode: ignore the interval (the admin's "run now", tests) */
  force?: boolean;
  now?: () => Date;
  fetch?: typeof fetch;
}

export interface RunSummary {
  runId: string;
  targetId: string;
  counts: Record<string, number>;
  /** the queue was emptied; false when the budget ran out first */
  drained: boolean;
  /** the planner read the change feed and any full pass to the end (false: the next run plans more) */
  caughtUp?: boolean;
}

export function isDue(target: Target, mode: DispatchMode, now: Date, force: boolean): boolean {
  if (mode !== 'scheduled' || force) return true;
  const last = target.lastScheduledAt;
  return !last || now.getTime() - Date.parse(last) >= target.modes.scheduled.intervalMinutes * 60_000;
}

/** A failed run is retried by the next tick, no sooner: a bug must not turn into a tight loop. */
const CRASH_RETRY_MS = 60_000;

/**
 * Every active target with the mode on is planned (its change feed and any full pass read into
 * its outbox); the due ones are run. Each target is isolated: whatever one does — a header
 * nobody can parse, an exception, a timeout — is recorded on its own run and rows, and the
 * next target runs as if nothing happened.
 */
export async function dispatch(env: Env, opts: DispatchOptions): Promise<RunSummary[]> {
  const now = opts.now ?? (() => new Date());
  const budget = opts.budget ?? createBudget(env, 'http');
  const deadline = budget.deadline;
  const summaries: RunSummary[] = [];
  const modes: readonly DispatchMode[] = typeof opts.mode === 'string' ? [opts.mode] : opts.mode;
  const targets = (await listSealedTargets(env, opts.targetIds)).filter(({ target: t }) => t.status === 'active' && modes.some((m) => t.modes[m].enabled));
  const due: DueRun[] = [];
  const caughtUp = new Map<string, boolean>();
  for (const [i, sealed] of targets.entries()) {
    const { target } = sealed;
    // What the invocation's queries allow, shared by the targets still to plan, after one run's worth.
    const pages = Math.min(MAX_PAGES, Math.floor((queriesLeft(budget) - RUN_QUERIES) / (QUERIES_PER_PAGE * (targets.length - i))));
    try {
      caughtUp.set(target.id, pages >= 1 ? (await catchUp(env.DB, target, now(), pages)).caughtUp : false);
    } catch (err) {
      console.error(JSON.stringify({ event: 'plan_failed', targetId: target.id, error: String(err) }));
      continue;
    }
    for (const mode of modes) if (target.modes[mode].enabled && isDue(target, mode, now(), opts.force ?? false)) due.push({ ...sealed, mode });
  }
  // Each mode's runs in the order of `modes` (the cron: scheduled, then automatic), as separate passes did.
  due.sort((a, b) => modes.indexOf(a.mode) - modes.indexOf(b.mode));
  // Fair shares first: a target with a long backlog (an initial sync) or a slow answer gets its
  // slice of the invocation's time and CPU, not all of it; what is left then goes to those not drained.
  const undrained: DueRun[] = [];
  for (const [i, run] of inTurn(due, budget, now()).entries()) {
    if (!canRun(budget)) break;
    const slice = Math.min(deadline, Date.now() + Math.max(MIN_SLICE_MS, (deadline - Date.now()) / (due.length - i)));
    const share = cpuShareOf(budget, due.length - i);
    const given = share.requests;
    const summary = await runOnce(env, run, opts, share, slice, now, summaries);
    settle(budget, share, given);
    if (!summary.drained) undrained.push(run);
  }
  for (const run of undrained) {
    if (!canRun(budget)) break;
    await runOnce(env, run, opts, budget, deadline, now, summaries);
  }
  return summaries.map((s) => ({ ...s, caughtUp: caughtUp.get(s.targetId) ?? true }));
}

/**
 * D1 queries a target's run needs to get anywhere: start the run, check the
 * deletion hold, claim, preload, commit and finish (the Free plan's 50 go fast).
 */
export const RUN_QUERIES = 12;
/**
 * Whether a run would get anywhere: a row's requests and a run's D1 queries before the deadline,
 * and the CPU of a run's fixed part and a row (limits/cpu.ts). Spent CPU does not come back within the invocation: a run
 * started without it would claim nothing and only write an empty run for the admin to read.
 */
export const canRun = (budget: Budget): boolean => hasRoom(budget, REQUESTS_PER_ROW, RUN_QUERIES) && cpuItemsLeft(budget, RUN_WITH_A_ROW_MS) >= 1;
/** The CPU a run needs to move anything by the cost model: its fixed part and one row (Free: 5.9 of a consumer invocation's 8). */
const RUN_WITH_A_ROW_MS = CPU_MS.targetRun + CPU_MS.outboundRow;
/**
 * A due target's share of the invocation's CPU in the first pass: an equal part of what the
 * targets still to run have left (what one leaves goes on to the next) — among as many of them as
 * the CPU left holds a run of (its fixed part and a row: limits/cpu.ts), so no share is too small
 * to move anything. On Free a dispatch's 8 ms hold one run (5.9): the due targets take turns, one
 * further each minute (inTurn). On Paid a share is thousands of rows, so requests, D1 queries and
 * time still stop a run first.
 */
const cpuShareOf = (budget: Budget, targetsLeft: number): Budget =>
  withCpu(budget, (budget.cpuMs ?? 0) / Math.max(1, Math.min(targetsLeft, cpuItemsLeft(budget, RUN_WITH_A_ROW_MS))));

/**
 * The due targets in the order they run. When the invocation's CPU holds fewer runs than there
 * are due targets (on Free, more than one), the first ones in the list would run every time
 * and the last never: the turn then starts one target further each minute, so every due target
 * is first in its turn.
 */
function inTurn(due: DueRun[], budget: Budget, at: Date): DueRun[] {
  return cpuItemsLeft(budget, RUN_WITH_A_ROW_MS) >= due.length ? due : takingTurns(due, at);
}

/** a claim, the preload of its users and links */
const CLAIM_QUERIES = 4;

/** no slice shorter than this: a run needs a claim and a few requests to get anywhere */
const MIN_SLICE_MS = 2_000;

/** What one run of a target is given: the dispatch's options, in the one mode it runs. */
type RunOptions = Omit<DispatchOptions, 'mode'> & { mode: DispatchMode };

/** A due target (its token still sealed) and the mode it runs in. */
interface DueRun extends SealedTarget {
  mode: DispatchMode;
}

async function runOnce(
  env: Env,
  run: DueRun,
  opts: DispatchOptions,
  budget: Budget,
  deadline: number,
  now: () => Date,
  summaries: RunSummary[],
): Promise<RunSummary> {
  const { target, mode } = run;
  const summary = await runTarget(env, run, { ...opts, mode }, budget, deadline, now);
  summaries.push(summary);
  // A scheduled target whose run ran out of budget stays due: the next tick continues it.
  if (mode === 'scheduled' && summary.drained) await markScheduled(env, target.id, now()).catch(() => undefined);
  return summary;
}

/** One target's run in one mode; a crash ends the run as failed and gives its rows back with the reason. */
async function runTarget(env: Env, sealed: SealedTarget, opts: RunOptions, budget: Budget, deadline: number, now: () => Date): Promise<RunSummary> {
  const { target } = sealed;
  // The run starts in the batch that counts its guards (drainTarget): one round trip fewer.
  const runId = crypto.randomUUID();
  // Its fixed part, whatever it goes on to send (limits/cpu.ts).
  chargeCpu(budget, CPU_MS.targetRun);
  const counts: Record<string, number> = {};
  try {
    return await drainTarget(env, sealed, opts, budget, deadline, now, runId, counts);
  } catch (err) {
    // An admin deleted the target during the run: its rows and links went with it (ON DELETE
    // CASCADE), so the run's next write failed on the foreign key. Not a crash: the run (history,
    // like the audit events it wrote) ends saying so, and nothing is released or audited for a
    // target that no longer exists.
    if (
      await selectTarget(env.DB, target.id).then(
        (row) => row === undefined,
        () => false,
      )
    ) {
      console.log(JSON.stringify({ event: 'run_target_deleted', targetId: target.id, runId }));
      counts.targetDeleted = 1;
      await finishRun(env.DB, runId, counts, 'failed', now()).catch(() => undefined);
      return { runId, targetId: target.id, counts, drained: true };
    }
    const error = `The run stopped on an internal error: ${String(err)}`;
    console.error(JSON.stringify({ event: 'run_failed', targetId: target.id, runId, error: String(err), stack: (err as Error).stack }));
    counts.crashed = 1;
    const at = now();
    await env.DB.batch([
      releaseRunLeases(env.DB, target.id, runId, error, new Date(at.getTime() + CRASH_RETRY_MS), at),
      ...auditStatements(env.DB, [
        {
          at: at.toISOString(),
          targetId: target.id,
          runId,
          resourceType: null,
          resourceId: null,
          operation: 'run',
          method: null,
          path: null,
          httpStatus: null,
          durationMs: null,
          outcome: 'failed',
          error,
          attributesChanged: null,
          dryRun: target.dryRun,
        },
      ]),
    ]).catch((e) => console.error(JSON.stringify({ event: 'release_failed', targetId: target.id, runId, error: String(e) })));
    await finishRun(env.DB, runId, counts, 'failed', now()).catch(() => undefined);
    return { runId, targetId: target.id, counts, drained: true };
  }
}

async function drainTarget(
  env: Env,
  sealed: SealedTarget,
  opts: RunOptions,
  budget: Budget,
  deadline: number,
  now: () => Date,
  runId: string,
  counts: Record<string, number>,
): Promise<RunSummary> {
  const { target } = sealed;
  const operations = target.modes[opts.mode].operations;
  const scope = scopeCondition(target.scope, target.id, 'u.id');
  const held = await holdGuarded(env.DB, target, scope, now(), operations.create, [startRunStatement(env.DB, runId, target.id, opts.mode, now())]);
  // The token of the row the dispatch listed, not read again: a target deleted since has no rows
  // left to claim (ON DELETE CASCADE), so its run ends drained having sent nothing.
  const token = await openTargetSecret(env, sealed);
  await recordHold(env, target, runId, counts, now, held.destructive, holdMessage);
  if (held.creations) await recordHold(env, target, runId, counts, now, held.creations, creationHoldMessage);
  // Every request of the run (lanes, batch matches, Bulk) shares the target's concurrency.
  const limited = limitConcurrency(opts.fetch ?? ((input, init) => fetch(input, init)), Math.max(1, target.concurrency));
  const context = () => createSyncContext({ db: env.DB, target, token, operations, runId, now, fetch: limited });
  const pause = async (failure: Failure) => {
    if (paused) return;
    paused = true;
    await pauseTarget(env, target.id, failure.message, now());
  };
  let paused = false;
  let drained = false;
  // Bulk where the target offers it: a claim can fill several Bulk requests.
  const bulkMax = target.capabilities?.bulk ? Math.max(1, Math.min(target.capabilities.bulkMaxOperations ?? 100, 1000)) : 0;
  const lanes = createLanes(env, target, budget, deadline, counts, runId);
  while (!paused && hasRoom(budget, REQUESTS_PER_ROW, FINISH_QUERIES + CLAIM_QUERIES) && Date.now() < deadline) {
    if (bulkMax <= 1) {
      // Per operation: one stream of rows, refilled before it runs dry.
      const result = await lanes.run(context, now);
      if (result.fatal) await pause(result.fatal);
      drained = result.drained;
      break;
    }
    // As many rows as the requests left allow at two each, as the lanes claim, and the CPU left
    // provisions (limits/cpu.ts; Free: 6 an invocation, after the run's fixed part).
    const fit = Math.min(1000, bulkMax * target.concurrency, Math.floor(requestsLeft(budget) / 2), cpuItemsLeft(budget, CPU_MS.outboundRow));
    if (fit < 1) break;
    const rows = await claimOutbox(env.DB, target.id, fit, now(), LEASE_MS, runId);
    if (rows.length === 0) {
      drained = true;
      break;
    }
    counts.claimed = (counts.claimed ?? 0) + rows.length;
    chargeCpu(budget, rows.length * CPU_MS.outboundRow);
    let queue = rows;
    const users = rows.filter((r) => r.resourceType === 'User');
    if (users.length > 1) {
      const ctx = context();
      const result = await processBulkBatch(ctx, users, bulkMax);
      budget.requests -= ctx.requests;
      for (const [k, n] of Object.entries(result.counts)) counts[k] = (counts[k] ?? 0) + n;
      if (result.fatal) await pause(result.fatal);
      queue = [...rows.filter((r) => r.resourceType !== 'User'), ...result.fallback];
    }
    // Groups, and what Bulk could not settle, one at a time.
    const result = await lanes.run(context, now, queue);
    if (result.fatal) await pause(result.fatal);
  }
  await finishRun(env.DB, runId, counts, paused ? 'failed' : 'done', now());
  return { runId, targetId: target.id, counts, drained: drained || paused };
}

/** Rows a threshold held: one audit event for the decision, and one per resource so each user's status says it is held. */
async function recordHold(
  env: Env,
  target: Target,
  runId: string,
  counts: Record<string, number>,
  now: () => Date,
  hold: HoldCount,
  message: (target: Target, hold: HoldCount) => string,
): Promise<void> {
  if (hold.held === 0) return;
  counts.held = (counts.held ?? 0) + hold.held;
  const at = now().toISOString();
  const error = message(target, hold);
  const event = (resourceType: string | null, resourceId: string | null) => ({
    at,
    targetId: target.id,
    runId,
    resourceType,
    resourceId,
    operation: 'hold',
    method: null,
    path: null,
    httpStatus: null,
    durationMs: null,
    outcome: 'held',
    error,
    attributesChanged: null,
    dryRun: target.dryRun,
  });
  await env.DB.batch(auditStatements(env.DB, [event(null, null), ...(hold.resources ?? []).map((r) => event(r.resourceType, r.resourceId))]));
}
