/**
 * bench:limits's production-time model: how many invocations an initial sync of N users to one
 * target and a first import of M Drupal users need under a limits profile, and how long that is
 * at the platform's cadence. A model, not a measurement: per-invocation capacity is the least of
 * what its D1 queries, its subrequests, its CPU and its wall time allow, with the engine's own
 * costs (worker/src/provisioning, worker/src/sources) and the CPU the engine's own cost model
 * gives each row sent (worker/src/limits/cpu.ts, which this bench measured).
 */
import { CPU_MS, importPageSize, itemsWithin } from '../../worker/src/limits/cpu.ts';
import type { Limits } from '../../worker/src/limits/profile.ts';

/** The engine's costs the model uses (names as in the code they come from). */
export const ENGINE = {
  /** limits/profile.ts D1_RESERVE */
  reserve: 5,
  /** dispatcher.ts RUN_QUERIES: start, secret, hold, claim, preload, commit, finish */
  runQueries: 12,
  /** planner.ts: a page of 500 resources of a full pass costs a read and a batch */
  syncPage: 500,
  /** a claim's D1: the claim, the preload, its commit */
  claimQueries: 3,
  /** bulk-batch.ts MATCH_CHUNK: users matched per filter request */
  matchChunk: 50,
  /** drupal-reader.ts DRUPAL_PAGE_SIZE: the most accounts a Drupal JSON:API page holds; and a page's D1 round trips (links, users, insert, links, cursor) */
  pageSize: 50,
  pageQueries: 6,
  /** index.ts: the import's share of a cron invocation */
  importShare: 0.6,
} as const;

/**
 * wrangler.toml's work queue: a consumer waits up to `max_batch_timeout` (1 s) to fill a batch, so
 * a follow-up message is a hop of at most that; up to `max_concurrency` (10) invocations run side
 * by side, but one target's run lease lets one of them at a time drain it; a message is a write,
 * a read and a delete (Cloudflare's Queues pricing).
 */
export const QUEUE = { hopS: 1, maxConcurrency: 10, operationsPerMessage: 3 } as const;
/** An assumption, not a measurement: one sequential D1 call from the edge to D1's primary region. */
export const D1_TRIP_S = 0.03;

export interface Workload {
  users: number;
  /** the target's Bulk maxOperations (0: no Bulk) and concurrency */
  bulkMax: number;
  /** users a second the target takes (it keeps up) */
  targetRate: number;
}

export interface Capacity {
  perInvocation: number;
  boundBy: 'D1 queries' | 'subrequests' | 'CPU' | 'wall time';
  invocations: number;
}

function least(bounds: [Capacity['boundBy'], number][], total: number): Capacity {
  const [boundBy, n] = bounds.reduce((a, b) => (b[1] < a[1] ? b : a));
  const perInvocation = Math.max(0, Math.floor(n));
  return { perInvocation, boundBy, invocations: perInvocation > 0 ? Math.ceil(total / perInvocation) : Number.POSITIVE_INFINITY };
}

/** Initial sync to one target: planning pages, then claims of users sent by Bulk (or one request each). */
export function syncCapacity(limits: Limits, w: Workload): Capacity {
  const q = limits.d1Queries - ENGINE.reserve - ENGINE.runQueries;
  const claim = w.bulkMax > 0 ? Math.min(1000, w.bulkMax * 6) : 300;
  const requestsPerUser = 1 / ENGINE.matchChunk + (w.bulkMax > 0 ? 1 / w.bulkMax : 1);
  const queriesPerUser = ENGINE.claimQueries / claim;
  const pool = limits.d1CountsAsSubrequest;
  const sending = least(
    [
      ['D1 queries', q / queriesPerUser],
      ['subrequests', pool ? q / (queriesPerUser + requestsPerUser) : (limits.subrequests - ENGINE.reserve) / requestsPerUser],
      // The dispatcher's claims stop where the cost model's CPU does: the invocation's base and the run's fixed part off first (6 rows on Free).
      ['CPU', itemsWithin(limits.cpuMs - CPU_MS.base - CPU_MS.targetRun, CPU_MS.outboundRow)],
      ['wall time', (limits.wallMs.cron / 1000) * w.targetRate],
    ],
    w.users,
  );
  // The full pass is planned first, a read and a batch per 500 users, in the invocations' spare queries.
  const planning = Math.ceil((2 * Math.ceil(w.users / ENGINE.syncPage)) / q);
  return { ...sending, invocations: sending.invocations + planning };
}

export interface QueueTime {
  invocations: number;
  /** one message per invocation: the first, then each continuation */
  operations: number;
  /** one invocation's wall time: its D1 calls in sequence and its users at the target's rate */
  invocationS: number;
  /** one target's chain, invocation after invocation (the run lease), each a queue hop apart */
  minutes: number;
}

/** The same work through the work queue: its invocations follow one another for one target. */
export function queueTime(c: Capacity, w: Workload): QueueTime {
  const claim = w.bulkMax > 0 ? Math.min(1000, w.bulkMax * 6) : 300;
  const users = Math.min(c.perInvocation, w.users);
  const queries = ENGINE.runQueries + ENGINE.claimQueries * Math.ceil(users / claim);
  const invocationS = queries * D1_TRIP_S + users / w.targetRate;
  return {
    invocations: c.invocations,
    operations: c.invocations * QUEUE.operationsPerMessage,
    invocationS,
    minutes: (c.invocations * (QUEUE.hopS + invocationS)) / 60,
  };
}

/**
 * A first import of Drupal accounts as the importer reads it (sources/importer.ts), within `share`
 * of each invocation (the cron's 60 %, or a queue consumer's whole): pages of what the profile's
 * CPU allows by the cost model (limits/cpu.ts: 11 accounts on Free, Drupal's 50 on Paid), another
 * page only while a whole one fits in the CPU left — the invocation's first always.
 */
export function importCapacity(limits: Limits, users: number, share: number, sourcePagesPerSecond: number): Capacity {
  const pageSize = importPageSize(limits.cpuMs, ENGINE.pageSize);
  const q = (limits.d1Queries - ENGINE.reserve) * share - 2;
  const pageCost = ENGINE.pageQueries + (limits.d1CountsAsSubrequest ? 1 : 0);
  const cpuPages = Math.max(1, itemsWithin((limits.cpuMs - CPU_MS.base) * share, pageSize * CPU_MS.importedUser));
  return least(
    [
      ['D1 queries', (q / pageCost) * pageSize],
      ['subrequests', limits.d1CountsAsSubrequest ? (q / pageCost) * pageSize : (limits.subrequests - ENGINE.reserve) * share * pageSize],
      ['CPU', cpuPages * pageSize],
      ['wall time', (limits.wallMs.cron / 1000) * share * sourcePagesPerSecond * pageSize],
    ],
    users,
  );
}
