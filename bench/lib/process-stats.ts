/**
 * Memory and CPU time of the workerd processes a bench started (Linux /proc). Miniflare does not
 * expose its workerd's pid, so a runtime's process is found as the workerd that appeared among
 * this process's descendants while it started.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces and parentheses.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    return { pid, ppid, comm };
  } catch {
    return undefined;
  }
}

/** workerd processes descending from this Node process, oldest pid first. */
export function workerdDescendants(): number[] {
  let procs: ProcInfo[];
  try {
    procs = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((d) => readProc(Number(d)))
      .filter((p): p is ProcInfo => p !== undefined);
  } catch {
    return [];
  }
  const mine = new Set([process.pid]);
  // Parents can have larger pids than their children after wrap-around: iterate to a fixpoint.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  return procs
    .filter((p) => mine.has(p.pid) && p.comm.startsWith('workerd'))
    .map((p) => p.pid)
    .sort((a, b) => a - b);
}

/** Runs `start` and returns its result with the workerd pid that appeared meanwhile (if any). */
export async function withNewWorkerd<T>(start: () => Promise<T>): Promise<{ value: T; pid: number | undefined }> {
  const before = new Set(workerdDescendants());
  const value = await start();
  const pid = workerdDescendants().find((p) => !before.has(p));
  return { value, pid };
}

/** VmRSS in MiB, or NaN when the process is gone or /proc is unavailable. */
export function rssMiB(pid: number | undefined): number {
  return memory(pid).rssMiB;
}

/**
 * VmRSS and its anonymous part (RssAnon: heaps, including the isolate's and SQLite's caches;
 * the rest is file-backed pages such as a mapped database file and the binary), in MiB.
 */
export function memory(pid: number | undefined): { rssMiB: number; anonMiB: number } {
  if (pid === undefined) return { rssMiB: Number.NaN, anonMiB: Number.NaN };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
    return { rssMiB: kb('VmRSS'), anonMiB: kb('RssAnon') };
  } catch {
    return { rssMiB: Number.NaN, anonMiB: Number.NaN };
  }
}

/** user + system CPU seconds a process has used, or NaN (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15, in clock ticks (USER_HZ = 100 on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

export interface MemorySample {
  /** ms since the sampler started */
  t: number;
  rssMiB: number;
  anonMiB: number;
  /** the caller's progress marker at that moment (e.g. rows left in the outbox) */
  progress: number;
}

/** Samples a process's RSS every `everyMs` until stopped. */
export function sampleMemory(pid: number | undefined, everyMs: number, progress: () => number): { stop(): MemorySample[] } {
  const t0 = performance.now();
  const samples: MemorySample[] = [];
  const take = () => samples.push({ t: performance.now() - t0, ...memory(pid), progress: progress() });
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
