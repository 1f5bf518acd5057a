/**
 * `npm run bench:import`: the relay imports a Drupal site of BENCH_IMPORT_USERS (20,000) users
 * through core JSON:API (the fake Drupal 10 site of the tests, in this process), driven by the
 * worker's own cron one invocation at a time — each under the production budget — until the run
 * is done: first the full import, then an incremental one after BENCH_IMPORT_CHANGES (200) users
 * changed on the site. Baseline: `GET /api/v1/ping` on the same runtime, in the same run.
 *   BENCH_IMPORT_USERS=20000  BENCH_IMPORT_CHANGES=200  BENCH_PING_REQUESTS=200  BENCH_MAX_TICKS=400
 */
import { build } from 'esbuild';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CRON, SCHEDULED_ROUTE } from './lib/provision-drain.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { bundleWorker, ROOT, startRuntime, WORK_DIR, type Runtime } from './lib/runtime.ts';

const int = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: "${process.env[name]}" is not a positive whole number`);
  return n;
};
const config = {
  users: int('BENCH_IMPORT_USERS', 20_000),
  changes: int('BENCH_IMPORT_CHANGES', 200),
  pingRequests: int('BENCH_PING_REQUESTS', 200),
  maxTicks: int('BENCH_MAX_TICKS', 400),
};
/** What one cron invocation may spend on imports (worker/src/index.ts: 60% of createBudget(env, 'cron')). */
const INVOCATION = { requests: Math.floor(800 * 0.6), seconds: 25 * 0.6 };

interface DrupalServer {
  url: string;
  createSite(req: Record<string, unknown>): { id: string; baseUrl: string; controlUrl: string };
  close(): Promise<void>;
}

/** The fake Drupal site's sources import without extensions (vite resolves them); bundle for Node. */
async function loadDrupalSite(): Promise<{ startDrupalSite: () => Promise<DrupalServer> }> {
  const outfile = path.join(WORK_DIR, 'drupal-site.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'test/support/drupal-site/server.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'silent',
  });
  return (await import(pathToFileURL(outfile).href)) as { startDrupalSite: () => Promise<DrupalServer> };
}

async function call(rt: Runtime, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(`${rt.url}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

async function ping(rt: Runtime, n: number): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call(rt, 'GET', '/ping');
    ms.push(performance.now() - t);
  }
  return { p50: pct(ms, 50), p95: pct(ms, 95) };
}

interface PhaseResult {
  phase: 'full' | 'incremental';
  /** accounts on the site the phase had to consider (full: all; incremental: changed) */
  accounts: number;
  ms: number;
  tickMs: number[];
  ticks: number;
  siteRequests: number;
  counts: Record<string, number>;
  status: string;
  cpu: { userS: number; systemS: number };
}

async function drive(rt: Runtime, sourceId: string, siteLog: () => Promise<number>, phase: PhaseResult['phase'], accounts: number): Promise<PhaseResult> {
  const before = await siteLog();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const tickMs: number[] = [];
  let run: { status: string; counts: string } | null = null;
  for (let i = 0; i < config.maxTicks; i++) {
    const t = performance.now();
    const res = await fetch(`${rt.url}${SCHEDULED_ROUTE}?cron=${encodeURIComponent(CRON)}`);
    await res.text();
    tickMs.push(performance.now() - t);
    const source = await call(rt, 'GET', `/sources/${sourceId}`);
    run = await rt.db
      .prepare('SELECT status, counts FROM import_runs WHERE source_id = ? ORDER BY started_at DESC LIMIT 1')
      .bind(sourceId)
      .first<{ status: string; counts: string }>();
    process.stdout.write(`\r  ${phase}: tick ${i + 1}, ${JSON.parse(run?.counts ?? '{}').read ?? 0} read   `);
    if (!source.running) break;
  }
  process.stdout.write('\n');
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  return {
    phase,
    accounts,
    ms,
    tickMs,
    ticks: tickMs.length,
    siteRequests: (await siteLog()) - before,
    counts: JSON.parse(run?.counts ?? '{}'),
    status: run?.status ?? 'none',
    cpu: { userS: cpu.user / 1e6, systemS: cpu.system / 1e6 },
  };
}

