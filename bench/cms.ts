/**
 * `npm run bench:cms`: the relay against the tests' fake WordPress and Joomla sites (built from
 * the real captures, started in this process), for each CMS in turn:
 *   1. sync — a target of that kind, then BENCH_CMS_USERS (2,000) directory users seeded by
 *      SCIM /Bulk and provisioned to the site by the worker's cron until the outbox is empty;
 *      then the same users queued again, unchanged ("re-run": the goal is 0 writes);
 *   2. import — in a fresh runtime, the same site (now holding those users and its admin) as a
 *      source: a full import driven by the cron, then an unchanged full re-run (0 directory writes).
 * Figures: wall time, requests to the site per user (the site's own request log), reads and
 * writes. Baseline: `GET /api/v1/ping` on the same runtime, in the same run, per phase.
 *   BENCH_CMS_USERS=2000  BENCH_CMS_KINDS=wordpress,joomla  BENCH_PING_REQUESTS=200  BENCH_MAX_TICKS=400
 */
import os from 'node:os';
import { createClient } from './lib/client.ts';
import { createCmsSite, siteRequests, siteUsers, startCmsServer, tally, type CmsKind, type CmsServer, type CmsSite } from './lib/cms-site.ts';
import { drainOutbox, type DrainResult } from './lib/provision-drain.ts';
import { enqueueUsers } from './lib/provision-checks.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { bundleWorker, startRuntime, type Runtime } from './lib/runtime.ts';
import { seedUserDirectory } from './lib/seed.ts';
import { driveImport, type ImportDrive } from './lib/source-drive.ts';

