/**
 * `npm run bench:scim`: seeds directories of increasing size into a local relay (workerd via
 * Miniflare, a fresh runtime and D1 per size) and measures the SCIM operations IdPs use most,
 * each beside a trivial authenticated route measured in the same runtime just before it.
 * See bench/README.md. Sizes and load are set by environment variables:
 *   BENCH_SIZES=10000,100000  BENCH_CONCURRENCY=1,8  BENCH_REQUESTS=600,1500
 *   BENCH_WARMUP_MS=2000  BENCH_MAX_MS=15000  BENCH_BIG_GROUP=50000  BENCH_BULK_CONCURRENCY=3
 *   BENCH_OPS=getById,deepCursor (a subset, for a quick look)
 */
import os from 'node:os';
import { createClient } from './lib/client.ts';
import { measure, type LoadOptions } from './lib/load.ts';
import { baselineOperation, scimOperations } from './lib/operations.ts';
import { errorLines, goalLines, markdown, type BenchResult, type PhaseResult, type Row } from './lib/report.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { bundleWorker, startRuntime, type Runtime } from './lib/runtime.ts';
import { seed } from './lib/seed.ts';

const ints = (name: string, fallback: string) =>
  (process.env[name] ?? fallback).split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: "${s}" is not a whole number`);
    return n;
  });

const config = {
  sizes: ints('BENCH_SIZES', '10000,100000'),
  concurrency: ints('BENCH_CONCURRENCY', '1,8'),
  requests: ints('BENCH_REQUESTS', '600,1500'),
  warmupMs: ints('BENCH_WARMUP_MS', '2000')[0]!,
  maxMs: ints('BENCH_MAX_MS', '15000')[0]!,
  baselineWarmupMs: ints('BENCH_BASELINE_WARMUP_MS', '500')[0]!,
  bigGroup: ints('BENCH_BIG_GROUP', '50000')[0]!,
  bulkConcurrency: ints('BENCH_BULK_CONCURRENCY', '3')[0]!,
  ops: process.env.BENCH_OPS ? process.env.BENCH_OPS.split(',').map((s) => s.trim()) : undefined,
};

const log = (s: string) => console.log(s);
let current: Runtime | undefined;
/** what each measured operation sends, for the report */
const details: Record<string, string> = {};

// The runtime is ours to stop, on success, on error and on Ctrl-C alike.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping the runtime…`);
    void (current?.dispose() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function runPhase(script: string, size: number): Promise<PhaseResult> {
  const bigGroupSize = Math.min(config.bigGroup, size);
  log(`\n━━ ${size.toLocaleString('en')} users ━━`);
  const runtime = await startRuntime(script, String(size));
  current = runtime;
  try {
    log(`runtime: ${runtime.description} at ${runtime.url}`);
    const client = createClient(runtime.url, runtime.token);
    log(
      `seeding ${size.toLocaleString('en')} users through /Bulk, then groups (big group: ${bigGroupSize.toLocaleString('en')} members${bigGroupSize === size ? ', i.e. every user' : ''})…`,
    );
    const dir = await seed(createClient(runtime.url, runtime.token, { keepAlive: false }), size, bigGroupSize, config.bulkConcurrency, log);
    const usersPerSecond = size / (dir.timings.usersMs / 1000);
    log(`seeded: users ${(dir.timings.usersMs / 1000).toFixed(1)} s (${usersPerSecond.toFixed(0)}/s), groups ${(dir.timings.groupsMs / 1000).toFixed(1)} s`);
    for (const n of dir.notes) console.error(`⚠ seeding workaround: ${n}`);

    const baseline = baselineOperation();
    const ops = scimOperations(client, dir, String(size)).filter((o) => !config.ops || config.ops.includes(o.key));
    for (const op of [baseline, ...ops]) details[op.key] = op.detail;
    const prepared: Record<string, string> = {};
    const rows: Row[] = [];
    for (const op of ops) {
      const note = await op.prepare?.();
      if (note) {
        prepared[op.key] = note;
        log(`  ${op.key}: ${note}`);
      }
      for (const [i, c] of config.concurrency.entries()) {
        const requests = config.requests[Math.min(i, config.requests.length - 1)]!;
        const opts: LoadOptions = { concurrency: c, warmupMs: config.warmupMs, requests, maxMs: config.maxMs };
        const base = await measure(client, baseline.next, { ...opts, warmupMs: config.baselineWarmupMs });
        const result = await measure(client, op.next, opts);
        const row: Row = { op: op.key, label: op.label, concurrency: c, result, baseline: base, ratio: result.p50 / base.p50, loadAvg: os.loadavg()[0]! };
        rows.push(row);
        const flag =
          result.errors + base.errors > 0
            ? `  ⚠ ${result.errors} errors ${JSON.stringify(result.statuses)} (baseline ${base.errors}): ${result.errorSamples[0] ?? base.errorSamples[0]}`
            : '';
        log(
          `  ${op.label.padEnd(42)} c=${String(c).padEnd(2)} p50 ${result.p50.toFixed(2).padStart(8)} ms  p95 ${result.p95.toFixed(2).padStart(8)} ms  ${result.rps.toFixed(0).padStart(5)} req/s  | baseline p50 ${base.p50.toFixed(2)} ms ${base.rps.toFixed(0)} req/s  → ${row.ratio.toFixed(2)}× (n=${result.requests})${flag}`,
        );
      }
    }
    return {
      size,
      bigGroupSize,
      runtime: runtime.description,
      seed: { ...dir.timings, usersPerSecond, bulk: dir.bulk },
      prepared,
      seedNotes: dir.notes,
      networkRetries: client.retries,
      rows,
    };
  } finally {
    current = undefined;
    await runtime.dispose();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  log('bundling the worker (wrangler deploy --dry-run)…');
  const script = bundleWorker();
  const phases: PhaseResult[] = [];
  for (const size of config.sizes) phases.push(await runPhase(script, size));

  const result: BenchResult = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    config: {
      concurrency: config.concurrency,
      requests: config.requests,
      warmupMs: config.warmupMs,
      maxMs: config.maxMs,
      baselineWarmupMs: config.baselineWarmupMs,
    },
    operations: details,
    phases,
    errors: phases.reduce((n, p) => n + p.rows.reduce((m, r) => m + r.result.errors + r.baseline.errors, 0), 0),
  };

  const md = markdown(result);
  log(`\n${md}`);
  log(`wrote ${writeResults('scim', startedAt, result, md).join(' and ')}`);

  const errors = errorLines(result);
  if (errors.length > 0) {
    const bar = '!'.repeat(78);
    console.error(`\n${bar}\n!!! ${result.errors} REQUESTS FAILED — these figures are not a clean run:\n${errors.map((l) => `!!!   ${l}`).join('\n')}\n${bar}`);
    process.exitCode = 1;
  }
  if (goalLines(result).some((l) => l.startsWith('FAIL') || l.startsWith('GROWS'))) log('\nSome goals are not met (see "Goals").');
}

main().catch(async (err: unknown) => {
  console.error(err);
  await current?.dispose().catch(() => undefined);
  process.exit(1);
});
