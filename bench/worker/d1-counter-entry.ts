/**
 * bench:converge's worker entry: the relay's own worker with `env.DB` wrapped so every D1
 * query it makes is counted — statements executed and round trips (a `batch()` is one round
 * trip of many statements) — and `GET /__bench/d1` answers the counts since the last read. Only
 * bundled for the benchmark (bundleWorker's `entry`), never deployed.
 */
import worker from '../../worker/src/index';
import type { Env } from '../../worker/src/env';
import { countingDb } from './counting-db';

const counts = { statements: 0, roundTrips: 0 };
const counted = (env: Env): Env => ({
  ...env,
  DB: countingDb(env.DB, (statements, run) => {
    counts.statements += statements.length;
    counts.roundTrips++;
    return run();
  }),
});

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