const int = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: "${process.env[name]}" is not a positive whole number`);
  return n;
};
const kinds = (process.env.BENCH_CMS_KINDS ?? 'wordpress,joomla').split(',').map((k) => k.trim()) as CmsKind[];
for (const k of kinds) if (k !== 'wordpress' && k !== 'joomla') throw new Error(`BENCH_CMS_KINDS: unknown kind "${k}"`);
const config = {
  users: int('BENCH_CMS_USERS', 2_000),
  kinds,
  pingRequests: int('BENCH_PING_REQUESTS', 200),
  maxTicks: int('BENCH_MAX_TICKS', 400),
  seedConcurrency: 2,
};

const TARGET_KIND = { wordpress: 'wordpress-rest', joomla: 'joomla-webservices' } as const;
const SOURCE_KIND = TARGET_KIND;
const ops = { create: true, update: true, deactivate: true, delete: false };

async function call(rt: Runtime, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(`${rt.url}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${rt.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 500)}`);
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

/** Runs a phase on a runtime of its own, disposed of whatever happens. */
async function withRuntime<T>(script: string, phase: string, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await startRuntime(script, phase, { triggerHandlers: true });
  try {
    return await fn(rt);
  } finally {
    await rt.dispose().catch(() => undefined);
  }
}

interface Measured {
  label: string;
  users: number;
  ms: number;
  ticks: number;
  site: ReturnType<typeof tally>;
  /** directory writes (import) or outcome counts (sync) */
  counts: Record<string, number>;
  status: string;
}

const lastSeq = async (site: CmsSite) => (await siteRequests(site)).at(-1)?.seq ?? 0;

function fromDrain(label: string, users: number, d: DrainResult, reqs: Awaited<ReturnType<typeof siteRequests>>): Measured {
  const counts: Record<string, number> = {};
  for (const t of d.ticks) for (const [k, v] of Object.entries(t.counts)) if (typeof v === 'number') counts[k] = (counts[k] ?? 0) + v;
  return {
    label,
    users,
    ms: d.ms,
    ticks: d.ticks.length,
    site: tally(reqs),
    counts,
    status: d.stuck ? `stuck: ${d.stuck}` : d.left === 0 ? 'drained' : `${d.left} left`,
  };
}

function fromImport(label: string, users: number, d: ImportDrive, reqs: Awaited<ReturnType<typeof siteRequests>>): Measured {
  return { label, users, ms: d.ms, ticks: d.ticks, site: tally(reqs), counts: d.counts, status: `${d.kind} ${d.status}` };
}

async function syncPhase(script: string, server: CmsServer, kind: CmsKind, log: (s: string) => void) {
  return withRuntime(script, `cms-${kind}-sync`, async (rt) => {
    const site = await createCmsSite(server);
    const baseline = await ping(rt, config.pingRequests);
    log(`  ${kind} sync: baseline ping p50 ${baseline.p50.toFixed(2)} ms; site ${site.baseUrl}`);
    // The target exists before the users do: each seeded user is queued by the change-log trigger.
    const target = await call(rt, 'POST', '/targets', {
      name: `bench ${kind}`,
      kind: TARGET_KIND[kind],
      baseUrl: site.baseUrl,
      token: site.adminToken,
      modes: { scheduled: { enabled: true, intervalMinutes: 1, operations: ops } },
      // Throughput, not approval: the mass-creation guard (test/e2e/scope.test.ts) would hold the first sync.
      creationThreshold: 0,
    });
    const seeded = await seedUserDirectory(createClient(rt.url, rt.token, { keepAlive: false }), config.users, config.seedConcurrency, log);
    log(`  seeded ${config.users} users by /Bulk in ${(seeded.usersMs / 1000).toFixed(1)} s`);

    let since = await lastSeq(site);
    const drain = await drainOutbox({
      db: rt.db,
      relayUrl: rt.url,
      targetId: target.id,
      maxTicks: config.maxTicks,
      maxBackoffWaitS: 120,
      onTick: (t, i) => process.stdout.write(`\r  ${kind} first sync: tick ${i + 1}, ${t.left} left   `),
    });
    process.stdout.write('\n');
    const first = fromDrain('first sync', config.users, drain, await siteRequests(site, since));
    log(`  first sync: ${first.status} in ${(first.ms / 1000).toFixed(1)} s, ${first.site.requests} site requests (${first.site.writes} writes)`);

    since = await lastSeq(site);
    await enqueueUsers(
      rt.db,
      target.id,
      seeded.users.map((u) => u.id),
    );
    const again = await drainOutbox({
      db: rt.db,
      relayUrl: rt.url,
      targetId: target.id,
      maxTicks: config.maxTicks,
      maxBackoffWaitS: 120,
      onTick: (t, i) => process.stdout.write(`\r  ${kind} unchanged re-run: tick ${i + 1}, ${t.left} left   `),
    });
    process.stdout.write('\n');
    const rerun = fromDrain('unchanged re-run (sync)', config.users, again, await siteRequests(site, since));
    log(`  unchanged re-run: ${rerun.status} in ${(rerun.ms / 1000).toFixed(1)} s, ${rerun.site.requests} site requests (${rerun.site.writes} writes)`);
    const onSite = (await siteUsers(site)).length;
    return { site, baseline, phases: [first, rerun], onSite, runtime: rt.description };
  });
}

async function importPhase(script: string, kind: CmsKind, site: CmsSite, accounts: number, log: (s: string) => void) {
  return withRuntime(script, `cms-${kind}-import`, async (rt) => {
    const baseline = await ping(rt, config.pingRequests);
    log(`  ${kind} import: baseline ping p50 ${baseline.p50.toFixed(2)} ms`);
    const credentials =
      kind === 'wordpress'
        ? { type: 'basic', username: site.adminToken.slice(0, site.adminToken.indexOf(':')), password: site.adminToken.slice(site.adminToken.indexOf(':') + 1) }
        : { type: 'bearer', token: site.adminToken };
    const source = await call(rt, 'POST', '/sources', {
      name: `bench ${kind}`,
      kind: SOURCE_KIND[kind],
      baseUrl: site.baseUrl,
      credentials,
      settings: { deletionThreshold: 10 },
    });
    const test = await call(rt, 'POST', `/sources/${source.id}/test`);
    if (!test.ok) throw new Error(`Save and test of the ${kind} source failed: ${test.problems.join(' ')}`);

    let since = await lastSeq(site);
    const full = await driveImport(rt, source.id, config.maxTicks, `${kind} import`);
    const first = fromImport('first import', accounts, full, await siteRequests(site, since));
    log(`  first import: ${first.status} in ${(first.ms / 1000).toFixed(1)} s, ${first.site.requests} site requests`);

    // the next full reconciliation is due at the next cron
    await rt.db
      .prepare("UPDATE sources SET last_full_at = '2000-01-01T00:00:00.000Z', last_run_at = '2000-01-01T00:00:00.000Z' WHERE id = ?")
      .bind(source.id)
      .run();
    since = await lastSeq(site);
    const again = await driveImport(rt, source.id, config.maxTicks, `${kind} unchanged re-run`);
    const rerun = fromImport('unchanged re-run (import)', accounts, again, await siteRequests(site, since));
    log(`  unchanged re-run: ${rerun.status} in ${(rerun.ms / 1000).toFixed(1)} s, ${rerun.site.requests} site requests`);
    const directory = (await rt.db.prepare('SELECT count(*) AS n FROM users').first<{ n: number }>())?.n ?? 0;
    return { baseline, phases: [first, rerun], directory };
  });
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function markdown(
  startedAt: string,
  result: { machine: ReturnType<typeof machineInfo>; runtime: string; cms: CmsResult[]; load: number[]; problems: string[] },
): string {
  const m = result.machine;
  const lines = [
    `# CMS benchmark — ${startedAt}`,
    '',
    `- Commit \`${m.commit}\`${m.dirty ? ' (working tree has uncommitted changes)' : ''}; Node ${m.node} (${m.platform}); ${m.cpus} CPUs (${m.cpuModel}); load average at the end ${result.load.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min; other work shares the machine).`,
    `- Runtime: ${result.runtime}; a fresh runtime per phase. The sites are the tests' fake WordPress 6.9 and Joomla 5.2 (test/support/*-site, built from the real captures), in the bench process.`,
    `- Sync: a ${'`scheduled`'} target of the CMS's kind; ${fmt(config.users)} users seeded by SCIM /Bulk, then provisioned by one cron invocation at a time until the outbox is empty; "re-run" queues the same ${fmt(config.users)} users again, unchanged. Import: the same site (its users now, plus its admin) as a source in a fresh runtime, a full import by the cron, then an unchanged full reconciliation.`,
    `- Site requests are counted by the site itself (its request log); a write is any method but GET. "directory writes" are the import run's created + updated + deactivated.`,
    '',
    '| CMS | phase | users | status | wall s | invocations | site requests | per user | reads | writes | directory writes | ping p50 ms (same runtime) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const c of result.cms) {
    for (const p of c.phases) {
      const dirWrites = p.label.includes('import') ? String((p.counts.created ?? 0) + (p.counts.updated ?? 0) + (p.counts.deactivated ?? 0)) : '—';
      const baseline = p.label.includes('import') ? c.importBaseline : c.syncBaseline;
      lines.push(
        `| ${c.kind} | ${p.label} | ${fmt(p.users)} | ${p.status} | ${fmt(p.ms / 1000, 1)} | ${p.ticks} | ${fmt(p.site.requests)} | ${fmt(p.site.requests / Math.max(1, p.users), 2)} | ${fmt(p.site.reads)} | ${fmt(p.site.writes)} | ${dirWrites} | ${fmt(baseline.p50, 2)} |`,
      );
    }
  }
  lines.push('', 'Requests by route (ids folded):', '');
  for (const c of result.cms) {
    for (const p of c.phases)
      lines.push(
        `- ${c.kind}, ${p.label}: ${Object.entries(p.site.byRoute)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `\`${k}\` ${fmt(v)}`)
          .join(', ')}`,
      );
  }
  if (result.problems.length) lines.push('', `**PROBLEMS:** ${result.problems.join('; ')}`);
  lines.push('');
  return lines.join('\n');
}

interface CmsResult {
  kind: CmsKind;
  syncBaseline: { p50: number; p95: number };
  importBaseline: { p50: number; p95: number };
  phases: Measured[];
  siteUsers: number;
  directoryUsers: number;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  console.log(`bench:cms — ${config.users} users, ${config.kinds.join(' and ')}`);
  const script = bundleWorker('dist-cms');
  const results: CmsResult[] = [];
  const problems: string[] = [];
  let runtime = '';
  for (const kind of config.kinds) {
    const server = await startCmsServer(kind);
    try {
      const sync = await syncPhase(script, server, kind, console.log);
      const accounts = sync.onSite;
      const imported = await importPhase(script, kind, sync.site, accounts, console.log);
      runtime = sync.runtime;
      results.push({
        kind,
        syncBaseline: sync.baseline,
        importBaseline: imported.baseline,
        phases: [...sync.phases, ...imported.phases],
        siteUsers: accounts,
        directoryUsers: imported.directory,
      });
      const [first, rerun] = sync.phases;
      const [imp, reimp] = imported.phases;
      if (accounts !== config.users + 1) problems.push(`${kind}: the site holds ${accounts} users after the sync, expected ${config.users} and its admin`);
      if (first!.status !== 'drained' || rerun!.status !== 'drained') problems.push(`${kind}: sync ${first!.status} / re-run ${rerun!.status}`);
      if (rerun!.site.writes !== 0) problems.push(`${kind}: the unchanged re-run wrote ${rerun!.site.writes} times to the site`);
      if (imported.directory !== accounts) problems.push(`${kind}: the import's directory holds ${imported.directory} users, the site ${accounts}`);
      if (!imp!.status.endsWith('done') || !reimp!.status.endsWith('done')) problems.push(`${kind}: import ${imp!.status} / re-run ${reimp!.status}`);
      const dirWrites = (reimp!.counts.created ?? 0) + (reimp!.counts.updated ?? 0) + (reimp!.counts.deactivated ?? 0);
      if (dirWrites !== 0) problems.push(`${kind}: the unchanged import re-run wrote ${dirWrites} directory users`);
    } finally {
      await server.close().catch(() => undefined);
    }
  }
  const result = { config, machine: machineInfo(), runtime, cms: results, load: os.loadavg(), problems };
  const md = markdown(startedAt, result);
  console.log(`\n${md}`);
  console.log(writeResults('cms', startedAt, result, md).join('\n'));
  if (problems.length) {
    console.error(`CMS BENCH FOUND PROBLEMS: ${problems.join('; ')}`);
    process.exitCode = 1;
  }
}

await main();
