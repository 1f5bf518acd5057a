/**
 * The limits harness: counts what one invocation spends — D1 queries (a `batch()` is one),
 * outbound fetches and simultaneous connections — and, where enforcement is on
 * (`RELAY_ENFORCE_LIMITS=1`, the tests), fails the moment an invocation goes past its profile,
 * as Cloudflare would, instead of passing locally and failing in production.
 *
 * An invocation is everything that runs inside `metered()`, including the `waitUntil` work it
 * starts: AsyncLocalStorage carries the meter through awaits, timers and fetches (Cloudflare
 * counts `waitUntil` work against the invocation that started it). The D1 binding is wrapped per
 * invocation; `fetch` is wrapped once per isolate and charges the current invocation's meter.
 *
 * Round trips (`d1Trips`) are what a caller waits for: in production D1's primary sits in one
 * region and every sequential call crosses the network. A call (one statement or one `batch()`)
 * started while no other D1 call of the invocation is in flight is a new trip; calls started
 * while one is in flight (a `Promise.all`) ride along with it: N connections, one trip of latency.
 * `d1TripsToResponse` is the count when the handler produced its result, before `waitUntil` work.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { noteSize } from './d1-size';
import type { InvocationKind, Limits } from './profile';

export type LimitName = 'd1Queries' | 'subrequests' | 'connections';

export class LimitExceeded extends Error {
  override readonly name = 'LimitExceeded';
  constructor(
    readonly limit: LimitName,
    readonly allowed: number,
    readonly kind: InvocationKind,
    readonly what: string,
  ) {
    super(`${kind} invocation exceeded ${limit} (${allowed} allowed) at ${what}`);
  }
}

export interface Usage {
  kind: InvocationKind;
  profile: string;
  d1Queries: number;
  /** statements inside those queries (a batch of 40 is one query, 40 statements) */
  d1Statements: number;
  /** sequential D1 round trips (see the file's opening comment) */
  d1Trips: number;
  /** round trips spent before the handler's result was ready (what the client waited for) */
  d1TripsToResponse?: number;
  subrequests: number;
  peakConnections: number;
  /**
   * CPU ms the cost model (cpu.ts) charged to what the request itself did that scales (a Bulk's
   * operations), beyond its `base`: its `waitUntil` work starts with that much less (budget.ts)
   */
  requestCpuMs: number;
  /**
   * CPU ms the cost model (cpu.ts) charged the invocation's work items, beside its base: what
   * bench:limits compares with the Worker CPU it measures (budget.ts `chargeCpu`)
   */
  cpuCharged: number;
}

export interface Meter {
  usage: Usage;
  open: number;
  /** D1 calls in flight now: a call that starts at 0 is a new round trip */
  d1InFlight: number;
  limits: Limits;
  enforce: boolean;
}

const current = new AsyncLocalStorage<Meter>();

/** Every limit breach an enforcing meter saw, for the test setup to fail on (workerd shares the test's isolate). */
const breaches: LimitExceeded[] = [];
export const takeBreaches = (): LimitExceeded[] => breaches.splice(0);

/** The usage of recent invocations (live objects: waitUntil work still adds to them), newest last. */
const recent: Usage[] = [];
export const takeUsages = (): Usage[] => recent.splice(0);

function charge(meter: Meter, limit: LimitName, n: number, what: string): void {
  const u = meter.usage;
  if (limit === 'd1Queries') u.d1Queries += n;
  else u.subrequests += n;
  if (!meter.enforce) return;
  const pooled = meter.limits.d1CountsAsSubrequest ? u.d1Queries + u.subrequests : u.subrequests;
  const breach =
    u.d1Queries > meter.limits.d1Queries
      ? new LimitExceeded('d1Queries', meter.limits.d1Queries, u.kind, what)
      : pooled > meter.limits.subrequests
        ? new LimitExceeded('subrequests', meter.limits.subrequests, u.kind, what)
        : null;
  if (breach) {
    breaches.push(breach);
    throw breach;
  }
}

const QUERY_METHODS = new Set(['all', 'run', 'first', 'raw']);

