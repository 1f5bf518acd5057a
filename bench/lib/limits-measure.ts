/**
 * bench:limits's measurements: workerd process CPU per request of one kind (batches of requests
 * sent one at a time; /proc counts CPU in 10 ms ticks, so a batch's CPU ÷ its requests is one
 * sample, and the median and p95 are over batches), the D1 queries and sequential round trips
 * one request makes (the bench entry's counters, bench/worker/limits-entry.ts), and — when a
 * recorder is given — the kind's SQL, cut into segments for the SQLite replay (sql-replay.ts).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { BoundSql } from '../worker/bound-sql.ts';
import type { Client, RequestSpec } from './client.ts';
import { type IsolateProfiler, profiledRequests, quantile } from './isolate-cpu.ts';
import { cpuSeconds } from './process-stats.ts';
import { WORK_DIR } from './runtime.ts';
import { copyDatabase, openReplica, type Replica, type Scan } from './sql-replay.ts';

export interface KindResult {
  kind: string;
  requests: number;
  /** workerd CPU ms per request: median and p95 over batches */
  cpuMsP50: number;
  cpuMsP95: number;
  /** the mean over batches (the baseline's p50 can be a whole tick, or 0) */
  cpuMsMean: number;
  /** D1 queries and sequential round trips per request */
  queries: number;
  roundTrips: number;
  /** the same statements replayed in Node's SQLite: ms per request, and the plan lines that scan */
  sqliteMs?: number;
  scans?: Scan[];
  replayErrors?: number;
  replayError?: string;
  /** the Worker's own CPU per request, measured in its isolate (isolate-cpu.ts), over a second pass of as many requests */
  worker?: WorkerCpu;
}

export interface WorkerCpu {
  p50: number;
  p95: number;
  mean: number;
  /** the share of the isolate's CPU the profile recorded (the standard's) */
  share: number;
}

/** The isolate profiler and its standard's CPU, when the bench measures the Worker's own CPU. */
export interface IsolateCpu {
  profiler: IsolateProfiler;
  burnMs: number;
}

export interface KindSpec {
  kind: string;
  /** untimed setup (walking to a deep cursor…) */
  prepare?: () => Promise<string | void>;
  /** the i-th request of the kind (unique userNames, a random user…) */
  request: (i: number) => RequestSpec;
  batches: number;
  perBatch: number;
}

/** the wall time a batch of a slow kind aims at */
const SLOW_BATCH_MS = 1000;

/**
 * The bench entry's SQL log cut into segments in the order the queries ran: a kind's measured
 * requests (`label` its kind) and everything between (null: replayed to keep the copy's state
 * the runtime's, not timed).
 */
export interface SqlRecorder {
  segments: { label: string | null; queries: BoundSql[][] }[];
  /** ends the segment under way (null: untimed) and starts the next; the first cut starts the log */
  cut(label: string | null): Promise<void>;
  /** ends the last segment (untimed) and the log */
  stop(): Promise<void>;
}

export function sqlRecorder(client: Client): SqlRecorder {
  const segments: SqlRecorder['segments'] = [];
  const take = async (label: string | null, log: 0 | 1) => {
    segments.push({ label, queries: await client.json<BoundSql[][]>({ method: 'POST', path: `/__bench/sql?log=${log}`, expect: [200] }) });
  };
  return { segments, cut: (label) => take(label, 1), stop: () => take(null, 0) };
}

export async function measureKind(client: Client, pid: number, spec: KindSpec, sql?: SqlRecorder, isolate?: IsolateCpu): Promise<KindResult> {
  await spec.prepare?.();
  // warm-up: the isolate compiles the route's code paths once
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await client.json(spec.request(-1 - i));
    warm.push(performance.now() - t0);
  }
  await client.json({ method: 'GET', path: '/__bench/d1', expect: [200] });
  await sql?.cut(null);
  // A slow kind (a scan of the directory) gets smaller batches: a batch of ~1 s still spans 100 ticks.
  const perBatch = Math.max(1, Math.min(spec.perBatch, Math.floor(SLOW_BATCH_MS / Math.min(...warm))));
  const samples: number[] = [];
  let n = 0;
  for (let b = 0; b < spec.batches; b++) {
    const before = cpuSeconds(pid);
    for (let k = 0; k < perBatch; k++) await client.json(spec.request(n++));
    samples.push(((cpuSeconds(pid) - before) * 1000) / perBatch);
  }
  const d1 = await client.json<{ queries: number; roundTrips: number }>({ method: 'GET', path: '/__bench/d1', expect: [200] });
  await sql?.cut(spec.kind);
  const sorted = [...samples].sort((a, b) => a - b);
  // The Worker's own CPU: a second pass, profiled (its SQL replays untimed, to keep the copy's state)
  const worker = isolate
    ? await workerCpuOf(
        client,
        isolate,
        Array.from({ length: n }, (_, k) => spec.request(n + k)),
      )
    : undefined;
  return {
    ...(worker ? { worker } : {}),
    kind: spec.kind,
    requests: n,
    cpuMsP50: quantile(sorted, 0.5),
    cpuMsP95: quantile(sorted, 0.95),
    cpuMsMean: samples.reduce((a, b) => a + b, 0) / samples.length,
    queries: d1.queries / n,
    roundTrips: d1.roundTrips / n,
  };
}

async function workerCpuOf(client: Client, isolate: IsolateCpu, requests: RequestSpec[]): Promise<WorkerCpu> {
  const { cpuMs, share } = await profiledRequests(client, isolate.profiler, isolate.burnMs, requests);
  // the quantile helper sorts its own copy
  return { p50: quantile(cpuMs, 0.5), p95: quantile(cpuMs, 0.95), mean: cpuMs.reduce((a, b) => a + b, 0) / cpuMs.length, share };
}

/** Replays every segment in order on the copy; a kind's segment adds its SQLite ms per request and its scans. */
export function addSqliteShare(results: KindResult[], replica: Replica, sql: SqlRecorder): void {
  for (const { label, queries } of sql.segments) {
    const replayed = replica.replay(queries);
    const r = label === null ? undefined : results.find((k) => k.kind === label);
    if (!r) continue;
    r.sqliteMs = replayed.ms / r.requests;
    r.replayErrors = replayed.errors;
    if (replayed.firstError) r.replayError = replayed.firstError;
    r.scans = replica.scans(queries);
  }
}

/** Bytes D1 reports for the database now. */
export async function databaseBytes(client: Client): Promise<number> {
  return (await client.json<{ bytes: number }>({ method: 'GET', path: '/__bench/size', expect: [200] })).bytes;
}

/**
 * Runs `work` with relay A's SQL logged and replays it on a copy of A's database taken just
 * before: the SQLite part of the work's CPU (sql-replay.ts), beside A's process CPU over it.
 */
export async function withSqlReplayed<T>(
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