function markdown(
  startedAt: string,
  result: { machine: ReturnType<typeof machineInfo>; runtime: string; baseline: { p50: number; p95: number }; phases: PhaseResult[]; load: number[] },
): string {
  const m = result.machine;
  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const rows = result.phases.map((p) => {
    const written = (p.counts.created ?? 0) + (p.counts.updated ?? 0) + (p.counts.deactivated ?? 0);
    const perTick = p.counts.read ? p.counts.read / p.ticks : 0;
    return `| ${p.phase} | ${fmt(p.accounts)} | ${fmt(p.counts.read ?? 0)} | ${fmt(written)} | ${p.status} | ${fmt(p.ms / 1000, 1)} | ${fmt((p.counts.read ?? 0) / (p.ms / 1000))} | ${fmt(p.siteRequests)} | ${fmt(p.counts.pages ?? 0)} | ${p.ticks} | ${fmt(perTick)} | ${fmt(pct(p.tickMs, 50) / 1000, 2)} / ${fmt(Math.max(...p.tickMs) / 1000, 2)} |`;
  });
  return [
    `# Import benchmark — ${startedAt}`,
    '',
    `- Commit \`${m.commit}\`${m.dirty ? ' (working tree has uncommitted changes)' : ''}; Node ${m.node} (${m.platform}); ${m.cpus} CPUs (${m.cpuModel}); load average at the end ${result.load.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min; other work shares the machine).`,
    `- Runtime: ${result.runtime}. The Drupal site is the tests' fake Drupal 10 JSON:API server (test/support/drupal-site), in the bench process, ${fmt(config.users)} generated users (every 20th blocked, every 7th a content editor).`,
    `- Each tick is one \`scheduled\` invocation through Miniflare's trigger route, as Cron Triggers would call it. The importer gets ${INVOCATION.requests} requests (source GETs and D1 round trips) and ${INVOCATION.seconds} s of wall time per invocation (60% of the dispatcher's budget; wall time stands in for CPU time, which it bounds from above). In production the ticks are the cron's interval apart (*/5: 5 minutes).`,
    `- Baseline, same runtime, same run: \`GET /api/v1/ping\` p50 ${fmt(result.baseline.p50, 2)} ms, p95 ${fmt(result.baseline.p95, 2)} ms (${config.pingRequests} sequential requests).`,
    '',
    '| phase | accounts | read | written | status | wall s | accounts read/s | site requests | pages | invocations | accounts per invocation | tick s p50 / max |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Per page of 50 accounts: one JSON:API request and a handful of D1 round trips (links, users, the batch insert, link upserts, the cursor). "read" includes the accounts re-read at the watermark's own second; "written" counts created + updated + deactivated users. Costs relative to the baseline: one ping is ${fmt(result.baseline.p50, 2)} ms; the full import costs ${fmt(result.phases[0] ? result.phases[0].ms / Math.max(1, result.phases[0].counts.read ?? 1) : 0, 2)} ms of wall time per account.`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  console.log(`bench:import — ${config.users} users, ${config.changes} changes`);
  const script = bundleWorker('dist-import');
  const { startDrupalSite } = await loadDrupalSite();
  const drupal = await startDrupalSite();
  const rt = await startRuntime(script, 'import', { triggerHandlers: true });
  const stop = async () => {
    await rt.dispose().catch(() => undefined);
    await drupal.close().catch(() => undefined);
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const t0 = performance.now();
    const site = drupal.createSite({ adminUser: false, generate: config.users, generatePrefix: 'member' });
    console.log(`  site with ${config.users} users in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${site.baseUrl}`);
    const siteLog = async () => ((await (await fetch(`${site.controlUrl}/requests`)).json()) as { requests: unknown[] }).requests.length;

    const baseline = await ping(rt, config.pingRequests);
    console.log(`  baseline ping p50 ${baseline.p50.toFixed(2)} ms`);
    const source = await call(rt, 'POST', '/sources', {
      name: 'bench',
      kind: 'drupal-jsonapi',
      baseUrl: site.baseUrl,
      credentials: { type: 'basic', username: 'admin', password: 'admin-pass' },
    });

    const full = await drive(rt, source.id, siteLog, 'full', config.users);
    console.log(`  full: ${full.status} in ${(full.ms / 1000).toFixed(1)} s, ${full.ticks} invocations, ${full.siteRequests} site requests`);

    // Change users on the site a second after the watermark, as saves in Drupal would.
    const state = (await (await fetch(`${site.controlUrl}/state`)).json()) as { users: { uid: number; changed: number }[] };
    const later = Math.max(...state.users.map((u) => u.changed)) + 1;
    const step = Math.floor(config.users / config.changes);
    for (let i = 0; i < config.changes; i++) {
      const uid = 1 + i * step + 1;
      await fetch(`${site.controlUrl}/users/${uid}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mail: `changed-${uid}@example.org`, changed: later }),
      });
    }
    // The incremental is due at the next cron once its interval has passed.
    await rt.db.prepare("UPDATE sources SET last_run_at = '2000-01-01T00:00:00.000Z' WHERE id = ?").bind(source.id).run();
    const incremental = await drive(rt, source.id, siteLog, 'incremental', config.changes);
    console.log(
      `  incremental: ${incremental.status} in ${(incremental.ms / 1000).toFixed(1)} s, ${incremental.ticks} invocations, ${incremental.siteRequests} site requests`,
    );

    const check = await rt.db.prepare('SELECT count(*) AS n FROM users').first<{ n: number }>();
    const changed = await rt.db.prepare("SELECT count(*) AS n FROM user_values WHERE attr = 'emails' AND value LIKE 'changed-%'").first<{ n: number }>();
    const problems: string[] = [];
    if (check?.n !== config.users) problems.push(`directory has ${check?.n} users, expected ${config.users}`);
    if (changed?.n !== config.changes) problems.push(`${changed?.n} changed emails arrived, expected ${config.changes}`);
    if (full.status !== 'done' || incremental.status !== 'done') problems.push(`runs ended ${full.status} / ${incremental.status}`);

    const result = {
      config,
      invocationBudget: INVOCATION,
      machine: machineInfo(),
      runtime: rt.description,
      baseline,
      phases: [full, incremental],
      load: os.loadavg(),
      problems,
    };
    const md = markdown(startedAt, result) + (problems.length ? `\n**PROBLEMS:** ${problems.join('; ')}\n` : '');
    console.log(`\n${md}`);
    console.log(writeResults('import', startedAt, result, md).join('\n'));
    if (problems.length) {
      console.error(`IMPORT BENCH FOUND PROBLEMS: ${problems.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await stop();
  }
}

await main();
