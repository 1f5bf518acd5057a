/**
 * bench:limits's queue phase (issue #11 item 4, measured rather than modelled): relay A with
 * wrangler.toml's queues bound (Miniflare runs Cloudflare Queues locally) and RELAY_LIMITS set to
 * a plan's profile makes an initial sync of N users to relay B, a target that keeps up, through
 * its real queue consumer. A fresh pair of runtimes per profile. The bench entry records every
 * consumer invocation (messages, when it started, wall time, the limits meter's D1 queries,
 * subrequests and the CPU the cost model charged); A's workerd CPU over the sync ÷ invocations is
 * the process CPU per invocation, and each invocation's own Worker CPU is measured in A's isolate
 * (isolate-cpu.ts, limits-invocation-cpu.ts) against that charge. Then a reconcile
 * (limits-reconcile.ts).
 */
import os from 'node:os';
import { createClient } from './client.ts';
import { freePort } from './inspector.ts';
import { type Calibration, calibrate, calibrationLine, openIsolateProfiler } from './isolate-cpu.ts';
import { againstModel, type CpuAgainstModel, consumerCpu } from './limits-invocation-cpu.ts';
import { measureReconcile, type ReconcileResult, shareNow } from './limits-reconcile.ts';
import { withNewWorkerd } from './process-stats.ts';
import { totalUsers } from './provision-checks.ts';
import { addRelayBTarget } from './provision-scenario.ts';
import { withSqlReplayed } from './limits-measure.ts';
import { type Runtime, startRuntime } from './runtime.ts';
import { seedUserDirectory } from './seed.ts';

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
