/**
 * A plain HTTP proxy in front of relay A that counts what the extension sends, so tests and the
 * benchmark can assert "one batched call per page" on real traffic.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  /** `METHOD /path` of every request, in order. */
  calls: string[];
  /** `METHOD /path` and the request body of every request, in order (what the relay was told). */
  bodies: { route: string; body: string }[];
  /** How many requests matched `METHOD /path` (path without query). */
  count(route: string): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const calls: string[] = [];
  const bodies: { route: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    calls.push(`${req.method} ${path}`);
    const seen = { route: `${req.method} ${path}`, body: '' };
    bodies.push(seen);
    req.on('data', (chunk: Buffer) => (seen.body += chunk.toString('utf8')));
    const forward = httpRequest(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    bodies,
    count: (route) => calls.filter((c) => c === route).length,
    reset: () => {
      calls.splice(0);
      bodies.splice(0);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
