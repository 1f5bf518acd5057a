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
import { type Client, createClient } from './client.ts';
import { cpuSeconds, withNewWorkerd } from './process-stats.ts';
import { totalUsers } from './provision-checks.ts';
import { addRelayBTarget } from './provision-scenario.ts';
import { sqlRecorder } from './limits-measure.ts';
import { type Runtime, startRuntime, WORK_DIR } from './runtime.ts';
import { seedUserDirectory } from './seed.ts';
import { copyDatabase, openReplica } from './sql-replay.ts';

export interface Invocation {
  queue: string;
  messages: number;
  ms: number;
  usage: { d1Queries: number; d1Trips: number; subrequests: number; peakConnections: number } | null;
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
  /** relay A's workerd CPU over the sync ÷ invocations (includes the bench's few status reads) */
  cpuMsPerInvocation: number;
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
  /** relay A's workerd CPU over the run ÷ users */
  cpuMsPerUser: number;
  /** of which SQLite (A's statements replayed) ÷ users */
  sqliteMsPerUser: number;
  wallS: number;
}

/**
 * "Reconcile now" on the synced target until its run is done: every remote user is read and
 * compared with what the directory says (nothing drifted, so nothing is repaired). A's process
 * CPU ÷ users compared, and its SQLite share replayed on a copy taken before, as for the sync.
 */
async function measureReconcile(client: Client, pid: number | undefined, targetId: string, persist: string, profile: string): Promise<ReconcileResult> {
  const run = await withSqlReplayed(client, pid, persist, `reconcile-${profile}`, async () => {
    let state: ReconcileState | null = null;
    let invocations = 0;
    do {
      state = (await client.json<{ state: ReconcileState | null }>({ method: 'POST', path: `/api/v1/targets/${targetId}/reconcile`, body: {}, expect: [200] }))
        .state;
      invocations++;
      if (invocations > 10_000) throw new Error(`reconcile did not finish: ${JSON.stringify(state)}`);
    } while (state && state.phase !== 'done' && state.phase !== 'failed');
    return { state, invocations };
  });
  const { state, invocations } = run.value;
  if (state?.phase !== 'done') throw new Error(`reconcile ended ${state?.phase}: ${state?.error}`);
  const users = state.counts.users;
  return { users, invocations, cpuMsPerUser: run.cpuMs / users, sqliteMsPerUser: run.sqliteMs / users, wallS: run.wallMs / 1000 };
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
  try {
    const b = (await withNewWorkerd(() => startRuntime(script, `queue-${profile}-b`))).value;
    live.push(b);
    const started = await withNewWorkerd(() => startRuntime(script, `queue-${profile}-a`, { queues: true, vars: { RELAY_LIMITS: profile } }));
    const a = started.value;
    live.push(a);
    const client = createClient(a.url, a.token);
    const seeded = await seedUserDirectory(createClient(a.url, a.token, { keepAlive: false }), users, 3, log);
    log(`  ${profile}: seeded ${users.toLocaleString('en')} users into A in ${(seeded.usersMs / 1000).toFixed(1)} s`);
    const target = await addRelayBTarget(client, b, {
      modes: { automatic: { enabled: true, operations: { create: true, update: true, deactivate: true, delete: false } } },
    });
    await client.json({ method: 'GET', path: '/__bench/queue?reset=1', expect: [200] });
    const bClient = createClient(b.url, b.token);
    const sync = await withSqlReplayed(client, started.pid, a.persist, `queue-${profile}`, async () => {
      // "Sync all": starts the full pass and enqueues the target; the consumer does the rest.
      await client.json({ method: 'POST', path: `/api/v1/targets/${target.id}/sync`, expect: [200] });
      let onB = 0;
      let seen: Invocation[] = [];
      let lastChange = performance.now();
      // Done when B holds every user and no consumer invocation started for 5 s (a follow-up may still check).
      for (;;) {
        await sleep(1000);
        onB = await totalUsers(bClient);
        const now = await client.json<Invocation[]>({ method: 'GET', path: '/__bench/queue', expect: [200] });
        if (now.length !== seen.length) lastChange = performance.now();
        seen = now;
        if (onB >= users && performance.now() - lastChange > 5000) break;
        if (performance.now() - lastChange > 120_000) throw new Error(`the queue stalled: ${onB} of ${users} users on B after ${seen.length} invocations`);
      }
      return { onB, seen, lastChange };
    });
    const { onB, seen, lastChange } = sync.value;
    const reconcile = await measureReconcile(client, started.pid, target.id, a.persist, profile);
    log(
      `  ${profile}: reconcile of ${reconcile.users} users in ${reconcile.invocations} invocations, ${reconcile.cpuMsPerUser.toFixed(3)} ms CPU a user (${reconcile.sqliteMsPerUser.toFixed(3)} SQLite)`,
    );
    const work = seen.filter((i) => i.queue === 'relay-work');
    // to the poll that saw the last invocation (a second's resolution)
    const wallS = (lastChange - sync.startedAt) / 1000;
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
    };
  } finally {
    for (const r of live.reverse()) await r.dispose();
  }
}
