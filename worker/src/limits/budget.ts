/**
 * What one invocation's work (a dispatch, an import, a reconcile) may still spend, derived from
 * the RELAY_LIMITS profile for the invocation's kind — never a fixed number that is neither
 * plan's limit.
 *
 * Outbound requests are counted by the callers (`requests`, a share they may split); D1 queries
 * are read from the invocation's meter (meter.ts), which counts every query whoever makes it, so
 * a budget's `queries` is a ceiling on the meter's count, not a share to decrement. On a plan
 * whose D1 queries also use up subrequests (Free: one pool of 50), both come out of `pool`.
 *
 * `waitUntil` work is charged by Cloudflare to the invocation that started it: its budget has
 * the time after the response (`wallMs.waitUntil`) but only the queries the request left, and
 * only the CPU it left: the request's own `base` and what it did that scales (a Bulk's
 * operations, charged to the meter as it ran) come off before the work's own `base`.
 */
import { CPU_MS, itemsWithin } from './cpu';
import { currentMeter } from './meter';
import { budgetFor, type InvocationKind, parseLimits } from './profile';

export interface Budget {
  /** outbound requests this work may still make (decremented by the caller as it sends them) */
  requests: number;
  /** Date.now() after which no new piece of work is started */
  deadline: number;
  /** the invocation's D1 query count (its meter) at which this work stops */
  queries: number;
  /** D1 queries and outbound requests together (the meter's counts) at which it stops; Infinity where they are separate */
  pool: number;
  /**
   * CPU ms this work may still spend by the cost model (cpu.ts: a Worker cannot read its own CPU
   * time); charged with `chargeCpu`. Absent: not counted (a hand-made budget in a test).
   */
  cpuMs?: number;
  /** the CPU this budget was given (createBudget, shareOf): `settle` charges a share's parent what it spent of it */
  cpuGiven?: number;
  /** false: a share given after its invocation had spent CPU, so its first item may not overshoot */
  cpuFirst?: boolean;
}

/** The invocation's D1 queries and outbound requests so far (0 outside a metered invocation). */
function spent(): { d1: number; pooled: number } {
  const usage = currentMeter()?.usage;
  return { d1: usage?.d1Queries ?? 0, pooled: (usage?.d1Queries ?? 0) + (usage?.subrequests ?? 0) };
}

export function createBudget(env: { RELAY_LIMITS?: string }, kind: InvocationKind): Budget {
  const limits = parseLimits(env.RELAY_LIMITS);
  const b = budgetFor(limits, kind);
  const cpuGiven = limits.cpuMs - CPU_MS.base;
  return {
    requests: b.subrequests,
    deadline: Date.now() + b.wallMs,
    queries: b.d1Queries,
    pool: limits.d1CountsAsSubrequest ? b.subrequests : Number.POSITIVE_INFINITY,
    // Below cpuGiven when the request spent some: then its first item may not overshoot either.
    cpuMs: cpuGiven - (kind === 'waitUntil' ? requestCpu() : 0),
    cpuGiven,
  };
}

/** What the request that starts `waitUntil` work spent by the cost model: its own `base`, and what it charged the meter. */
const requestCpu = (): number => CPU_MS.base + (currentMeter()?.usage.requestCpuMs ?? 0);

/** How many items of `perItemMs` CPU this work may still do (cpu.ts); unbounded when CPU is not counted. */
export const cpuItemsLeft = (b: Budget, perItemMs: number): number => (b.cpuMs === undefined ? Number.POSITIVE_INFINITY : itemsWithin(b.cpuMs, perItemMs));

/**
 * Whether none of the invocation's CPU is spent yet (cpu.ts). Work that scales with users starts
 * its first item whatever it costs only then, so each invocation gets somewhere and spends it
 * once — not once per source or target it goes on to, nor once per share of a cron tick.
 */
