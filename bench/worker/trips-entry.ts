/**
 * bench:trips's worker entry: the relay's own worker with every request under the limits meter
 * (worker/src/limits/meter.ts), so D1 queries and sequential round trips are counted exactly as
 * the tests count them, and with an optional modelled network delay per D1 call — locally D1 is
 * in-process SQLite, where a round trip costs almost nothing; in production it crosses to the
 * primary's region. Bench routes: `GET /__bench/one-query` (the baseline: one D1 query),
 * `GET /__bench/usage` (the usage of recent requests, then forgotten), `POST /__bench/rtt?ms=N`.
 * Only bundled for the benchmark (bundleWorker's `entry`), never deployed.
 */
import type { Env } from '../../worker/src/env';
import worker from '../../worker/src/index';
import { metered, takeUsages } from '../../worker/src/limits/meter';
import { PROFILES } from '../../worker/src/limits/profile';

let rttMs = 0;
const pause = () => (rttMs > 0 ? new Promise((resolve) => setTimeout(resolve, rttMs)) : Promise.resolve());
const CALLS = new Set(['all', 'run', 'first', 'raw']);

/** Each D1 call (a statement or a batch) waits `rttMs` before it runs: one modelled round trip. */
function delayed<T extends D1Database | D1DatabaseSession>(db: T): T {
  const statement = (s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'bind') return (...args: unknown[]) => statement(target.bind(...args));
        if (CALLS.has(prop as string))
          return async (...args: unknown[]) => {
            await pause();
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => statement(target.prepare(sql));
      if (prop === 'batch')
        return async (stmts: D1PreparedStatement[]) => {
          await pause();
          return target.batch(stmts);
        };
      if (prop === 'withSession') return (arg?: string) => delayed((target as D1Database).withSession(arg));
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === '/__bench/usage') return json(takeUsages());
    if (url.pathname === '/__bench/rtt') {
      rttMs = Number(url.searchParams.get('ms') ?? '0');
      return json({ rttMs });
    }
    const e = { ...env, DB: delayed(env.DB) };
    if (url.pathname === '/__bench/one-query')
      return metered(e, PROFILES.paid, 'http', false, async (m) => json(await m.DB.prepare('SELECT count(*) AS n FROM tokens').first()));
    return metered(e, PROFILES.paid, 'http', false, (m) => worker.fetch(request, m, ctx));
  },
} satisfies ExportedHandler<Env>;
