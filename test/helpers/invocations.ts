/**
 * How many invocations provisioning takes under this run's profile, by the relay's own limits: a
 * Free invocation has 10 ms of CPU, which holds one target's run of 6 outbox rows by the cost
 * model (worker/src/limits/cpu.ts: the invocation's base, the run's fixed part, 0.4 ms a row), and 50 D1 queries and subrequests, which a group's push takes 10
 * of; a Paid one provisions thousands. Loops that drive the cron, the queue or a target's runs
 * until the work is done take their cap from here, so a test waits for the work it made, not for
 * a number that held on one plan.
 */
import { env } from 'cloudflare:test';
import { cpuItemsLeft, createBudget, queriesLeft } from '../../worker/src/limits/budget';
import { CPU_MS, itemsWithin } from '../../worker/src/limits/cpu';
import type { InvocationKind } from '../../worker/src/limits/profile';
import { RUN_QUERIES, type RunSummary } from '../../worker/src/provisioning/dispatcher';
import { FINISH_QUERIES, GROUP_ROW_QUERIES } from '../../worker/src/provisioning/lanes';

/** The CPU an invocation of `kind` gives its work by the cost model (Free: 10 ms less its base). */
const cpuOf = (kind: InvocationKind): number => createBudget(env, kind).cpuMs ?? Number.POSITIVE_INFINITY;

/** Outbox rows one target's run provisions in an invocation of `kind` by the cost model, after the run's fixed part: 6 on Free. */
export const rowsPerInvocation = (kind: InvocationKind = 'cron'): number => rowsOfShare(cpuOf(kind));

/** Target runs an invocation of `kind` holds, each with its fixed part and a row: 1 on Free. */
export const runsPerInvocation = (kind: InvocationKind = 'cron'): number => cpuItemsLeft(createBudget(env, kind), CPU_MS.targetRun + CPU_MS.outboundRow);

/** Rows each of `targets` due targets provisions in one invocation of `kind`: they share its CPU among as many as it holds runs of (dispatcher.ts). */
export const rowsEachOf = (targets: number, kind: InvocationKind = 'cron'): number =>
  rowsOfShare(cpuOf(kind) / Math.max(1, Math.min(targets, runsPerInvocation(kind))));

const rowsOfShare = (cpuMs: number): number => itemsWithin(cpuMs - CPU_MS.targetRun, CPU_MS.outboundRow);

/** Group rows one invocation of `kind` pushes, each with its D1 queries: 3 on Free. */
/** A budget of this invocation kind whose CPU holds one target run of `rows` rows, by the cost model. */
export const budgetWithCpuFor = (rows: number, kind: InvocationKind = 'cron') => ({
  ...createBudget(env, kind),
  cpuMs: CPU_MS.targetRun + rows * CPU_MS.outboundRow,
});

export function groupsPerInvocation(kind: InvocationKind = 'cron'): number {
  const budget = createBudget(env, kind);
  return Math.max(1, Math.min(rowsPerInvocation(kind), Math.floor((queriesLeft(budget) - RUN_QUERIES - FINISH_QUERIES) / GROUP_ROW_QUERIES)));
}

/**
 * Invocations that `users` and `groups` outbox rows need, and `spare` more for those that
 * provision little: the first ones plan (the change feed, an initial sync's pages), a group waits
 * for its members' rows, a row's lease or backoff outlives a run.
 */
export function invocationsFor(rows: { users: number; groups?: number }, kind: InvocationKind = 'cron', spare = 5): number {
  return Math.ceil(rows.users / rowsPerInvocation(kind)) + Math.ceil((rows.groups ?? 0) / groupsPerInvocation(kind)) + spare;
}

/** Cron ticks that run each of `targets` due targets at least once: on Free a tick holds one run, so one a target. */
export const ticksFor = (targets: number, kind: InvocationKind = 'cron'): number =>
  Math.ceil(targets / Math.max(1, Math.min(targets, runsPerInvocation(kind))));

/**
 * Runs `once` (a dispatch of one target) again while its last run stopped on its budget, at most
 * `most` times, and answers every run's summary: what one run did on Paid, a few runs of a few
 * rows on Free (worker/src/limits/cpu.ts). Rows waiting on a backoff or a hold end it, as they end a run.
 */
export async function untilDrained(once: () => Promise<RunSummary[]>, most = 50): Promise<RunSummary[]> {
  const all: RunSummary[] = [];
  for (let i = 0; i < most; i++) {
    const runs = await once();
    all.push(...runs);
    if (runs.every((r) => r.drained)) break;
  }
  return all;
}
