/**
 * `npm run bench:limits` (issue #11): what each request kind costs against Cloudflare's
 * per-invocation limits, and what a queue-driven initial sync costs per consumer invocation.
 * Phases, each in fresh runtimes (workerd via Miniflare):
 *
 * - `directory`: BENCH_USERS users (and a big group) in relay A; every SCIM and admin request
 *   kind measured against a baseline route in the same run (the admin kinds' target has
 *   BENCH_PLAN_ROWS changed users waiting, so its plan decides a full page) — workerd process CPU per request
 *   (median and p95 over batches), D1 queries and sequential round trips per request, and the
 *   SQLite share: the kind's statements replayed in Node's SQLite on a copy of the database
 *   (bench/lib/sql-replay.ts), with the plan lines that scan. Relay B is the admin kinds' target.
 * - `sizing`: the D1 bytes a user takes (10 emails, 5 groups), so the largest directory per plan.
 * - `queue-free`, `queue-paid`: an initial sync of BENCH_QUEUE_USERS users through the real queue
 *   consumer under that profile (bench/lib/limits-queue.ts).
 *
 * Then the production-time model for what a local run cannot show (the cron's cadence, an import).
 * Environment: BENCH_USERS=100000 BENCH_BIG_GROUP=50000 BENCH_PLAN_ROWS=1000 BENCH_BATCHES=12 BENCH_PER_BATCH=25
 * BENCH_SIZE_USERS=1000 BENCH_QUEUE_USERS=10000 BENCH_PHASES=directory,sizing,queue-free,queue-paid
 * BENCH_MERGE=bench/results/limits-<timestamp>.json (sizing and queue figures of an earlier run, for phases not run now)
 * BENCH_KINDS=lookup,users?q= (only the request kinds whose name contains one of these; the baseline always runs)
 */
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from './lib/client.ts';
import { calibrate, calibrationLine, openIsolateProfiler } from './lib/isolate-cpu.ts';
import { freePort } from './lib/inspector.ts';
import { adminKinds, scimKinds } from './lib/limits-kinds.ts';
import { addSqliteShare, databaseBytes, type KindResult, measureKind, type SqlRecorder, sqlRecorder } from './lib/limits-measure.ts';
import { type QueueSyncResult, measureQueueSync } from './lib/limits-queue.ts';
import { type LimitsRun, modelRows, overGoal, report } from './lib/limits-report.ts';
import { person } from './lib/people.ts';
import { withNewWorkerd } from './lib/process-stats.ts';
import { addRelayBTarget } from './lib/provision-scenario.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { bundleWorker, type Runtime, startRuntime, WORK_DIR } from './lib/runtime.ts';
import { seed } from './lib/seed.ts';
import { copyDatabase, openReplica } from './lib/sql-replay.ts';
import { PROFILES } from '../worker/src/limits/profile.ts';

