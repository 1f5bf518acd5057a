/**
 * bench:converge's worker entry: the relay's own worker with `env.DB` wrapped so every D1
 * query it makes is counted — statements executed and round trips (a `batch()` is one round
 * trip of many statements) — and `GET /__bench/d1` answers the counts since the last read. Only
 * bundled for the benchmark (bundleWorker's `entry`), never deployed.
 */
import worker from '../../worker/src/index';
import type { Env } from '../../worker/src/env';

const counts = { statements: 0, roundTrips: 0 };
const real = new WeakMap<object, D1PreparedStatement>();

function wrapStatement(s: D1PreparedStatement): D1PreparedStatement {
  const wrapped = new Proxy(s, {
    get(target, prop) {
      if (prop === 'bind') return (...args: unknown[]) => wrapStatement(target.bind(...args));
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw') {
        return (...args: unknown[]) => {
          counts.statements++;
          counts.roundTrips++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
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
      if (prop === 'batch') {
        return (stmts: D1PreparedStatement[]) => {
          counts.statements += stmts.length;
          counts.roundTrips++;
          return target.batch(stmts.map((s) => real.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const counted = (env: Env): Env => ({ ...env, DB: wrapDb(env.DB) });

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__bench/d1') {
      const body = JSON.stringify(counts);
      counts.statements = 0;
      counts.roundTrips = 0;
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    }
    return worker.fetch(request, counted(env), ctx);
  },
  scheduled(controller, env) {
    return worker.scheduled(controller, counted(env));
  },
} satisfies ExportedHandler<Env>;
