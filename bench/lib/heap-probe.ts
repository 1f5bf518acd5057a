/**
 * What relay A's code keeps alive: the V8 heap of the worker's own isolate, measured through the
 * Chrome DevTools Protocol (Miniflare's `inspectorPort`) after a full garbage collection. The
 * workerd process's RSS also holds the local D1 simulator (its SQLite and its own isolate),
 * Miniflare's helper workers and heap V8 reserved but does not use, so it grows with the work
 * done whether or not anything is retained; the heap after GC is the retained part.
 * Only `Runtime.getHeapUsage` and `HeapProfiler.collectGarbage` are called, between phases: the
 * debugger is never enabled, so the worker runs at full speed while it is timed.
 */
import { createServer } from 'node:net';

export interface HeapProbe {
  /**
   * MiB of live objects in the worker's isolate after a full GC. workerd runs the collection
   * when the isolate is next entered, so `poke` sends the worker a trivial request (repeatedly,
   * until the collection has answered).
   */
  usedAfterGcMiB(poke: () => Promise<unknown>): Promise<number>;
  close(): void;
}

/** A free TCP port on 127.0.0.1 for the inspector. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Connects to the isolate of the user worker (Miniflare names it `core:user:<name>`). */
export async function openHeapProbe(port: number): Promise<HeapProbe> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { title: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((t) => t.title.includes('core:user'));
  if (!target) throw new Error(`no core:user isolate among the inspector's targets: ${targets.map((t) => t.title).join(', ')}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`inspector WebSocket on port ${port} failed`)), { once: true });
  });
  let next = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const w = m.id === undefined ? undefined : waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id!);
    if (m.error) w.reject(new Error(m.error.message));
    else w.resolve(m.result);
  });
  const call = <T>(method: string, timeoutMs = 30_000) =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in ${timeoutMs} ms`)), timeoutMs);
      waiting.set(id, { resolve: (v) => (clearTimeout(timer), resolve(v as T)), reject: (e) => (clearTimeout(timer), reject(e)) });
      ws.send(JSON.stringify({ id, method }));
    });
  return {
    async usedAfterGcMiB(poke) {
      // The inspector's message and the poke race each other: poke until the collection answers.
      let done = false;
      const collected = call('HeapProfiler.collectGarbage').finally(() => (done = true));
      while (!done) {
        await poke();
        await Promise.race([collected, new Promise((r) => setTimeout(r, 100))]);
      }
      await collected;
      const h = await call<{ usedSize: number }>('Runtime.getHeapUsage');
      return h.usedSize / 2 ** 20;
    },
    close: () => ws.close(),
  };
}
