/**
 * The lifecycle both Node-side test servers (the fault target, the Drupal site) share: listen on
 * a free port of 127.0.0.1, read a request body whole (and parse it leniently), and close with every connection and
 * pending delay, so that a test run's teardown leaves nothing open.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 and answers the server's origin, e.g. `http://127.0.0.1:40123`. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Port 0: the OS picks a free port, so there is nothing to retry.
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Clears the delays still pending (slow-answer faults), then closes the server and its keep-alive connections. */
export async function closeServer(server: Server, timers: Set<ReturnType<typeof setTimeout>>): Promise<void> {
  for (const t of timers) clearTimeout(t);
  timers.clear();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

/** A body as JSON, or the text itself where it is not JSON (the fault servers log what they got); an empty body as null. */
export function jsonOrText(raw: string): unknown {
  if (raw === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A path pattern with `*` wildcards (a fault's `match.path`) as an anchored RegExp. */
export const glob = (g: string) =>
  new RegExp(
    `^${g
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
