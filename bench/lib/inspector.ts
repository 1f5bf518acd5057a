/**
 * A Chrome DevTools Protocol session with relay A's worker isolate (Miniflare's `inspectorPort`
 * lists `core:user:<name>`, `core:entry`, `d1:db:…` and cache workers; only the first runs the
 * relay's code). workerd handles an inspector message when the isolate is next entered, so
 * `whilePoking` sends the worker trivial requests until the answer comes.
 */
import { createServer } from 'node:net';

export interface Inspector {
  call<T>(method: string, params?: object, timeoutMs?: number): Promise<T>;
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
export async function openInspector(port: number): Promise<Inspector> {
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
  return {
    call: <T>(method: string, params: object = {}, timeoutMs = 30_000) =>
      new Promise<T>((resolve, reject) => {
        const id = ++next;
        const timer = setTimeout(() => reject(new Error(`${method}: no answer in ${timeoutMs} ms`)), timeoutMs);
        waiting.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** Waits for `answer`, poking the worker (a trivial request) until it comes: the message and the poke race each other. */
export async function whilePoking<T>(answer: Promise<T>, poke: () => Promise<unknown>): Promise<T> {
  let done = false;
  const settled = answer.finally(() => (done = true));
  while (!done) {
    await poke();
    await Promise.race([settled, new Promise((r) => setTimeout(r, 50))]);
  }
  return settled;
}
