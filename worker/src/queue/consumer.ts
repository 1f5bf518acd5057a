/**
 * The work queue's consumer (README "Queues"). Each invocation takes a batch, runs each distinct
 * piece of work in it once — the existing dispatcher for a target (planning, leases, lanes, the
 * target's concurrency and rate limit), or the importer for a source — within the invocation's own
 * budget, and then:
 *
 * - acks, and sends a follow-up message when work is left: at once when the budget ran out
 *   before the outbox (or the import, or the planner) was done (a continuation); after the delay
 *   the earliest waiting row asks for when rows wait on Retry-After or backoff;
 * - retries (after the consumer's retry_delay) when the run crashed, so a message that keeps crashing reaches the
 *   dead-letter queue after `max_retries` (wrangler.toml) and is recorded there (dead-letters.ts).
 *
 * Follow-ups are new messages, not `retry()`: a long initial sync or a target asking to wait
 * must not use up the attempts that only crashes should count.
 */
import type { Env } from '../env';
import { claimTargetRun, nextDueAt, releaseTargetRun } from '../db/work-queue';
import { type Budget, createBudget } from '../limits/budget';
import { canRun, dispatch } from '../provisioning/dispatcher';
import { automaticTargetIds } from '../provisioning/targets';
import { changedDirectory } from '../sources/import-run';
import { runImports } from '../sources/importer';
import { recordDeadLetters } from './dead-letters';
import { enqueueWork, targetMessage, workKey, workMessageSchema, workQueueOf, type WorkMessage } from './messages';

/** A dead-letter queue is named after its queue with "-dlq" (wrangler.toml). */
export const isDeadLetterQueue = (queue: string): boolean => queue.endsWith('-dlq');

export class WorkCrashed extends Error {
  override readonly name = 'WorkCrashed';
}

export interface ConsumeOptions {
  now?: () => Date;
  fetch?: typeof fetch;
  /** the invocation's budget (tests: a small one, to see a continuation) */
  budget?: Budget;
}

export async function consumeWork(batch: MessageBatch<unknown>, env: Env, opts: ConsumeOptions = {}): Promise<void> {
  if (isDeadLetterQueue(batch.queue)) return recordDeadLetters(env, batch);
  const now = opts.now ?? (() => new Date());
  const budget = opts.budget ?? createBudget(env, 'queue');
  const groups = new Map<string, { work: WorkMessage; messages: Message<unknown>[] }>();
  for (const message of batch.messages) {
    const parsed = workMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      // Nothing will ever run it: retried until it lands in the dead-letter queue, where it is shown.
      console.error(
        JSON.stringify({ event: 'work_message_invalid', id: message.id, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }),
      );
      message.retry();
      continue;
    }
    const key = workKey(parsed.data);
    const group = groups.get(key) ?? { work: parsed.data, messages: [] };
    // A forced duplicate keeps its force: "run now" must not be lost to a plain message for the same target.
    if (parsed.data.kind === 'target' && parsed.data.force) group.work = parsed.data;
    group.messages.push(message);
    groups.set(key, group);
  }
  const queue = workQueueOf(env);
  for (const { work, messages } of groups.values()) {
    try {
      // Out of budget (requests, D1 queries, or the CPU of a row by the cost model): the rest of
      // the batch goes on in a fresh invocation.
      const followUp = canRun(budget) ? await runWork(env, work, budget, now, opts.fetch) : 0;
      if (followUp !== null && queue) await enqueueWork(queue, [work], followUp);
      for (const m of messages) m.ack();
    } catch (err) {
      console.error(JSON.stringify({ event: 'work_failed', key: workKey(work), attempts: Math.max(...messages.map((m) => m.attempts)), error: String(err) }));
      // The delay is the consumer's retry_delay (wrangler.toml: a minute, as the crashed run's rows wait).
      for (const m of messages) m.retry();
    }
  }
}

/** Runs one piece of work; answers the delay in seconds of the follow-up it needs, or null for none. */
function runWork(env: Env, work: WorkMessage, budget: Budget, now: () => Date, fetcher?: typeof fetch): Promise<number | null> {
  return work.kind === 'target' ? runTarget(env, work, budget, now, fetcher) : runSource(env, work.sourceId, budget, now, fetcher);
}

/** A target another invocation is running is looked at again this many seconds later. */
export const BUSY_RETRY_SECONDS = 5;
/** The run lease outlives the invocation's deadline by this much: a consumer that died frees the target then. */
const RUN_LEASE_MARGIN_MS = 30_000;

type TargetWork = Extract<WorkMessage, { kind: 'target' }>;

/**
 * One consumer invocation at a time per target (the run lease), so the target's concurrency and
 * rate limit hold across parallel invocations; outbox leases still keep one writer per user.
 */
async function runTarget(env: Env, work: TargetWork, budget: Budget, now: () => Date, fetcher?: typeof fetch): Promise<number | null> {
  const until = new Date(Math.max(budget.deadline, Date.now()) + RUN_LEASE_MARGIN_MS);
  const lease = await claimTargetRun(env.DB, work.targetId, now(), until);
  if (lease !== 'taken') return lease === 'busy' ? BUSY_RETRY_SECONDS : null;
  try {
    return await dispatchTarget(env, work, budget, now, fetcher);
  } finally {
    await releaseTargetRun(env.DB, work.targetId, until);
  }
}

async function dispatchTarget(env: Env, work: TargetWork, budget: Budget, now: () => Date, fetcher?: typeof fetch): Promise<number | null> {
  const summaries = await dispatch(env, {
    mode: work.mode,
    targetIds: [work.targetId],
    budget,
    now,
    ...(work.force ? { force: true } : {}),
    ...(fetcher ? { fetch: fetcher } : {}),
  });
  // The dispatcher isolated the crash (rows released, run and audit say why); the message says it again.
  if (summaries.some((s) => s.counts.crashed)) throw new WorkCrashed(`The run of target ${work.targetId} crashed; see its runs and audit log.`);
  // Gone, paused, mode off, or a scheduled target that is not due: nothing to follow up.
  if (summaries.length === 0) return null;
  if (summaries.some((s) => !s.drained || s.caughtUp === false)) return 0;
  // A scheduled target waits for its next interval (the cron enqueues it then).
  if (work.mode === 'scheduled') return null;
  const due = await nextDueAt(env.DB, work.targetId);
  return due === null ? null : Math.max(1, (Date.parse(due) - now().getTime()) / 1000);
}

async function runSource(env: Env, sourceId: string, budget: Budget, now: () => Date, fetcher?: typeof fetch): Promise<number | null> {
  const [summary] = await runImports(env, { budget, sourceIds: [sourceId], now, ...(fetcher ? { fetch: fetcher } : {}) });
  // Not due, leased by another invocation, paused or gone.
  if (!summary) return null;
  // What the run imported goes out to the automatic targets, each in its own invocation, once the
  // run ends having changed the directory. While it goes on, the cron's safety net wakes each
  // automatic target with rows waiting once a minute and the target's continuations carry it:
  // a wake per page would cost 3 queue operations a target a page (a first import of 20,000
  // accounts on Free: 5,457 a target, of the 10,000 a day).
  const queue = workQueueOf(env);
  if (queue && summary.status !== 'failed' && summary.status !== 'running' && changedDirectory(summary.counts)) {
    const ids = await automaticTargetIds(env);
    await enqueueWork(
      queue,
      ids.map((id) => targetMessage(id, 'automatic')),
    );
  }
  return summary.status === 'running' ? 0 : null;
}
