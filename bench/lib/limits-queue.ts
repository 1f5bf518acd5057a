/**
 * bench:limits's queue phase (issue #11 item 4, measured rather than modelled): relay A with
 * wrangler.toml's queues bound (Miniflare runs Cloudflare Queues locally) and RELAY_LIMITS set to
 * a plan's profile makes an initial sync of N users to relay B, a target that keeps up, through
 * its real queue consumer. A fresh pair of runtimes per profile. The bench entry records every
 * consumer invocation (messages, wall time, the limits meter's D1 queries and subrequests); A's
 * workerd CPU over the sync ÷ invocations is the CPU per invocation.
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ReconcileState } from '../../shared/src/reconcile.ts';
import { CPU_MS } from '../../worker/src/limits/cpu.ts';
import { type Client, createClient } from './client.ts';
import { freePort } from './inspector.ts';
import { type Calibration, calibrate, calibrationLine, openIsolateProfiler, profiledRequests, profiledSteps } from './isolate-cpu.ts';
import { againstModel, type CpuAgainstModel, consumerCpu, type InvocationCpu } from './limits-invocation-cpu.ts';
import { cpuSeconds, withNewWorkerd } from './process-stats.ts';
import { totalUsers } from './provision-checks.ts';
import { addRelayBTarget } from './provision-scenario.ts';
import { type IsolateCpu, sqlRecorder } from './limits-measure.ts';
import { type Runtime, startRuntime, WORK_DIR } from './runtime.ts';
import { seedUserDirectory } from './seed.ts';
import { copyDatabase, openReplica } from './sql-replay.ts';

export interface Invocation {
  queue: string;
  messages: number;
  startedAt: number;
  ms: number;
  usage: { d1Queries: number; d1Trips: number; subrequests: number; peakConnections: number; cpuCharged: number } | null;
}

export interface QueueSyncResult {
  profile: 'free' | 'paid';
  users: number;
  /** users on B at the end (must be `users`) */
  onB: number;
  /** from the "Sync all" request to the last consumer invocation, s */
  wallS: number;
  invocations: number;
  messages: number;
  /** per invocation: mean and max */
  queries: { mean: number; max: number };
  subrequests: { mean: number; max: number };
  invocationMs: { p50: number; max: number };
  /** relay A's workerd CPU over the sync ÷ invocations (includes the bench's status reads, the standard's requests and the profiler) */
  cpuMsPerInvocation: number;
  /** the Worker's CPU per consumer invocation, measured in its isolate, against the cost model's charge (limits-invocation-cpu.ts) */
  workerCpu?: CpuAgainstModel;
  calibration?: Calibration;
  /** of which SQLite: A's statements of the sync replayed in Node's SQLite (sql-replay.ts) ÷ invocations */
  sqliteMsPerInvocation: number;
  replayErrors: number;
  /** Cloudflare Queues bills a write, a read and a delete per message (64 KB each) */
  queueOperations: number;
  loadAvg: number;
  /** then a reconcile of the synced target (nothing drifted), to "Reconcile now" until done */
  reconcile?: ReconcileResult;
}

/** A reconcile that finds nothing: what limits/cpu.ts's `reconciledUser` is measured from. */
export interface ReconcileResult {
  /** remote users read and compared */
  users: number;
  /** invocations (POST /reconcile, each until its budget is spent) */
  invocations: number;
  /** relay A's workerd CPU over the run ÷ users (includes the standard's requests and the profiler) */
  cpuMsPerUser: number;
  /** the Worker's CPU per invocation, measured in its isolate, against base + users × reconciledUser */
  workerCpu?: CpuAgainstModel;
  /** of which SQLite (A's statements replayed) ÷ users */
  sqliteMsPerUser: number;
  wallS: number;
}

/**
 * "Reconcile now" on the synced target until its run is done: every remote user is read and
 * compared with what the directory says (nothing drifted, so nothing is repaired). A's process
 * CPU ÷ users compared, and its SQLite share replayed on a copy taken before, as for the sync.
 */
