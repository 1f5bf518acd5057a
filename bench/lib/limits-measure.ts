/**
 * bench:limits's measurements: workerd process CPU per request of one kind (batches of requests
 * sent one at a time; /proc counts CPU in 10 ms ticks, so a batch's CPU ÷ its requests is one
 * sample, and the median and p95 are over batches), and the D1 queries and sequential round trips
 * one request makes (the bench entry's counters, bench/worker/limits-entry.ts).
 */
import type { Client, RequestSpec } from './client.ts';
import { cpuSeconds } from './process-stats.ts';

export interface KindResult {
  kind: string;
  requests: number;
  /** workerd CPU ms per request: median and p95 over batches */
  cpuMsP50: number;
  cpuMsP95: number;
  /** D1 queries and sequential round trips per request */
  queries: number;
  roundTrips: number;
}

export interface KindSpec {
  kind: string;
  /** the i-th request of the kind (unique userNames, a random user…) */
  request: (i: number) => RequestSpec;
  batches: number;
  perBatch: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export async function measureKind(client: Client, pid: number, spec: KindSpec): Promise<KindResult> {
  // warm-up: the isolate compiles the route's code paths once
  for (let i = 0; i < 3; i++) await client.json(spec.request(-1 - i));
  await client.json({ method: 'GET', path: '/__bench/d1', expect: [200] });
  const samples: number[] = [];
  let n = 0;
  for (let b = 0; b < spec.batches; b++) {
    const before = cpuSeconds(pid);
    for (let k = 0; k < spec.perBatch; k++) await client.json(spec.request(n++));
    samples.push(((cpuSeconds(pid) - before) * 1000) / spec.perBatch);
  }
  const d1 = await client.json<{ queries: number; roundTrips: number }>({ method: 'GET', path: '/__bench/d1', expect: [200] });
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    kind: spec.kind,
    requests: n,
    cpuMsP50: quantile(sorted, 0.5),
    cpuMsP95: quantile(sorted, 0.95),
    queries: d1.queries / n,
    roundTrips: d1.roundTrips / n,
  };
}

/** Bytes D1 reports for the database now. */
export async function databaseBytes(client: Client): Promise<number> {
  return (await client.json<{ bytes: number }>({ method: 'GET', path: '/__bench/size', expect: [200] })).bytes;
}
