/**
 * `npm run bench:converge`: relay A converges relay B to its directory (issue #9): the initial
 * sync of N users and G groups, an incremental pass with nothing changed, a reconcile of the
 * unchanged target, 1 % drift made on B and repaired by reconcile, and a reconcile after the
 * repair — per operation and with SCIM Bulk, a fresh pair of runtimes (workerd via Miniflare)
 * per run, relay A's D1 queries counted. See bench/README.md.
 *   BENCH_USERS=10000  BENCH_GROUPS=500  BENCH_MEMBERS=20,2000  BENCH_MODES=per-operation,bulk
 *   BENCH_DRIFT=1 (percent)  BENCH_CONCURRENCY=6  BENCH_RATE=1000  BENCH_BULK_CONCURRENCY=3
 */
import path from 'node:path';
import { goalLines, markdown, type BenchConvergeResult } from './lib/converge-report.ts';
import { runConverge, type ConvergeConfig, type ConvergeResult } from './lib/converge-scenario.ts';
import { startRelays, type Mode } from './lib/provision-scenario.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { bundleWorker, ROOT, type Runtime } from './lib/runtime.ts';

const ints = (name: string, fallback: string) =>
  (process.env[name] ?? fallback).split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: "${s}" is not a positive whole number`);
    return n;
  });

const MODES: readonly Mode[] = ['per-operation', 'bulk'];
const modes = (process.env.BENCH_MODES ?? MODES.join(',')).split(',').map((s) => {
  const m = s.trim() as Mode;
  if (!MODES.includes(m)) throw new Error(`BENCH_MODES: "${s}" is not one of ${MODES.join(', ')}`);
  return m;
});
const [minMembers, maxMembers] = ints('BENCH_MEMBERS', '20,2000') as [number, number];
const sizes = ints('BENCH_USERS', '10000');
const base: Omit<ConvergeConfig, 'users'> = {
  groups: ints('BENCH_GROUPS', '500')[0]!,
  minMembers,
  maxMembers,
  driftShare: Number(process.env.BENCH_DRIFT ?? '1') / 100,
  concurrency: ints('BENCH_CONCURRENCY', '6')[0]!,
  rateLimitPerSecond: ints('BENCH_RATE', '1000')[0]!,
  seedConcurrency: ints('BENCH_BULK_CONCURRENCY', '3')[0]!,
  maxTicks: ints('BENCH_MAX_TICKS', '1000')[0]!,
  pingRequests: ints('BENCH_PING_REQUESTS', '200')[0]!,
};

const log = (s: string) => console.log(s);
const live = new Set<Runtime>();
const stopAll = async () => {
  const all = [...live];
  live.clear();
  await Promise.allSettled(all.map((r) => r.dispose()));
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping the runtimes…`);
    void stopAll().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  log('bundling the worker with its D1 counter (wrangler deploy --dry-run)…');
  const script = bundleWorker('dist-converge', path.join(ROOT, 'bench/worker/d1-counter-entry.ts'));
  const runs: ConvergeResult[] = [];
  let runtime = '';
  for (const mode of modes) {
    for (const users of sizes) {
      log(`\n━━ ${mode}, ${users.toLocaleString('en')} users, ${base.groups} groups ━━`);
      try {
        const relays = await startRelays(script, `converge-${mode}-${users}`, (r) => live.add(r));
        runtime = relays.a.description;
        runs.push(await runConverge(relays, mode, { ...base, users }, log));
      } finally {
        await stopAll();
      }
    }
  }
  const result: BenchConvergeResult = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    runtime,
    config: { ...base, users: sizes, modes },
    runs,
  };
  const md = markdown(result);
  log(`\n${md}`);
  log(`wrote ${writeResults('converge', startedAt, result, md).join(' and ')}`);
  const lines = goalLines(runs);
  if (runs.some((r) => r.errors.length > 0)) {
    console.error(`\n!!! NOT A CLEAN RUN:\n${runs.flatMap((r) => r.errors.map((e) => `!!!   ${r.mode} ${r.users}: ${e}`)).join('\n')}`);
    process.exitCode = 1;
  }
  if (lines.some((l) => l.startsWith('FAIL'))) log('\nSome goals are not met (see "Goals").');
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