async function measureReconcile(
  client: Client,
  pid: number | undefined,
  targetId: string,
  persist: string,
  profile: string,
  isolate: IsolateCpu,
): Promise<ReconcileResult> {
  const post = () => client.json<{ state: ReconcileState | null }>({ method: 'POST', path: `/api/v1/targets/${targetId}/reconcile`, body: {}, expect: [200] });
  const finished = (values: { state: ReconcileState | null }[]) => {
    const state = values.at(-1)?.state;
    if (values.length > 10_000) throw new Error(`reconcile did not finish: ${JSON.stringify(state)}`);
    return values.length > 0 && (!state || state.phase === 'done' || state.phase === 'failed');
  };
  // each POST after the standard's pair, under the profiler (isolate-cpu.ts)
  const run = await withSqlReplayed(client, pid, persist, `reconcile-${profile}`, () =>
    profiledSteps(client, isolate.profiler, isolate.burnMs, post, (values) => !finished(values)),
  );
  const { cpuMs, share, values } = run.value;
  const state = values.at(-1)?.state ?? null;
  const invocations = values.length;
  const workerCpu = againstModel(
    cpuMs.map((m, k): InvocationCpu => {
      const compared = (values[k]!.state?.counts.users ?? 0) - (values[k - 1]?.state?.counts.users ?? 0);
      return { measuredMs: m, chargedMs: CPU_MS.base + compared * CPU_MS.reconciledUser, items: compared };
    }),
    share,
  );
  if (state?.phase !== 'done') throw new Error(`reconcile ended ${state?.phase}: ${state?.error}`);
  const users = state.counts.users;
  return {
    users,
    invocations,
    cpuMsPerUser: run.cpuMs / users,
    sqliteMsPerUser: run.sqliteMs / users,
    wallS: run.wallMs / 1000,
    workerCpu,
  };
}

/** The share of the isolate's CPU a profile records now: the standard alone, 30 pairs with a ping between (isolate-cpu.ts). */
async function shareNow(client: Client, isolate: IsolateCpu): Promise<number> {
  const ping = { method: 'GET', path: '/api/v1/ping', expect: [200] } as const;
  return (
    await profiledRequests(
      client,
      isolate.profiler,
      isolate.burnMs,
      Array.from({ length: 30 }, () => ping),
    )
  ).share;
}

/**
 * Runs `work` with relay A's SQL logged and replays it on a copy of A's database taken just
 * before: the SQLite part of the work's CPU (sql-replay.ts), beside A's process CPU over it.
 */
