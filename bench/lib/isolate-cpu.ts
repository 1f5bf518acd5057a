/**
 * The Worker's own CPU: what Cloudflare bills, measured in relay A's isolate rather than as
 * workerd process CPU (which also holds Miniflare's entry worker, the D1 simulator's isolate and
 * SQLite, the queue broker and HTTP). Issue #11, "CPU model not verified".
 *
 * What was ruled out, and why:
 * - workerd's own accounting: a tail worker's `cpuTime` and `wallTime` are 0 for every event in
 *   local workerd (checked with Miniflare 4's `tails`, a 10-million-round loop included): the
 *   open-source runtime does not measure them.
 * - thread CPU: every isolate (core:user, core:entry, d1:db, the queue broker) runs on workerd's
 *   main thread (`/proc/<pid>/task`: one thread carries them all; V8's helper threads and the
 *   profiler's own are the rest), so thread CPU cannot tell them apart. It is exact, though
 *   (`schedstat`, in ns), which the calibration below uses.
 * - the V8 profile's `timeDeltas` summed by category: a delta is the wall time since the last
 *   *recorded* sample, and V8 records none while the isolate is not entered (another isolate
 *   runs on the thread, or the thread waits), nor while its sampler thread is not scheduled; the
 *   whole gap lands on the next sample. On 2 shared cores a 3.9 ms loop summed to 7.0 ms of "JS".
 *
 * The method: V8's CPU profiler on the `core:user` isolate (interval SAMPLING_US), counting
 * samples rather than summing deltas. V8 records a sample only while the isolate is entered and
 * its thread runs (a signal to a descheduled thread is delivered once when it runs again), so
 * each recorded sample stands for about one interval of the isolate's CPU — JavaScript, garbage
 * collection, and the runtime's native work inside the isolate ("(program)": the D1 client shim's
 * bindings, JSON, crypto); "(idle)" samples are not CPU and are left out. But the sampler thread
 * misses ticks (it is scheduled late on a loaded machine; it is made SCHED_FIFO when the bench
 * runs as root, which lowers this), and each sample costs the main thread a signal and a stack
 * walk. Both scale the count by one factor, which an internal standard measures in the same
 * profile: requests to the bench entry's `/__bench/burn`, pure-JS work (bench/worker/burn.ts)
 * whose CPU in workerd's V8 is established first, without the profiler, from the main thread's
 * exact CPU (a burn of BURN_ROUNDS less a burn of 0 rounds, medians of alternating requests).
 * Under the profiler the same two requests run side by side again, and the samples in the first's
 * windows less those in the second's, over the known CPU, are the share of the isolate's CPU the
 * profile recorded; a window's samples ÷ that share are its CPU. (The burn's frames are not used
 * to find its samples: V8 now and then reports code optimised before the profiler started without
 * the inlined `burn` frame.) `calibrate` proves the method on a second, independently timed burn
 * size and states the error.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { burn } from '../worker/burn.ts';
import type { Client, RequestSpec } from './client.ts';
import { type Inspector, openInspector, whilePoking } from './inspector.ts';

/** the profiler's sampling interval, µs */
export const SAMPLING_US = 100;
/** the standard's work per request: ~2 ms of CPU on this machine's cores */
const BURN_ROUNDS = 1_000_000;

const burnRequest = (rounds = BURN_ROUNDS): RequestSpec => ({ method: 'GET', path: `/__bench/burn?rounds=${rounds}`, expect: [200] });

/** Now on CLOCK_MONOTONIC in µs: the clock V8 stamps its samples with. */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** CPU ns of workerd's main thread (its tid is the pid), from /proc/<pid>/task/<pid>/schedstat. */
function mainThreadNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
}

export const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const median = (xs: number[]) => quantile(xs, 0.5);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Main-thread CPU ms of one request of each spec, medians over `n` rounds of them in turn (so all see the same load). */
async function mainThreadMs(client: Client, pid: number, specs: RequestSpec[], n: number): Promise<number[]> {
  const ms = specs.map(() => [] as number[]);
  for (let i = 0; i < n; i++)
    for (const [k, spec] of specs.entries()) {
      const t0 = mainThreadNs(pid);
      await client.json(spec);
      ms[k]!.push((mainThreadNs(pid) - t0) / 1e6);
    }
  return ms.map(median);
}

