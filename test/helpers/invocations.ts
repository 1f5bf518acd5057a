/**
 * How many invocations provisioning takes under this run's profile, by the relay's own limits: a
 * Free invocation has 10 ms of CPU, which provisions 20 outbox rows by the cost model
 * (worker/src/limits/cpu.ts), and 50 D1 queries and subrequests, which a group's push takes 10
 * of; a Paid one provisions thousands. Loops that drive the cron, the queue or a target's runs
 * until the work is done take their cap from here, so a test waits for the work it made, not for
 * a number that held on one plan.
 */
import { env } from 'cloudflare:test';
import { cpuItemsLeft, createBudget, queriesLeft } from '../../worker/src/limits/budget';
import { CPU_MS } from '../../worker/src/limits/cpu';
import type { InvocationKind } from '../../worker/src/limits/profile';
import { RUN_QUERIES } from '../../worker/src/provisioning/dispatcher';
import { FINISH_QUERIES, GROUP_ROW_QUERIES } from '../../worker/src/provisioning/lanes';

/** Outbox rows one invocation of `kind` provisions by the cost model: 20 on Free (15 in a single SCIM write's waitUntil, after the write's own base). */
export const rowsPerInvocation = (kind: InvocationKind = 'cron'): number => cpuItemsLeft(createBudget(env, kind), CPU_MS.outboundRow);

/** Group rows one invocation of `kind` pushes, each with its D1 queries: 3 on Free. */
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