const int = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number`);
  return n;
};
const PHASES = ['directory', 'sizing', 'queue-free', 'queue-paid'] as const;
const config = {
  users: int('BENCH_USERS', 100_000),
  bigGroup: int('BENCH_BIG_GROUP', 50_000),
  planRows: int('BENCH_PLAN_ROWS', 1000),
  batches: int('BENCH_BATCHES', 12),
  perBatch: int('BENCH_PER_BATCH', 25),
  sizeUsers: int('BENCH_SIZE_USERS', 1000),
  queueUsers: int('BENCH_QUEUE_USERS', 10_000),
  phases: (process.env.BENCH_PHASES ?? PHASES.join(',')).split(',').map((p) => p.trim()),
  kinds: (process.env.BENCH_KINDS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0),
};
/** A kind runs when no filter is set or its name contains one of BENCH_KINDS. */
const selected = (spec: { kind: string }) => config.kinds.length === 0 || config.kinds.some((k) => spec.kind.includes(k));
for (const p of config.phases) if (!(PHASES as readonly string[]).includes(p)) throw new Error(`BENCH_PHASES: unknown phase "${p}" (${PHASES.join(', ')})`);
const BULK_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const log = (s: string) => console.log(s);
const live = new Set<Runtime>();
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => void Promise.allSettled([...live].map((r) => r.dispose())).finally(() => process.exit(130)));

async function started(script: string, phase: string, inspectorPort?: number): Promise<{ rt: Runtime; pid: number }> {
  const s = await withNewWorkerd(() => startRuntime(script, phase, inspectorPort ? { inspectorPort } : {}));
  live.add(s.value);
  if (s.pid === undefined) throw new Error('no workerd process found for the runtime');
  return { rt: s.value, pid: s.pid };
}
async function dispose(rt: Runtime) {
  live.delete(rt);
  await rt.dispose();
}

const line = (r: KindResult) =>
  `  ${r.kind}: process CPU ${r.cpuMsP50.toFixed(2)} ms p50, ${r.cpuMsP95.toFixed(2)} ms p95; Worker CPU ${r.worker?.p50.toFixed(2)} ms p50, ${r.worker?.p95.toFixed(2)} ms p95; ${r.queries.toFixed(1)} D1 queries, ${r.roundTrips.toFixed(1)} round trips`;

/** Adds each kind's SQLite share: its recorded statements replayed on the copy taken before they ran. */
async function replayed(results: KindResult[], recorded: [string, SqlRecorder][]): Promise<KindResult[]> {
  log('  replaying the SQL in Node’s SQLite…');
  for (const [file, sql] of recorded) {
    const replica = openReplica(file);
    try {
      addSqliteShare(results, replica, sql);
    } finally {
      replica.close();
    }
  }
  return results;
}

/** Every SCIM and admin kind at BENCH_USERS users, with the SQLite share of each. */
async function directoryPhase(script: string) {
  const port = await freePort();
  const { rt: a, pid } = await started(script, 'limits-a', port);
  const { rt: b } = await started(script, 'limits-b');
  const client = createClient(a.url, a.token);
  const profiler = await openIsolateProfiler(port, pid, () => client.send({ method: 'GET', path: '/api/v1/ping', expect: [200] }));
  try {
    const bigGroup = Math.min(config.bigGroup, config.users);
    log(`runtime: ${a.description}; seeding ${config.users.toLocaleString('en')} users (a group of ${bigGroup.toLocaleString('en')})…`);
    const t0 = performance.now();
    const dir = await seed(createClient(a.url, a.token, { keepAlive: false }), config.users, bigGroup, 3, log);
    const seedS = (performance.now() - t0) / 1000;
    log(`  seeded by /Bulk and group PATCHes in ${seedS.toFixed(0)} s`);
    // The copy the SCIM kinds' SQL replays on: taken with nothing in flight, before any logged query.
    const scimReplica = copyDatabase(a.persist, path.join(WORK_DIR, 'limits-replica-scim'));
    const sql = sqlRecorder(client);
    await sql.cut(null);
    const m = { batches: config.batches, perBatch: config.perBatch };
    const calibration = await calibrate(client, pid, profiler);
    log(`  ${calibrationLine(calibration)}`);
    const isolate = { profiler, burnMs: calibration.burnMs };
    const results: KindResult[] = [];
    const run = async (spec: Parameters<typeof measureKind>[2], recorder = sql) => {
      results.push(await measureKind(client, pid, spec, recorder, isolate));
      log(line(results.at(-1)!));
    };
    await run({
      kind: 'baseline: GET /api/v1/ping (token check, cached per isolate)',
      request: () => ({ method: 'GET', path: '/api/v1/ping', expect: [200] }),
      ...m,
    });
    for (const spec of scimKinds(client, dir, m).filter(selected)) await run(spec);
    const scimCount = results.length;
    await sql.stop();
    const admin = adminKinds({ dir, targetId: '' }, m).filter(selected);
    if (admin.length === 0)
      return { runtime: a.description, seedS, syncS: 0, kinds: await replayed(results, [[scimReplica, sql]]), scimCount, loadAvg: os.loadavg(), calibration };

    // The admin kinds' target: relay B, scoped to the big group and synced (links, runs, audit events for half the directory).
    const target = await addRelayBTarget(client, b, {
      modes: { scheduled: { enabled: true, intervalMinutes: 60, operations: { create: true, update: true, deactivate: true, delete: false } } },
      scope: { kind: 'groups', groupIds: [dir.bigGroupId] },
    });
    const t1 = performance.now();
    for (let i = 1; ; i++) {
      const r = await client.json<{ drained: boolean; caughtUp?: boolean; counts: Record<string, number> }>({
        method: 'POST',
        path: `/api/v1/targets/${target.id}/run`,
        body: {},
        expect: [200],
      });
      log(`  target sync, run ${i}: ${JSON.stringify(r.counts)}`);
      if (r.drained && r.caughtUp !== false) break;
      if (i === 200) throw new Error('the admin target did not sync in 200 runs');
    }
    const syncS = (performance.now() - t1) / 1000;
    await changeSyncedUsers(client, dir.bigGroupMembers.slice(0, config.planRows));
    // The admin kinds replay on a copy taken after the sync, which is not logged (50,000 users' statements).
    const adminReplica = copyDatabase(a.persist, path.join(WORK_DIR, 'limits-replica-admin'));
    const adminSql = sqlRecorder(client);
    await adminSql.cut(null);
    for (const spec of adminKinds({ dir, targetId: target.id }, m).filter(selected)) await run(spec, adminSql);
    await adminSql.stop();
    const kinds = await replayed(results, [
      [scimReplica, sql],
      [adminReplica, adminSql],
    ]);
    return { runtime: a.description, seedS, syncS, kinds, scimCount, loadAvg: os.loadavg(), calibration };
  } finally {
    profiler.close();
    await dispose(b);
    await dispose(a);
    for (const copy of ['limits-replica-scim', 'limits-replica-admin']) rmSync(path.join(WORK_DIR, copy), { recursive: true, force: true });
  }
}

/**
 * Rows waiting for the admin kinds' target: a title changed on synced users (Bulks of 100 PATCHes).
 * The target is scheduled only, so nothing sends them; its plan's first request moves them into
 * the outbox (a warm-up request) and every measured one decides a full page of updates.
 */
async function changeSyncedUsers(client: ReturnType<typeof createClient>, ids: string[]) {
  for (let i = 0; i < ids.length; i += 100)
    await client.json({
      method: 'POST',
      path: '/scim/v2/Bulk',
      body: {
        schemas: [BULK_URN],
        Operations: ids.slice(i, i + 100).map((id) => ({
          method: 'PATCH',
          path: `/Users/${id}`,
          data: { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'Waiting for the plan' }] },
        })),
      },
      expect: [200],
    });
}

/** D1 sizing: users with 10 emails, each in 5 groups, written through SCIM. */
async function sizingPhase(script: string) {
  const { rt } = await started(script, 'limits-size');
  try {
    const client = createClient(rt.url, rt.token);
    const before = await databaseBytes(client);
    const sized: string[] = [];
    for (let i = 0; i < config.sizeUsers; i += 200) {
      const ops = Array.from({ length: Math.min(200, config.sizeUsers - i) }, (_, k) => ({
        method: 'POST',
        path: '/Users',
        bulkId: `s${k}`,
        data: {
          ...person(i + k + 2_000_000, `sz${i}x`).body,
          emails: Array.from({ length: 10 }, (_, e) => ({ value: `p${i + k}.e${e}@mail${e}.example.org`, type: e === 0 ? 'work' : 'other', primary: e === 0 })),
        },
      }));
      const res = await client.json<{ Operations: { location: string }[] }>({
        method: 'POST',
        path: '/scim/v2/Bulk',
        body: { schemas: [BULK_URN], Operations: ops },
        expect: [200],
      });
      sized.push(...res.Operations.map((o) => o.location.split('/').pop()!));
    }
    for (let g = 0; g < 5; g++) {
      const group = await client.json<{ id: string }>({
        method: 'POST',
        path: '/scim/v2/Groups',
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Sized ${g}` },
        expect: [201],
      });
      for (let i = 0; i < sized.length; i += 500)
        await client.json({
          method: 'PATCH',
          path: `/scim/v2/Groups/${group.id}`,
          body: { schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: sized.slice(i, i + 500).map((value) => ({ value })) }] },
          expect: [200, 204],
        });
    }
    const bytesPerUser = ((await databaseBytes(client)) - before) / sized.length;
    const usersIn = (limit: number) => Math.floor((limit * 0.95) / bytesPerUser);
    return { bytesPerUser, largest: { free: usersIn(PROFILES.free.d1Bytes), paid: usersIn(PROFILES.paid.d1Bytes) } };
  } finally {
    await dispose(rt);
  }
}