async function withSqlReplayed<T>(
  client: Client,
  pid: number | undefined,
  persist: string,
  name: string,
  work: () => Promise<T>,
): Promise<{ value: T; cpuMs: number; sqliteMs: number; replayErrors: number; startedAt: number; wallMs: number }> {
  const replicaFile = copyDatabase(persist, path.join(WORK_DIR, `${name}-replica`));
  const sql = sqlRecorder(client);
  await sql.cut(null);
  const cpu0 = cpuSeconds(pid);
  const startedAt = performance.now();
  const value = await work();
  const cpuMs = (cpuSeconds(pid) - cpu0) * 1000;
  const wallMs = performance.now() - startedAt;
  await sql.cut(name);
  const replica = openReplica(replicaFile);
  const replayed = replica.replay(sql.segments.flatMap((g) => (g.label === name ? g.queries : [])));
  replica.close();
  rmSync(path.dirname(replicaFile), { recursive: true, force: true });
  return { value, cpuMs, sqliteMs: replayed.ms, replayErrors: replayed.errors, startedAt, wallMs };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export async function measureQueueSync(script: string, profile: 'free' | 'paid', users: number, log: (s: string) => void): Promise<QueueSyncResult> {
  const live: Runtime[] = [];
  const closers: (() => void)[] = [];
  try {
    const b = (await withNewWorkerd(() => startRuntime(script, `queue-${profile}-b`))).value;
    live.push(b);
    const port = await freePort();
    const started = await withNewWorkerd(() =>
      startRuntime(script, `queue-${profile}-a`, { queues: true, vars: { RELAY_LIMITS: profile }, inspectorPort: port }),
    );
    const a = started.value;
    live.push(a);
    const client = createClient(a.url, a.token);
    const pid = started.pid!;
    const profiler = await openIsolateProfiler(port, pid, () => client.send({ method: 'GET', path: '/api/v1/ping', expect: [200] }));
    closers.push(() => profiler.close());
    const seeded = await seedUserDirectory(createClient(a.url, a.token, { keepAlive: false }), users, 3, log);
    log(`  ${profile}: seeded ${users.toLocaleString('en')} users into A in ${(seeded.usersMs / 1000).toFixed(1)} s`);
    const target = await addRelayBTarget(client, b, {
      modes: { automatic: { enabled: true, operations: { create: true, update: true, deactivate: true, delete: false } } },
    });
    const calibration = await calibrate(client, pid, profiler);
    log(`  ${profile}: ${calibrationLine(calibration)}`);
    await client.json({ method: 'GET', path: '/__bench/queue?reset=1', expect: [200] });
    const bClient = createClient(b.url, b.token);
    const isolate = { profiler, burnMs: calibration.burnMs };
    // The consumer's invocations cannot be interleaved with the standard: its share is taken just before and just after.
    const shareBefore = await shareNow(client, isolate);
    const sync = await withSqlReplayed(client, started.pid, a.persist, `queue-${profile}`, async () => {
      await profiler.start();
      const syncAt = Date.now();
      // "Sync all": starts the full pass and enqueues the target; the consumer does the rest.
      await client.json({ method: 'POST', path: `/api/v1/targets/${target.id}/sync`, expect: [200] });
      let onB = 0;
      let seen: Invocation[] = [];
      let progressAt = performance.now();
      // Done when B holds every user and no consumer invocation started for 5 s (a follow-up may still check).
      // A's invocations are read only once B is full: a read while a consumer runs would land in its profile window.
      for (let lastOnB = -1; ; ) {
        await sleep(1000);
        onB = await totalUsers(bClient);
        if (onB !== lastOnB) [lastOnB, progressAt] = [onB, performance.now()];
        if (onB >= users) {
          const now = await client.json<Invocation[]>({ method: 'GET', path: '/__bench/queue', expect: [200] });
          if (now.length !== seen.length) progressAt = performance.now();
          seen = now;
          if (performance.now() - progressAt > 5000) break;
        }
        if (performance.now() - progressAt > 120_000) throw new Error(`the queue stalled: ${onB} of ${users} users on B after ${seen.length} invocations`);
      }
      return { onB, seen, syncAt, samples: await profiler.stop() };
    });
    const { onB, seen, syncAt, samples } = sync.value;
    const share = (shareBefore + (await shareNow(client, isolate))) / 2;
    const reconcile = await measureReconcile(client, started.pid, target.id, a.persist, profile, isolate);
    log(
      `  ${profile}: reconcile of ${reconcile.users} users in ${reconcile.invocations} invocations, ${reconcile.cpuMsPerUser.toFixed(3)} ms CPU a user (${reconcile.sqliteMsPerUser.toFixed(3)} SQLite)`,
    );
    const work = seen.filter((i) => i.queue === 'relay-work');
    const workerCpu = againstModel(
      consumerCpu(samples, seen, share).filter((_, k) => seen[k]!.queue === 'relay-work'),
      share,
    );
    // from "Sync all" to the end of the last consumer invocation
    const last = seen.at(-1);
    const wallS = last ? (last.startedAt + last.ms - syncAt) / 1000 : Number.NaN;
    const ms = work.map((i) => i.ms).sort((x, y) => x - y);
    const q = work.map((i) => i.usage?.d1Queries ?? 0);
    const s = work.map((i) => i.usage?.subrequests ?? 0);
    const messages = work.reduce((n, i) => n + i.messages, 0);
    return {
      profile,
      users,
      onB,
      wallS,
      invocations: work.length,
      messages,
      queries: { mean: mean(q), max: Math.max(0, ...q) },
      subrequests: { mean: mean(s), max: Math.max(0, ...s) },
      invocationMs: { p50: ms[Math.floor(ms.length / 2)] ?? 0, max: ms.at(-1) ?? 0 },
      cpuMsPerInvocation: work.length > 0 ? sync.cpuMs / work.length : Number.NaN,
      sqliteMsPerInvocation: work.length > 0 ? sync.sqliteMs / work.length : Number.NaN,
      replayErrors: sync.replayErrors,
      queueOperations: messages * 3,
      loadAvg: os.loadavg()[0]!,
      reconcile,
      calibration,
      workerCpu,
    };
  } finally {
    for (const close of closers) close();
    for (const r of live.reverse()) await r.dispose();
  }
}
