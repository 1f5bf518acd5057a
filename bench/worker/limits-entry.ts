/**
 * bench:limits's worker entry: the relay's own worker with `env.DB` wrapped so each D1 query is
 * counted twice over — as a query (a `batch()` is one) and as a sequential round trip (a query
 * started while another was in flight waits for no extra round trip). `GET /__bench/d1`
 * answers the counts since the last read; `GET /__bench/size` the database size D1 reports.
 * Only bundled for the benchmark (bundleWorker's `entry`), never deployed.
 */
import type { Env } from '../../worker/src/env';
import worker from '../../worker/src/index';

const counts = { queries: 0, roundTrips: 0 };
let inFlight = 0;

function track<T>(run: () => Promise<T>): Promise<T> {
  counts.queries++;
  if (inFlight === 0) counts.roundTrips++;
  inFlight++;
  return run().finally(() => inFlight--);
}

const real = new WeakMap<object, D1PreparedStatement>();

function wrapStatement(s: D1PreparedStatement): D1PreparedStatement {
  const wrapped = new Proxy(s, {
    get(target, prop) {
      if (prop === 'bind') return (...args: unknown[]) => wrapStatement(target.bind(...args));
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw')
        return (...args: unknown[]) => track(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  real.set(wrapped, s);
  return wrapped;
}

function wrapDb(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql));
      if (prop === 'batch') return (stmts: D1PreparedStatement[]) => track(() => target.batch(stmts.map((s) => real.get(s) ?? s)));
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const counted = (env: Env): Env => ({ ...env, DB: wrapDb(env.DB) });

export default {
  async fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path === '/__bench/d1') {
      const body = JSON.stringify(counts);
      counts.queries = 0;
      counts.roundTrips = 0;
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    }
    if (path === '/__bench/size') {
      const result = await env.DB.prepare('SELECT 1').run();
      return Response.json({ bytes: (result.meta as { size_after?: number }).size_after ?? null });
    }
    return worker.fetch(request, counted(env), ctx);
  },
  scheduled(controller, env) {
    return worker.scheduled(controller, counted(env));
  },
} satisfies ExportedHandler<Env>;
