/**
 * bench:limits's queue phases, per invocation: the Worker CPU each consumer invocation (or
 * "Reconcile now" request) spent, measured in relay A's isolate (isolate-cpu.ts), beside what the
 * CPU cost model (worker/src/limits/cpu.ts) charged it — its base and what its budgets charged
 * (the limits meter's `cpuCharged`), or for a reconcile the users it compared at `reconciledUser`.
 * A least-squares line through (items, measured) gives the measured base and cost per item that
 * the model's constants are checked against.
 */
import { CPU_MS } from '../../worker/src/limits/cpu.ts';
import { cpuInWindows, nowUs, quantile, type Samples } from './isolate-cpu.ts';

export interface InvocationCpu {
  /** Worker CPU measured, ms */
  measuredMs: number;
  /** what the cost model charged, ms (its base included) */
  chargedMs: number;
  /** the work items it charged for: rows provisioned, users compared */
  items: number;
}

export interface Spread {
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

export interface CpuAgainstModel {
  invocations: number;
  measured: Spread;
  charged: Spread;
  /** invocations whose measured CPU exceeded the model's charge */
  overCharged: number;
  /** measured ÷ charged: the largest */
  worstRatio: number;
  /** measured ≈ baseMs + perItemMs × items (least squares) */
  fit: { baseMs: number; perItemMs: number };
  /** the profile's recorded share of the isolate's CPU (the standard's) */
  share: number;
  /** every invocation, in order (the JSON's, for a closer look; absent in runs before 2026-12-07T22:25) */
  each?: InvocationCpu[];
}

const spread = (xs: number[]): Spread => ({
  mean: xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length),
  p50: quantile(xs, 0.5),
  p95: quantile(xs, 0.95),
  max: Math.max(0, ...xs),
});

/** The line through (items, measured); NaN where fewer than three item counts make no line worth reading. */
function leastSquares(points: { x: number; y: number }[]): { baseMs: number; perItemMs: number } {
  if (new Set(points.map((p) => p.x)).size < 3) return { baseMs: Number.NaN, perItemMs: Number.NaN };
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const perItemMs = sxy / sxx;
  return { baseMs: my - perItemMs * mx, perItemMs };
}

export function againstModel(per: InvocationCpu[], share: number): CpuAgainstModel {
  const ratios = per.map((i) => i.measuredMs / i.chargedMs);
  return {
    invocations: per.length,
    measured: spread(per.map((i) => i.measuredMs)),
    charged: spread(per.map((i) => i.chargedMs)),
    overCharged: per.filter((i) => i.measuredMs > i.chargedMs).length,
    worstRatio: Math.max(0, ...ratios),
    fit: leastSquares(per.map((i) => ({ x: i.items, y: i.measuredMs }))),
    share,
    each: per,
  };
}

/** A consumer invocation as the bench entry records it (bench/worker/limits-entry.ts). */
export interface RecordedInvocation {
  startedAt: number;
  ms: number;
  usage: { cpuCharged: number } | null;
}

/** CPU after an invocation's last I/O that workerd's clock (it moves on I/O) does not show, ms of slack */
const TAIL_MS = 5;

/**
 * Each consumer invocation's samples: from its start (Date.now() at the event, ms: 1 ms earlier)
 * to its last I/O plus TAIL_MS, never into the next invocation. Wall-clock ms become the
 * profile's CLOCK_MONOTONIC µs through this process's offset between the two clocks.
 */
export function consumerCpu(s: Samples, invocations: RecordedInvocation[], share: number): InvocationCpu[] {
  const offsetUs = Date.now() * 1000 - nowUs();
  const starts = invocations.map((i) => (i.startedAt - 1) * 1000 - offsetUs);
  const windows = invocations.map(
    (i, k) => [starts[k]!, Math.min(starts[k]! + (i.ms + 1 + TAIL_MS) * 1000, starts[k + 1] ?? Number.POSITIVE_INFINITY)] as const,
  );
  const measured = cpuInWindows(s, windows, share);
  return invocations.map((i, k) => {
    const charged = i.usage?.cpuCharged ?? 0;
    return { measuredMs: measured[k]!, chargedMs: CPU_MS.base + charged, items: charged / CPU_MS.outboundRow };
  });
}