/** Charges one D1 call (`statements` long) and times its round trip. */
function chargeD1<T>(statements: number, what: string, call: () => Promise<T>): Promise<T> {
  const meter = current.getStore();
  if (!meter) return call();
  meter.usage.d1Statements += statements;
  charge(meter, 'd1Queries', 1, what);
  if (meter.d1InFlight === 0) meter.usage.d1Trips++;
  meter.d1InFlight++;
  const settle = () => {
    meter.d1InFlight--;
  };
  const pending = call();
  pending.then(settle, settle);
  return pending;
}

/** `db` (a binding, or a session of one) whose every query charges the invocation running it. */
export function meterDb<T extends D1Database | D1DatabaseSession>(db: T): T {
  const statement = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        if (prop === 'bind') return (...args: unknown[]) => statement((value as (...a: unknown[]) => D1PreparedStatement).apply(target, args), sql);
        if (QUERY_METHODS.has(prop as string))
          return (...args: unknown[]) =>
            chargeD1(1, sql.slice(0, 80), () => noteSizeOf((value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as Promise<unknown>);
        return value.bind(target);
      },
    });
  return new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'prepare') return (sql: string) => statement(target.prepare(sql), sql);
      // A session (D1 read replication) charges the same meter as its binding.
      if (prop === 'withSession') return (arg?: string) => meterDb((target as D1Database).withSession(arg));
      if (prop === 'batch')
        return (stmts: D1PreparedStatement[]) =>
          chargeD1(stmts.length, `batch of ${stmts.length}`, () =>
            target.batch(stmts).then((results) => {
              noteSize(results.at(-1));
              return results;
            }),
          );
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** D1 reports the database size with each result: noted for d1-size.ts on the way through. */
function noteSizeOf(result: unknown): unknown {
  if (!(result instanceof Promise)) return result;
  return result.then((r: unknown) => {
    noteSize(r);
    return r;
  });
}

let fetchWrapped = false;

/** Wraps the isolate's `fetch` once, so every outbound request charges the invocation that makes it. */
function wrapFetch(): void {
  if (fetchWrapped) return;
  fetchWrapped = true;
  const inner = globalThis.fetch;
  globalThis.fetch = async function meteredFetch(input: RequestInfo | URL, init?: RequestInit) {
    const meter = current.getStore();
    if (!meter) return inner(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    charge(meter, 'subrequests', 1, `${init?.method ?? 'GET'} ${url.split('?')[0]}`);
    meter.open++;
    meter.usage.peakConnections = Math.max(meter.usage.peakConnections, meter.open);
    if (meter.enforce && meter.open > meter.limits.connections) {
      const breach = new LimitExceeded('connections', meter.limits.connections, meter.usage.kind, url.split('?')[0]!);
      breaches.push(breach);
      meter.open--;
      throw breach;
    }
    try {
      // The connection stays open until the body is read; a body nobody reads is released by the runtime.
      const response = await inner(input, init);
      return response;
    } finally {
      meter.open--;
    }
  } as typeof fetch;
}

/** Runs one invocation under a meter; `fn` gets the env whose D1 binding charges it. */
export function metered<E extends { DB: D1Database }, R>(env: E, limits: Limits, kind: InvocationKind, enforce: boolean, fn: (env: E, meter: Meter) => R): R {
  wrapFetch();
  const meter: Meter = {
    usage: { kind, profile: limits.name, d1Queries: 0, d1Statements: 0, d1Trips: 0, subrequests: 0, peakConnections: 0, requestCpuMs: 0, cpuCharged: 0 },
    open: 0,
    d1InFlight: 0,
    limits,
    enforce,
  };
  recent.push(meter.usage);
  if (recent.length > 100) recent.shift();
  const result = current.run(meter, () => fn({ ...env, DB: meterDb(env.DB) }, meter));
  const responded = () => {
    meter.usage.d1TripsToResponse = meter.usage.d1Trips;
  };
  if (result instanceof Promise) result.then(responded, responded);
  else responded();
  return result;
}

/**
 * Charges the running invocation CPU its request spends by the cost model (cpu.ts), which
 * Cloudflare counts against the `waitUntil` work the request then starts.
 */
export function chargeRequestCpu(ms: number): void {
  const meter = current.getStore();
  if (meter) meter.usage.requestCpuMs += ms;
}

/** The meter of the invocation running now, if any (for budgets that read what is left). */
export const currentMeter = (): Meter | undefined => current.getStore();