async function main() {
  const startedAt = new Date().toISOString();
  const script = bundleWorker('dist-limits', 'bench/worker/limits-entry.ts');
  const directory = config.phases.includes('directory') ? await directoryPhase(script) : null;
  const sizing = config.phases.includes('sizing') ? await sizingPhase(script) : null;
  const queue: QueueSyncResult[] = [];
  for (const profile of ['free', 'paid'] as const) {
    if (!config.phases.includes(`queue-${profile}`)) continue;
    log(`queue phase, ${profile}: initial sync of ${config.queueUsers.toLocaleString('en')} users through the consumer…`);
    queue.push(await measureQueueSync(script, profile, config.queueUsers, log));
    log(`  ${JSON.stringify(queue.at(-1))}`);
  }
  // Phases not run this time can come from an earlier run's JSON (BENCH_MERGE), named in the report.
  const earlier = process.env.BENCH_MERGE ? (JSON.parse(readFileSync(process.env.BENCH_MERGE, 'utf8')) as LimitsRun) : null;
  const merged = earlier ? { from: earlier.startedAt, commit: earlier.machine.commit, phases: [] as string[] } : null;
  if (earlier && !sizing && earlier.sizing) merged!.phases.push('sizing');
  if (earlier && queue.length === 0 && earlier.queue.length > 0) merged!.phases.push('queue');
  const post = directory?.kinds.find((k) => k.kind === 'POST /Users');
  const password = directory?.kinds.find((k) => k.kind === 'POST /Users with password');
  const result = {
    startedAt,
    machine: machineInfo(),
    config,
    directory,
    passwordRatio: password && post ? password.cpuMsP50 / post.cpuMsP50 : null,
    sizing: sizing ?? earlier?.sizing ?? null,
    queue: queue.length > 0 ? queue : (earlier?.queue ?? []),
    merged,
    model: modelRows(),
  };
  const md = report(result);
  log(`\n${md}`);
  if (directory) {
    const over = overGoal(directory.kinds);
    log(over.length === 0 ? 'Worker CPU: every kind measured is under 10 ms p95' : `Worker CPU over 10 ms p95:\n${over.map((o) => `  ${o}`).join('\n')}`);
  }
  log(writeResults('limits', startedAt, result, md).join('\n'));
}

await main();
