/**
 * Drains the outbox for targets in one mode. Rows are leased (never double-applied by
 * overlapping runs), processed with the target's concurrency and rate limit, and the run stops
 * within the invocation's budget (subrequests and wall time), releasing what it did not reach for
 * the next tick. Deactivations and deletions beyond the target's threshold are held.
 */
import type { ModeName, Target } from '../../../shared/src';
import { auditStatements, finishRun, startRun } from '../db/audit';
import { claimOutbox, releaseOutbox, type OutboxRow } from '../db/outbox';
import { holdDestructive } from '../db/hold';
import type { Env } from '../env';
import { preloadUsers, processBulkBatch } from './bulk-batch';
import { processRow } from './process-row';
import { createSyncContext } from './sync-context';
import type { Preloaded } from './sync-user';
import { listTargets, loadTargetSecret, markScheduled, pauseTarget } from './targets';

/** What one invocation may still spend; shared by the dispatches of one invocation. */
export interface Budget {
  /** outbound requests this invocation may still make (Workers: subrequest limit) */
  requests: number;
  /** Date.now() after which no new row is started */
  deadline: number;
}

/** A conservative default under the Workers paid plan's limits (1,000 subrequests; 30 s CPU). */
export const createBudget = (requests = 800, ms = 25_000): Budget => ({ requests, deadline: Date.now() + ms });

export interface DispatchOptions {
  mode: Exclude<ModeName, 'manual'>;
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
}

const LEASE_MS = 5 * 60_000;
const COMMIT_EVERY = 200;
/** requests one row may cost at most (match + create/link update) */
const REQUESTS_PER_ROW = 3;

function isDue(target: Target, mode: DispatchOptions['mode'], now: Date, force: boolean): boolean {
  if (target.status !== 'active' || !target.modes[mode].enabled) return false;
  if (mode !== 'scheduled' || force) return true;
  const last = target.lastScheduledAt;
  return !last || now.getTime() - Date.parse(last) >= target.modes.scheduled.intervalMinutes * 60_000;
}

export async function dispatch(env: Env, opts: DispatchOptions): Promise<RunSummary[]> {
  const now = opts.now ?? (() => new Date());
  const budget = opts.budget ?? createBudget();
  const deadline = budget.deadline;
  const summaries: RunSummary[] = [];
  const targets = (await listTargets(env)).filter((t) => (!opts.targetIds || opts.targetIds.includes(t.id)) && isDue(t, opts.mode, now(), opts.force ?? false));
  for (const target of targets) {
    if (budget.requests < REQUESTS_PER_ROW || Date.now() > deadline) break;
    const summary = await runTarget(env, target, opts, budget, deadline, now);
    summaries.push(summary);
    // A scheduled target whose run ran out of budget stays due: the next tick continues it.
    if (opts.mode === 'scheduled' && summary.drained) await markScheduled(env, target.id, now());
  }
  return summaries;
}

async function runTarget(env: Env, target: Target, opts: DispatchOptions, budget: Budget, deadline: number, now: () => Date): Promise<RunSummary> {
  const runId = await startRun(env.DB, target.id, opts.mode, now());
  const counts: Record<string, number> = {};
  const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  const secret = await loadTargetSecret(env, target.id);
  if (!secret) {
    await finishRun(env.DB, runId, counts, 'failed', now());
    return { runId, targetId: target.id, counts, drained: true };
  }
  const held = await holdDestructive(env.DB, target, now());
  if (held > 0) {
    counts.held = held;
    await env.DB.batch(
      auditStatements(env.DB, [
        { at: now().toISOString(), targetId: target.id, runId, resourceType: null, resourceId: null, operation: 'hold', method: null, path: null, httpStatus: null, durationMs: null, outcome: 'held', error: `${held} deactivation(s)/deletion(s) exceed the threshold of ${target.deletionThreshold}: held for approval.`, attributesChanged: null, dryRun: target.dryRun },
      ]),
    );
  }
  const operations = target.modes[opts.mode].operations;
  const interval = 1000 / target.rateLimitPerSecond;
  let nextStart = Date.now();
  let paused = false;
  let drained = false;
  // Rows' outcomes are committed together, a few hundred statements at a time: one D1 round
  // trip for many rows. A run that dies before a commit leaves its rows leased; they come back
  // after the lease and the match links what was already created — never a duplicate.
  const pending: D1PreparedStatement[] = [];
  const flush = async () => {
    while (pending.length > 0) await env.DB.batch(pending.splice(0, COMMIT_EVERY));
  };
  // Bulk where the target offers it: a claim can fill several Bulk requests.
  const bulkMax = target.capabilities?.bulk ? Math.max(1, Math.min(target.capabilities.bulkMaxOperations ?? 100, 1000)) : 0;
  while (!paused && budget.requests >= REQUESTS_PER_ROW && Date.now() < deadline) {
    // Larger claims keep the lanes busy (each claim costs a read, a batch match and a commit
    // in series); a new user costs about one request once matched in a batch.
    const limit = bulkMax > 1 ? Math.min(1000, bulkMax * target.concurrency) : Math.min(300, Math.floor(budget.requests / 2));
    const rows = await claimOutbox(env.DB, target.id, limit, now(), LEASE_MS);
    if (rows.length === 0) {
      drained = true;
      break;
    }
    counts.claimed = (counts.claimed ?? 0) + rows.length;
    let queue = [...rows];
    let preloaded = new Map<string, Preloaded>();
    if (bulkMax > 1 && rows.filter((r) => r.resourceType === 'User').length > 1) {
      const ctx = createSyncContext({ db: env.DB, target, token: secret.token, operations, runId, now, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
      const users = rows.filter((r) => r.resourceType === 'User');
      const result = await processBulkBatch(ctx, users, bulkMax);
      budget.requests -= ctx.requests;
      for (const [k, n] of Object.entries(result.counts)) counts[k] = (counts[k] ?? 0) + n;
      if (result.fatal) {
        paused = true;
        await pauseTarget(env, target.id, result.fatal.message, now());
      }
      queue = [...rows.filter((r) => r.resourceType !== 'User'), ...result.fallback];
    } else {
      const ctx = createSyncContext({ db: env.DB, target, token: secret.token, operations, runId, now, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
      preloaded = await preloadUsers(ctx, rows);
      budget.requests -= ctx.requests;
      pending.push(...auditStatements(env.DB, ctx.audit));
    }
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        if (paused || budget.requests < REQUESTS_PER_ROW || Date.now() > deadline) {
          await releaseOutbox(env.DB, row).run();
          continue;
        }
        // Rate limit: starts are spaced by 1/rate seconds across the workers.
        const wait = nextStart - Date.now();
        nextStart = Math.max(nextStart, Date.now()) + interval;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await runRow(row);
      }
    };
    const runRow = async (row: OutboxRow) => {
      const ctx = createSyncContext({ db: env.DB, target, token: secret.token, operations, runId, now, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
      const result = await processRow(ctx, row, preloaded.get(row.resourceId));
      budget.requests -= ctx.requests;
      pending.push(...result.statements);
      if (pending.length >= COMMIT_EVERY) await flush();
      count(result.outcome.ok ? result.outcome.action : `failed_${result.outcome.failure?.kind ?? 'unknown'}`);
      if (result.fatal && !paused) {
        paused = true;
        await pauseTarget(env, target.id, result.fatal.message, now());
      }
    };
    await Promise.all(Array.from({ length: Math.min(target.concurrency, queue.length) }, worker));
    await flush();
  }
  await finishRun(env.DB, runId, counts, paused ? 'failed' : 'done', now());
  return { runId, targetId: target.id, counts, drained: drained || paused };
}
