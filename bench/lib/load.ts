/**
 * Closed-loop load: `concurrency` lanes each send their next request as soon as the previous one
 * answers. A warm-up (excluded) precedes a measured window bounded by a request count and a time.
 */
import type { Client, RequestSpec } from './client.ts';

/** Gives each request its target; `lane` lets an operation keep per-lane state (add, then remove). */
export type NextRequest = (lane: number) => RequestSpec;

export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  requests: number;
  maxMs: number;
}

export interface Measurement {
  concurrency: number;
  requests: number;
  errors: number;
  /** first failures, for the report */
  errorSamples: string[];
  statuses: Record<string, number>;
  p50: number;
  p95: number;
  mean: number;
  max: number;
  rps: number;
  elapsedMs: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // nearest-rank
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

async function lanes(concurrency: number, run: (lane: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: concurrency }, (_, lane) => run(lane)));
}

export async function measure(client: Client, next: NextRequest, opts: LoadOptions): Promise<Measurement> {
  const warmupEnd = performance.now() + opts.warmupMs;
  await lanes(opts.concurrency, async (lane) => {
    while (performance.now() < warmupEnd) await client.send(next(lane));
  });

  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const errorSamples: string[] = [];
  let errors = 0;
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + opts.maxMs;
  await lanes(opts.concurrency, async (lane) => {
    while (started < opts.requests && performance.now() < deadline) {
      started++;
      const spec = next(lane);
      const t = performance.now();
      const out = await client.send(spec);
      latencies.push(performance.now() - t);
      statuses[out.status] = (statuses[out.status] ?? 0) + 1;
      if (out.failure) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(`${spec.method} ${spec.path.slice(0, 120)} → ${out.failure}`);
      }
    }
  });
  const elapsedMs = performance.now() - t0;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    concurrency: opts.concurrency,
    requests: sorted.length,
    errors,
    errorSamples,
    statuses,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    rps: (sorted.length / elapsedMs) * 1000,
    elapsedMs,
  };
}
