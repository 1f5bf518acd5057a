/**
 * bench:limits's worker entry: the relay's own worker with `env.DB` wrapped so each D1 query is
 * counted twice over — as a query (a `batch()` is one) and as a sequential round trip (a query
 * started while another was in flight waits for no extra round trip). `GET /__bench/d1`
 * answers the counts since the last read; `GET /__bench/size` the database size D1 reports.
 * Only bundled for the benchmark (bundleWorker's `entry`), never deployed.
 */
import type { Env } from '../../worker/src/env';
import worker from '../../worker/src/index';
import { countingDb } from './counting-db';

const counts = { queries: 0, roundTrips: 0 };
let inFlight = 0;

function track<T>(run: () => Promise<T>): Promise<T> {
  counts.queries++;
  if (inFlight === 0) counts.roundTrips++;
  inFlight++;
  return run().finally(() => inFlight--);
}

const counted = (env: Env): Env => ({ ...env, DB: countingDb(env.DB, (_statements, run) => track(run)) });

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
