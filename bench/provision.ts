/**
 * `npm run bench:provision`: relay A provisions N directory users into relay B (a second local
 * relay) in scheduled mode — the initial sync, then a share of users changed, then unchanged
 * users queued again — once per operation and once with SCIM Bulk, at each size. A fresh pair of
 * runtimes (workerd via Miniflare, each with its own D1) per run. See bench/README.md.
 *   BENCH_USERS=2000,5000,10000  BENCH_MODES=per-operation,bulk  BENCH_UPDATES=<10% of users>
 *   BENCH_CONCURRENCY=6  BENCH_RATE=1000  BENCH_PING_REQUESTS=200  BENCH_BULK_CONCURRENCY=3
 */
import { errorLines, goalLines, markdown, type BenchProvisionResult } from './lib/provision-report.ts';
import { runScenario, startRelays, type Mode, type ScenarioResult } from './lib/provision-scenario.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { bundleWorker, type Runtime } from './lib/runtime.ts';

const ints = (name: string, fallback: string) =>
  (process.env[name] ?? fallback).split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: "${s}" is not a positive whole number`);
    return n;
  });

const MODES: readonly Mode[] = ['per-operation', 'bulk'];
const config = {
  users: ints('BENCH_USERS', '2000,5000,10000'),
  modes: (process.env.BENCH_MODES ?? MODES.join(',')).split(',').map((s) => {
    const m = s.trim() as Mode;
    if (!MODES.includes(m)) throw new Error(`BENCH_MODES: "${s}" is not one of ${MODES.join(', ')}`);
    return m;
  }),
  /** changed users per run; default 10% of the run's users */
  updates: process.env.BENCH_UPDATES ? ints('BENCH_UPDATES', '')[0]! : undefined,
  concurrency: ints('BENCH_CONCURRENCY', '6')[0]!,
  rateLimitPerSecond: ints('BENCH_RATE', '1000')[0]!,
  pingRequests: ints('BENCH_PING_REQUESTS', '200')[0]!,
  seedConcurrency: ints('BENCH_BULK_CONCURRENCY', '3')[0]!,
  maxTicks: ints('BENCH_MAX_TICKS', '500')[0]!,
  memoryEveryMs: ints('BENCH_MEMORY_EVERY_MS', '250')[0]!,
};

const log = (s: string) => console.log(s);
/** runtimes alive right now: stopped on success, on error and on Ctrl-C alike */
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

async function run(script: string, mode: Mode, users: number): Promise<{ result: ScenarioResult; runtime: string }> {
  log(`\n━━ ${mode}, ${users.toLocaleString('en')} users ━━`);
  try {
    const relays = await startRelays(script, `provision-${mode}-${users}`, (r) => live.add(r));
    log(`  relay A ${relays.a.url} (workerd pid ${relays.pidA ?? '?'}), relay B ${relays.b.url} (pid ${relays.pidB ?? '?'})`);
    const updates = Math.min(users, config.updates ?? Math.max(1, Math.round(users / 10)));
    const result = await runScenario(relays, mode, { ...config, users, updates }, log);
    return { result, runtime: relays.a.description };
  } finally {
    await stopAll();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  log('bundling the worker (wrangler deploy --dry-run)…');
  const script = bundleWorker('dist-provision');
  const runs: ScenarioResult[] = [];
  let runtime = '';
  for (const mode of config.modes) {
    for (const users of config.users) {
      const r = await run(script, mode, users);
      runs.push(r.result);
      runtime = r.runtime;
    }
  }
  const result: BenchProvisionResult = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    runtime,
    config,
    runs,
  };
  const md = markdown(result);
  log(`\n${md}`);
  log(`wrote ${writeResults('provision', startedAt, result, md).join(' and ')}`);

  const errors = errorLines(runs);
  if (errors.length > 0) {
    const bar = '!'.repeat(78);
    console.error(`\n${bar}\n!!! NOT A CLEAN RUN:\n${errors.map((l) => `!!!   ${l}`).join('\n')}\n${bar}`);
    process.exitCode = 1;
  }
  if (goalLines(runs).some((l) => l.startsWith('FAIL'))) log('\nSome goals are not met (see "Goals").');
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
