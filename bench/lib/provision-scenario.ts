/**
 * One bench:provision run: relay A (source) and relay B (target), each a fresh workerd with its
 * own D1; A provisions N users into B in scheduled mode (initial sync), then a share of them
 * change (updates), then unchanged users are queued again (resync, which must send nothing).
 */
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Capabilities, Target } from '../../shared/src/targets.ts';
import { createClient, type Client } from './client.ts';
import { measure, type Measurement } from './load.ts';
import { baselineOperation, deck } from './operations.ts';
import { cpuSeconds, rssMiB, sampleMemory, withNewWorkerd, type MemorySample } from './process-stats.ts';
import { auditMark, trafficSince, type Traffic } from './provision-audit.ts';
import { changeMark, changesSince, compareDirectories, enqueueUsers, outboxIds, type Correctness } from './provision-checks.ts';
import { drainOutbox, type DrainResult } from './provision-drain.ts';
import { openHeapProbe } from './heap-probe.ts';
import { freePort } from './inspector.ts';
import { startRuntime, WORK_DIR, type Runtime } from './runtime.ts';
import { seedUserDirectory, type SeededUser } from './seed.ts';

export type Mode = 'per-operation' | 'bulk';

export interface ScenarioConfig {
  users: number;
  updates: number;
  concurrency: number;
  rateLimitPerSecond: number;
  pingRequests: number;
  seedConcurrency: number;
  maxTicks: number;
  memoryEveryMs: number;
}

export interface Phase {
  drain: DrainResult;
  traffic: Traffic;
  /** writes relay B made during the phase (from B's change log) */
  writesOnB: { rows: number; resources: number };
  /** rows queued for the target before the first tick */
  queued: number;
  /** CPU used during the drain, as a share of one core (1 = one core busy the whole time) */
  cpu: { relayA: number; relayB: number; bench: number };
  /** the machine's 1-minute load average after the drain: anything above A + B + bench is someone else */
  loadAvg: number;
}

export interface ScenarioResult {
  mode: Mode;
  users: number;
  updates: number;
  concurrency: number;
  rateLimitPerSecond: number;
  capabilities: Capabilities | null;
  seedMs: number;
  /** GET /api/v1/ping on B, sequential, from the bench process */
  ping: Measurement;
  initial: Phase;
  update: Phase;
  /** unchanged users queued again: the dispatcher must send nothing */
  resync: Phase;
  memory: {
    pidA?: number;
    pidB?: number;
    samples: MemorySample[];
    startMiB: number;
    middleMiB: number;
    endMiB: number;
    peakMiB: number;
    /** relay A's D1 files before and after the initial sync (the database lives in A's workerd) */
    dbStartMiB: number;
    dbEndMiB: number;
    /** RssAnon at the start and its peak */
    anonStartMiB: number;
    anonPeakMiB: number;
    bAtEndMiB: number;
    /** relay A's worker isolate: live heap after a full GC, before and after the initial sync (heap-probe.ts) */
    heapStartMiB: number;
    heapEndMiB: number;
  };
  /** users (by id on A) that requests or Bulk operations named while only the updated ones were queued */
  unchangedTouched: number;
  correctness: Correctness;
}

/** Size of the files under a directory (relay A's SQLite files), MiB. */
function dirMiB(dir: string): number {
  try {
    return (
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .reduce((sum, e) => sum + statSync(path.join(e.parentPath, e.name)).size, 0) /
      2 ** 20
    );
  } catch {
    return Number.NaN;
  }
}

const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

interface Relays {
  /** relay A's D1 directory (runtime.ts persists each runtime's D1 under bench/.work/d1-<phase>) */
  persistA: string;
  a: Runtime;
  b: Runtime;
  pidA: number | undefined;
  pidB: number | undefined;
  /** relay A's inspector port (its worker's heap) */
  inspectorA: number;
}

/** Starts B then A (A with the cron route); the caller disposes of both, whatever happens. */
export async function startRelays(script: string, tag: string, track: (r: Runtime) => void): Promise<Relays> {
  const b = await withNewWorkerd(() => startRuntime(script, `${tag}-b`));
  track(b.value);
  const inspectorA = await freePort();
  const a = await withNewWorkerd(() => startRuntime(script, `${tag}-a`, { triggerHandlers: true, inspectorPort: inspectorA }));
  track(a.value);
  return { persistA: path.join(WORK_DIR, `d1-${tag}-a`), a: a.value, b: b.value, pidA: a.pid, pidB: b.pid, inspectorA };
}

/** Save and test: learns B's capabilities (PATCH, Bulk with its maxOperations) as an admin would; B must offer Bulk. */
export async function saveAndTest(a: Client, targetId: string): Promise<Capabilities> {
  const test = await a.json<{ ok: boolean; capabilities?: Capabilities; problems: string[] }>({
    method: 'POST',
    path: `/api/v1/targets/${targetId}/test`,
    body: {},
    expect: [200],
  });
  if (!test.ok || !test.capabilities?.bulk)
    throw new Error(`save-and-test of relay B: ok=${test.ok}, bulk=${test.capabilities?.bulk}, problems: ${test.problems.join('; ')}`);
  return test.capabilities;
}

