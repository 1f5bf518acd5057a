/**
 * bench:limits's worker entry: the relay's own worker with `env.DB` wrapped so each D1 query is
 * counted twice over — as a query (a `batch()` is one) and as a sequential round trip (a query
 * started while another was in flight waits for no extra round trip) — and, once asked to, logged
 * with its SQL and bound values, so the bench can replay a kind's statements in plain SQLite.
 * Its queue handler records each consumer invocation: messages, wall time and the limits meter's
 * usage (D1 queries, subrequests). Bench routes:
 *
 * - `GET /__bench/d1`: the counts since the last read;
 * - `POST /__bench/sql?log=1|0`: the logged queries since the last read, and logging on or off;
 * - `GET /__bench/queue`: the consumer invocations so far (`?reset=1` clears them);
 * - `GET /__bench/size`: the database size D1 reports;
 * - `GET /__bench/burn?rounds=N`: N rounds of known pure-JS work (burn.ts), the calibration of
 *   the isolate CPU measurement (bench/lib/isolate-cpu.ts).
 *
 * Only bundled for the benchmark (bundleWorker's `entry`), never deployed.
 */
import type { Env } from '../../worker/src/env';
import worker from '../../worker/src/index';
import { takeUsages, type Usage } from '../../worker/src/limits/meter';
import type { BoundSql } from './bound-sql';
import { burn } from './burn';
import { countingDb } from './counting-db';

const counts = { queries: 0, roundTrips: 0 };
let inFlight = 0;
/** queries logged since the last read (each its statements: a batch is one query) */
let sqlLog: BoundSql[][] | null = null;

function track<T>(statements: readonly BoundSql[], run: () => Promise<T>): Promise<T> {
  counts.queries++;
  if (inFlight === 0) counts.roundTrips++;
  sqlLog?.push([...statements]);
  inFlight++;
  return run().finally(() => inFlight--);
}

const counted = (env: Env): Env => ({ ...env, DB: countingDb(env.DB, track) });

interface Invocation {
  queue: string;
  messages: number;
  /** Date.now() when it started (workerd's clock is exact at an event's start), to find its samples in a CPU profile */
  startedAt: number;
  /** wall time, ms (workerd's clock moves on I/O, which is what a consumer waits for) */
  ms: number;
  /** the limits meter's count for the invocation (null when it was not found) */
  usage: Usage | null;
}
const invocations: Invocation[] = [];

const json = (body: unknown) => Response.json(body);

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === '/__bench/d1') {
      const body = { ...counts };
      counts.queries = 0;
      counts.roundTrips = 0;
      return json(body);
    }
    if (url.pathname === '/__bench/sql') {
      const body = sqlLog ?? [];
      sqlLog = url.searchParams.get('log') === '1' ? [] : null;
      return json(body);
    }
    if (url.pathname === '/__bench/queue') {
      const body = [...invocations];
      if (url.searchParams.get('reset') === '1') invocations.length = 0;
      return json(body);
    }
    if (url.pathname === '/__bench/burn') return json({ sum: burn(Number(url.searchParams.get('rounds') ?? 0)) });
    if (url.pathname === '/__bench/size') {
      const result = await env.DB.prepare('SELECT 1').run();
      return json({ bytes: (result.meta as { size_after?: number }).size_after ?? null });
    }
    return worker.fetch(request, counted(env), ctx);
  },
  scheduled(controller, env) {
    return worker.scheduled(controller, counted(env));
  },
  async queue(batch, env) {
    // Usages are live objects, newest last: the consumer's is the last of kind "queue" once it is done
    // (Miniflare delivers a queue's batches one at a time).
    takeUsages();
    const t0 = Date.now();
    try {
      await worker.queue(batch, counted(env));
    } finally {
      const usage =
        takeUsages()
          .filter((u) => u.kind === 'queue')
          .at(-1) ?? null;
      invocations.push({ queue: batch.queue, messages: batch.messages.length, startedAt: t0, ms: Date.now() - t0, usage });
    }
  },
} satisfies ExportedHandler<Env>;
