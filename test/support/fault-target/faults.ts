/**
 * The fault queue: each request takes the first entry whose `match` fits and uses up one of
 * its `times`. See `Fault` in ../provided-context.ts for the DSL.
 */
import type { Fault, FaultMatch } from '../provided-context';

interface QueuedFault {
  fault: Fault;
  left: number;
  pathPattern: RegExp | undefined;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

export function validateFault(f: unknown): Fault {
  if (f === null || typeof f !== 'object') throw new Error('a fault is an object');
  const fault = f as Fault;
  if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1)) throw new Error('times must be a positive integer');
  if (fault.delayMs !== undefined && !(fault.delayMs >= 0)) throw new Error('delayMs must be >= 0');
  if (fault.respond !== undefined && !Number.isInteger(fault.respond.status)) throw new Error('respond.status must be an integer');
  if (fault.reset && fault.respond) throw new Error('a fault either resets or responds, not both');
  if (!fault.reset && !fault.respond && fault.delayMs === undefined) throw new Error('a fault needs reset, respond or delayMs');
  return fault;
}

export class FaultQueue {
  private queue: QueuedFault[] = [];

  /** Replace (or append to) the queue; validates every entry first. */
  set(faults: unknown[], append = false): void {
    const entries = faults.map(validateFault).map((fault) => ({
      fault,
      left: fault.times ?? 1,
      pathPattern: fault.match?.path === undefined ? undefined : globToRegExp(fault.match.path),
    }));
    this.queue = append ? [...this.queue, ...entries] : entries;
  }

  clear(): void {
    this.queue = [];
  }

  pending(): (Fault & { left: number })[] {
    return this.queue.map((q) => ({ ...q.fault, left: q.left }));
  }

  /** The fault for this request, if any, consuming one use of it. */
  take(method: string, path: string, rawBody: string): Fault | undefined {
    const index = this.queue.findIndex((q) => matches(q, q.fault.match, method, path, rawBody));
    if (index < 0) return undefined;
    const q = this.queue[index]!;
    q.left -= 1;
    if (q.left === 0) this.queue.splice(index, 1);
    return q.fault;
  }
}

function matches(q: QueuedFault, match: FaultMatch | undefined, method: string, path: string, rawBody: string): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
  if (q.pathPattern && !q.pathPattern.test(path)) return false;
  if (match.bodyIncludes !== undefined && !rawBody.includes(match.bodyIncludes)) return false;
  return true;
}