/**
 * Relay B as A's target with these settings, saved and tested (B offers Bulk). Benches measure
 * throughput, not approval: no mass-creation guard (test/e2e/scope.test.ts) holds the seeded users.
 */
export async function addRelayBTarget(a: Client, b: Pick<Runtime, 'url' | 'token'>, settings: Record<string, unknown>): Promise<Target> {
  const target = await a.json<Target>({
    method: 'POST',
    path: '/api/v1/targets',
    body: { name: 'relay B', baseUrl: `${b.url}/scim/v2`, token: b.token, creationThreshold: 0, ...settings },
    expect: [201],
  });
  await saveAndTest(a, target.id);
  return target;
}

async function createTarget(a: Client, b: Runtime, mode: Mode, cfg: ScenarioConfig, db: Runtime['db']): Promise<Target> {
  const target = await addRelayBTarget(a, b, {
    modes: { scheduled: { enabled: true, intervalMinutes: 1, operations: { create: true, update: true, deactivate: true, delete: false } } },
    rateLimitPerSecond: cfg.rateLimitPerSecond,
    concurrency: cfg.concurrency,
  });
  // Per operation: the same target, told B has no Bulk (only the capability the engine reads changes).
  if (mode === 'per-operation')
    await db.prepare("UPDATE targets SET capabilities = json_set(capabilities, '$.bulk', json('false')) WHERE id = ?").bind(target.id).run();
  const saved = await a.json<Target>({ method: 'GET', path: `/api/v1/targets/${target.id}`, expect: [200] });
  if (saved.capabilities?.bulk !== (mode === 'bulk')) throw new Error(`target capabilities.bulk is ${saved.capabilities?.bulk}, expected ${mode === 'bulk'}`);
  return saved;
}

/** PATCHes `title` of the chosen users on A through A's own /Bulk (≤ 1,000 operations a request). */
async function changeTitles(a: Client, chosen: SeededUser[], title: (u: SeededUser) => string): Promise<void> {
  for (let i = 0; i < chosen.length; i += 1000) {
    const part = chosen.slice(i, i + 1000);
    const Operations = part.map((u) => ({
      method: 'PATCH',
      path: `/Users/${u.id}`,
      data: { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: title(u) }] },
    }));
    const res = await a.json<{ Operations: { status: string }[] }>({
      method: 'POST',
      path: '/scim/v2/Bulk',
      body: { schemas: [BULK_URN], Operations },
      expect: [200],
    });
    const bad = res.Operations.filter((o) => !o.status.startsWith('2'));
    if (bad.length > 0) throw new Error(`${bad.length} title PATCHes failed on A, e.g. ${JSON.stringify(bad[0])}`);
  }
}

async function runPhase(
  r: Relays,
  targetId: string,
  cfg: ScenarioConfig,
  label: string,
  log: (s: string) => void,
  onLeft?: (n: number) => void,
): Promise<Phase> {
  const queued = (await outboxIds(r.a.db, targetId)).length;
  const mark = await auditMark(r.a.db);
  const bMark = await changeMark(r.b.db);
  const cpu0 = { a: cpuSeconds(r.pidA), b: cpuSeconds(r.pidB), bench: process.cpuUsage() };
  const drain = await drainOutbox({
    db: r.a.db,
    relayUrl: r.a.url,
    targetId,
    maxTicks: cfg.maxTicks,
    maxBackoffWaitS: 120,
    onTick: (t, i) => {
      onLeft?.(t.left);
      log(`    ${label} tick ${i + 1}: ${(t.ms / 1000).toFixed(2)} s, claimed ${t.counts.claimed ?? 0}, ${JSON.stringify(t.counts)}, left ${t.left}`);
    },
  });
  const s = drain.ms / 1000;
  const benchUs = process.cpuUsage(cpu0.bench);
  const cpu = { relayA: (cpuSeconds(r.pidA) - cpu0.a) / s, relayB: (cpuSeconds(r.pidB) - cpu0.b) / s, bench: (benchUs.user + benchUs.system) / 1e6 / s };
  return { drain, traffic: await trafficSince(r.a.db, targetId, mark), writesOnB: await changesSince(r.b.db, bMark), queued, cpu, loadAvg: os.loadavg()[0]! };
}

/** The sample nearest half-way through the drain. */
const middleOf = (samples: MemorySample[]) => {
  const half = (samples[samples.length - 1]?.t ?? 0) / 2;
  return samples.reduce((best, s) => (Math.abs(s.t - half) < Math.abs(best.t - half) ? s : best), samples[0]!).rssMiB;
};