/** `rounds` of burn in workerd's V8 (main thread, no profiler), less a burn of none. */
async function burnMsInWorkerd(client: Client, pid: number, rounds: number): Promise<number> {
  const [full, empty] = await mainThreadMs(client, pid, [burnRequest(rounds), burnRequest(0)], 40);
  return full! - empty!;
}

/** The same work in Node's V8 (process.cpuUsage), for comparison. */
function burnMsInNode(rounds: number): number {
  for (let i = 0; i < 5; i++) burn(rounds);
  const c0 = process.cpuUsage();
  for (let i = 0; i < 20; i++) burn(rounds);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / 20;
}

/** A profile's samples: when (CLOCK_MONOTONIC µs) and whether the isolate was idle. */
export interface Samples {
  t: number[];
  idle: boolean[];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

function samplesOf(profile: CpuProfile): Samples {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const t: number[] = [];
  let at = profile.startTime;
  for (const d of profile.timeDeltas) {
    at += d;
    t.push(at);
  }
  return { t, idle: profile.samples.map((id) => idle.has(id)) };
}

/** The CPU profiler on relay A's isolate. */
export interface IsolateProfiler {
  start(): Promise<void>;
  stop(): Promise<Samples>;
  /** whether the last start raised the sampler thread to SCHED_FIFO */
  readonly realtime: boolean;
  close(): void;
}

/** Raises the profiler's sampler thread (new since `before`) to SCHED_FIFO, where the bench may (root): fewer missed ticks. */
function raiseSampler(pid: number, before: Set<string>): boolean {
  const fresh = readdirSync(`/proc/${pid}/task`).filter((t) => !before.has(t) && readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').startsWith('v8:ProfEvnt'));
  try {
    for (const tid of fresh) execFileSync('chrt', ['-f', '-p', '50', tid], { stdio: 'ignore' });
    return fresh.length > 0;
  } catch {
    return false;
  }
}

export async function openIsolateProfiler(port: number, pid: number, poke: () => Promise<unknown>): Promise<IsolateProfiler> {
  const inspector: Inspector = await openInspector(port);
  await whilePoking(inspector.call('Profiler.enable'), poke);
  await whilePoking(inspector.call('Profiler.setSamplingInterval', { interval: SAMPLING_US }), poke);
  let realtime = false;
  return {
    async start() {
      const before = new Set(readdirSync(`/proc/${pid}/task`));
      await whilePoking(inspector.call('Profiler.start'), poke);
      realtime = raiseSampler(pid, before);
    },
    async stop() {
      const { profile } = await whilePoking(inspector.call<{ profile: CpuProfile }>('Profiler.stop', {}, 120_000), poke);
      // BENCH_PROFILE_DIR: each profile as V8 gave it, for a look by function (bench/profile-top.ts)
      if (process.env.BENCH_PROFILE_DIR) writeFileSync(`${process.env.BENCH_PROFILE_DIR}/isolate-${Date.now()}.cpuprofile`, JSON.stringify(profile));
      return samplesOf(profile);
    },
    get realtime() {
      return realtime;
    },
    close: () => inspector.close(),
  };
}

type Window = readonly [number, number];

/**
 * The isolate's CPU ms in each window [from, to) (CLOCK_MONOTONIC µs, not overlapping): its
 * samples that are not idle × the interval ÷ the recorded share.
 */
export function cpuInWindows(s: Samples, windows: readonly Window[], share: number): number[] {
  const counts = windows.map(() => 0);
  const order = windows.map((win, i) => ({ from: win[0], to: win[1], i })).sort((a, b) => a.from - b.from);
  let w = 0;
  for (const [k, t] of s.t.entries()) {
    while (w < order.length && order[w]!.to <= t) w++;
    if (w < order.length && order[w]!.from <= t && !s.idle[k]) counts[order[w]!.i]!++;
  }
  return counts.map((c) => (c * (SAMPLING_US / 1000)) / share);
}

/** The recorded share: what the standard's windows (full) hold beyond the empty burns' windows, over its known CPU. */
function standardShare(s: Samples, full: Window[], empty: Window[], burnMs: number): number {
  const sum = (ws: Window[]) => cpuInWindows(s, ws, 1).reduce((a, b) => a + b, 0);
  return (sum(full) - sum(empty)) / (full.length * burnMs);
}

const timed = async (send: () => Promise<unknown>): Promise<Window> => {
  const from = nowUs();
  await send();
  return [from, nowUs()];
};

export interface Profiled<T> {
  /** the isolate's CPU of each step, ms: from its start to the next standard's */
  cpuMs: number[];
  /** the isolate's CPU of an empty burn request (the route alone), ms, mean */
  emptyMs: number;
  share: number;
  values: T[];
}

/**
 * Runs `step` while `more` says so, each after the standard's pair (a burn of BURN_ROUNDS, then
 * of none), under the profiler: the isolate's CPU of each step — its window runs to the next
 * pair's start, so work a request leaves after its response counts — and the recorded share.
 */
export async function profiledSteps<T>(
  client: Client,
  profiler: IsolateProfiler,
  burnMs: number,
  step: (i: number) => Promise<T>,
  more: (values: T[]) => boolean,
): Promise<Profiled<T>> {
  const full: Window[] = [];
  const empty: Window[] = [];
  const windows: [number, number][] = [];
  const values: T[] = [];
  await profiler.start();
  while (more(values)) {
    if (windows.length > 0) windows.at(-1)![1] = nowUs();
    full.push(await timed(() => client.json(burnRequest())));
    empty.push(await timed(() => client.json(burnRequest(0))));
    windows.push([nowUs(), Number.POSITIVE_INFINITY]);
    values.push(await step(values.length));
  }
  if (windows.length > 0) windows.at(-1)![1] = nowUs();
  const s = await profiler.stop();
  const share = standardShare(s, full, empty, burnMs);
  return { cpuMs: cpuInWindows(s, windows, share), emptyMs: mean(cpuInWindows(s, empty, share)), share, values };
}

/** `profiledSteps` over a list of requests. */
export const profiledRequests = (client: Client, profiler: IsolateProfiler, burnMs: number, requests: RequestSpec[]): Promise<Profiled<unknown>> =>
  profiledSteps(
    client,
    profiler,
    burnMs,
    (i) => client.json(requests[i]!),
    (values) => values.length < requests.length,
  );

export interface Calibration {
  /** the standard's CPU in workerd (main thread, no profiler) and in Node */
  burnMs: number;
  burnNodeMs: number;
  /** the check: a burn of a quarter the rounds, known from the main thread and measured by the method */
  checkKnownMs: number;
  checkMeasuredMs: number;
  /** measured ÷ known − 1 */
  checkError: number;
  /** the recorded share in the check's profile */
  share: number;
  realtimeSampler: boolean;
}

/** Establishes the standard and proves the method on a second burn size, on the running relay. */
export async function calibrate(client: Client, pid: number, profiler: IsolateProfiler): Promise<Calibration> {
  for (let i = 0; i < 5; i++) await client.json(burnRequest());
  const burnMs = await burnMsInWorkerd(client, pid, BURN_ROUNDS);
  const quarter = Math.round(BURN_ROUNDS / 4);
  const checkKnownMs = await burnMsInWorkerd(client, pid, quarter);
  const p = await profiledRequests(
    client,
    profiler,
    burnMs,
    Array.from({ length: 60 }, () => burnRequest(quarter)),
  );
  const checkMeasuredMs = mean(p.cpuMs) - p.emptyMs;
  return {
    burnMs,
    burnNodeMs: burnMsInNode(BURN_ROUNDS),
    checkKnownMs,
    checkMeasuredMs,
    checkError: checkMeasuredMs / checkKnownMs - 1,
    share: p.share,
    realtimeSampler: profiler.realtime,
  };
}

/** The calibration in one line, for the log and the report. */
export const calibrationLine = (c: Calibration): string =>
  `isolate CPU calibration: the standard (${BURN_ROUNDS.toLocaleString('en')} rounds of burn) costs ${c.burnMs.toFixed(3)} ms in workerd (main thread, no profiler; ${c.burnNodeMs.toFixed(3)} ms in Node); ` +
  `the profile recorded ${(c.share * 100).toFixed(0)} % of it${c.realtimeSampler ? ' (sampler SCHED_FIFO)' : ''}; a quarter burn measured ${c.checkMeasuredMs.toFixed(3)} ms against ${c.checkKnownMs.toFixed(3)} ms known (${(c.checkError * 100).toFixed(1)} %)`;