export const cpuUntouched = (b: Budget): boolean => b.cpuMs === undefined || b.cpuGiven === undefined || (b.cpuFirst !== false && b.cpuMs >= b.cpuGiven);

/** Whether `n` more items of `perItemMs` fit the CPU left — or the invocation's CPU is untouched, when its first may overshoot. */
export const cpuFits = (b: Budget, perItemMs: number, n = 1): boolean => cpuUntouched(b) || cpuItemsLeft(b, perItemMs) >= n;

/** Charges CPU the model says this work spent (and records it on the invocation's meter, for bench:limits). */
export function chargeCpu(b: Budget, ms: number): void {
  if (b.cpuMs === undefined) return;
  b.cpuMs -= ms;
  const usage = currentMeter()?.usage;
  if (usage) usage.cpuCharged += ms;
}

/** D1 queries this work may still make. */
export const queriesLeft = (b: Budget): number => Math.min(b.queries - spent().d1, b.pool - spent().pooled);

/** Outbound requests this work may still make. */
export const requestsLeft = (b: Budget): number => Math.min(b.requests, b.pool - spent().pooled);

/** Whether `requests` more outbound requests and `queries` more D1 queries fit, before the deadline. */
export const hasRoom = (b: Budget, requests: number, queries: number): boolean =>
  requestsLeft(b) >= requests && queriesLeft(b) >= queries && Date.now() < b.deadline;

/**
 * A share of what is left, for one part of an invocation (the cron's import, its reconcile): the
 * part's requests are given back with `settle`; its queries and pooled use are the meter's, so a
 * share just lowers the ceiling to `fraction` of the room left.
 */
export function shareOf(b: Budget, fraction: number): Budget {
  const now = spent();
  return {
    requests: Math.floor(b.requests * fraction),
    deadline: Date.now() + Math.floor((b.deadline - Date.now()) * fraction),
    queries: now.d1 + Math.floor((b.queries - now.d1) * fraction),
    pool: b.pool === Number.POSITIVE_INFINITY ? b.pool : now.pooled + Math.floor((b.pool - now.pooled) * fraction),
    ...cpuShare(b, fraction),
  };
}

/** A part's CPU: `fraction` of what is left, and a first item of its own only while the invocation's CPU is untouched. */
const cpuShare = (b: Budget, fraction: number): Pick<Budget, 'cpuMs' | 'cpuGiven' | 'cpuFirst'> =>
  b.cpuMs === undefined ? {} : { cpuMs: b.cpuMs * fraction, cpuGiven: b.cpuMs * fraction, cpuFirst: cpuUntouched(b) };

/**
 * The same budget with at most `cpuMs` of its CPU, for one of several parts that take turns at
 * it (the due targets of a dispatch: dispatcher.ts); its queries, pool and deadline are the
 * parent's. `settle` charges the parent what it spent.
 */
export function withCpu(b: Budget, cpuMs: number): Budget {
  if (b.cpuMs === undefined) return { ...b };
  const share = Math.min(b.cpuMs, cpuMs);
  return { ...b, cpuMs: share, cpuGiven: share, cpuFirst: cpuUntouched(b) };
}

/** Charges the parent with what a share spent of its outbound requests and its CPU. */
export function settle(parent: Budget, share: Budget, given: number): void {
  parent.requests -= given - share.requests;
  // the share's own chargeCpu calls recorded it on the meter already
  if (share.cpuGiven !== undefined && share.cpuMs !== undefined && parent.cpuMs !== undefined) parent.cpuMs -= share.cpuGiven - share.cpuMs;
}

/**
 * The same budget with `queries` D1 queries kept back under its ceilings, for work handed to
 * another part (a reconcile's drain) when the caller still has queries to make after it.
 * Outbound requests are shared: the caller reads them back from the result.
 */
export const keepingBack = (b: Budget, queries: number): Budget => ({ ...b, queries: b.queries - queries, pool: b.pool - queries, ...cpuShare(b, 1) });