export async function runScenario(r: Relays, mode: Mode, cfg: ScenarioConfig, log: (s: string) => void): Promise<ScenarioResult> {
  const a = createClient(r.a.url, r.a.token);
  const b = createClient(r.b.url, r.b.token);
  // The target exists before the users do: each seeded user is queued by the change-log trigger.
  const target = await createTarget(a, r.b, mode, cfg, r.a.db);
  log(`  target ${target.id}: concurrency ${target.concurrency}, ${target.rateLimitPerSecond}/s, capabilities ${JSON.stringify(target.capabilities)}`);
  const seeded = await seedUserDirectory(createClient(r.a.url, r.a.token, { keepAlive: false }), cfg.users, cfg.seedConcurrency, log);
  log(`  seeded ${cfg.users} users into A by /Bulk in ${(seeded.usersMs / 1000).toFixed(1)} s`);

  const ping = await measure(b, baselineOperation().next, { concurrency: 1, warmupMs: 500, requests: cfg.pingRequests, maxMs: 30_000 });
  log(`  B ping: p50 ${ping.p50.toFixed(2)} ms, p95 ${ping.p95.toFixed(2)} ms (n=${ping.requests})`);

  const heap = await openHeapProbe(r.inspectorA);
  // Entering A's isolate lets the collection run: its unauthenticated root answers with a name.
  const poke = () => fetch(`${r.a.url}/`).then((res) => res.text());
  const heapStartMiB = await heap.usedAfterGcMiB(poke);
  const dbStartMiB = dirMiB(r.persistA);
  let left = cfg.users;
  const sampler = sampleMemory(r.pidA, cfg.memoryEveryMs, () => left);
  let samples: MemorySample[] = [];
  let initial: Phase;
  try {
    initial = await runPhase(r, target.id, cfg, 'initial', log, (n) => (left = n));
  } finally {
    samples = sampler.stop();
  }
  const dbEndMiB = dirMiB(r.persistA);
  const heapEndMiB = await heap.usedAfterGcMiB(poke);
  heap.close();
  log(
    `  relay A's worker heap after GC: ${heapStartMiB.toFixed(1)} → ${heapEndMiB.toFixed(1)} MiB; RSS ${samples[0]?.rssMiB.toFixed(1)} → ${samples[samples.length - 1]?.rssMiB.toFixed(1)} MiB`,
  );
  log(
    `  initial sync: ${(initial.drain.ms / 1000).toFixed(1)} s, ${initial.drain.ticks.length} ticks, ${initial.traffic.requests} requests${initial.drain.stuck ? `, STUCK: ${initial.drain.stuck}` : ''}`,
  );

  const chosen = Array.from({ length: cfg.updates }, deck(seeded.users, 7)).filter((u, i, all) => all.indexOf(u) === i);
  const newTitle = (u: SeededUser) => `Bench title ${u.id.slice(0, 8)}`;
  await changeTitles(a, chosen, newTitle);
  const update = await runPhase(r, target.id, cfg, 'update', log);
  const chosenIds = new Set(chosen.map((u) => u.id));
  const unchangedTouched = update.traffic.usersTouched.filter((id) => !chosenIds.has(id)).length;
  log(
    `  updates: ${update.queued} queued, ${(update.drain.ms / 1000).toFixed(1)} s, ${update.traffic.requests} requests, ${unchangedTouched} unchanged users touched`,
  );

  const unchanged = seeded.users.filter((u) => !chosenIds.has(u.id)).slice(0, cfg.updates);
  await enqueueUsers(
    r.a.db,
    target.id,
    unchanged.map((u) => u.id),
  );
  const resync = await runPhase(r, target.id, cfg, 'resync', log);
  log(`  resync of ${resync.queued} unchanged users: ${resync.traffic.requests} requests, ${resync.writesOnB.rows} writes on B`);

  const correctness = await compareDirectories(a, b, new Set(chosen.map((u) => u.userName.toLowerCase())));
  const peak = (xs: number[]) => (xs.filter(Number.isFinite).length ? Math.max(...xs.filter(Number.isFinite)) : Number.NaN);
  return {
    mode,
    users: cfg.users,
    updates: chosen.length,
    concurrency: target.concurrency,
    rateLimitPerSecond: target.rateLimitPerSecond,
    capabilities: target.capabilities,
    seedMs: seeded.usersMs,
    ping,
    initial,
    update,
    resync,
    memory: {
      ...(r.pidA ? { pidA: r.pidA } : {}),
      ...(r.pidB ? { pidB: r.pidB } : {}),
      samples,
      startMiB: samples[0]?.rssMiB ?? Number.NaN,
      middleMiB: samples.length ? middleOf(samples) : Number.NaN,
      endMiB: samples[samples.length - 1]?.rssMiB ?? Number.NaN,
      peakMiB: peak(samples.map((x) => x.rssMiB)),
      dbStartMiB,
      dbEndMiB,
      anonStartMiB: samples[0]?.anonMiB ?? Number.NaN,
      anonPeakMiB: peak(samples.map((x) => x.anonMiB)),
      bAtEndMiB: rssMiB(r.pidB),
      heapStartMiB,
      heapEndMiB,
    },
    unchangedTouched,
    correctness,
  };
}
