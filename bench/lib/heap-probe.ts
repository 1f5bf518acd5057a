/**
 * What relay A's code keeps alive: the V8 heap of the worker's own isolate, measured through the
 * Chrome DevTools Protocol (Miniflare's `inspectorPort`) after a full garbage collection. The
 * workerd process's RSS also holds the local D1 simulator (its SQLite and its own isolate),
 * Miniflare's helper workers and heap V8 reserved but does not use, so it grows with the work
 * done whether or not anything is retained; the heap after GC is the retained part.
 * Only `Runtime.getHeapUsage` and `HeapProfiler.collectGarbage` are called, between phases: the
 * debugger is never enabled, so the worker runs at full speed while it is timed.
 */
import { openInspector, whilePoking } from './inspector.ts';

export interface HeapProbe {
  /**
   * MiB of live objects in the worker's isolate after a full GC. workerd runs the collection
   * when the isolate is next entered, so `poke` sends the worker a trivial request (repeatedly,
   * until the collection has answered).
   */
  usedAfterGcMiB(poke: () => Promise<unknown>): Promise<number>;
  close(): void;
}

/** Connects to the isolate of the user worker (Miniflare names it `core:user:<name>`). */
export async function openHeapProbe(port: number): Promise<HeapProbe> {
  const inspector = await openInspector(port);
  return {
    async usedAfterGcMiB(poke) {
      await whilePoking(inspector.call('HeapProfiler.collectGarbage'), poke);
      const h = await inspector.call<{ usedSize: number }>('Runtime.getHeapUsage');
      return h.usedSize / 2 ** 20;
    },
    close: () => inspector.close(),
  };
}
