/**
 * A stand-in Drupal site: a real HTTP server on 127.0.0.1 that serves captured page HTML
 * (test/fixtures, copied from the team kit) under Drupal's own paths (`/admin/people`, `/user/2/edit`, …), so the
 * extension's content scripts run on the same markup and URLs as on a live site.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../../fixtures');

/** A fixture file's text (e.g. `drupal10-real-admin-people.html`). */
export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES_DIR, name), 'utf8');
}

export interface SiteRequest {
  method: string;
  path: string;
  /** Path and query as requested. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw request body (form posts). */
  body: string;
}

/**
 * A page, or a function that answers the request itself (return false to fall through to 404).
 * A route path ending in `/*` answers every path below it.
 */
export type Route = string | ((req: SiteRequest, res: ServerResponse) => boolean | void);

export interface FixtureSite {
  /** `http://127.0.0.1:<port>`; also the `site` the extension reports (base URL "/"). */
  origin: string;
  /** Every request the site saw, in order. */
  requests: SiteRequest[];
  /** Adds or replaces a route (exact path, without the query). */
  route(pathname: string, route: Route): void;
  close(): Promise<void>;
}

/** The Drupal pages the extension tests use, keyed by path. */
export function drupalRoutes(): Record<string, Route> {
  return {
    '/admin/people': fixture('drupal10-real-admin-people.html'),
    '/user/2/edit': fixture('drupal10-real-user-2-edit.html'),
    '/user/5/edit': fixture('drupal-claro-user-edit.html'),
    '/user/5': fixture('drupal-claro-user-view.html'),
    '/gin/admin/people': fixture('drupal-gin-admin-people.html'),
    '/claro/admin/people': fixture('drupal-claro-admin-people.html'),
    '/wp-admin/users.php': fixture('wordpress-users.html'),
    '/wp-admin/user-edit.php': fixture('wordpress-user-edit.html'),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFixtureSite(routes: Record<string, Route> = drupalRoutes()): Promise<FixtureSite> {
  const table = new Map(Object.entries(routes));
  const requests: SiteRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: SiteRequest = { method: req.method ?? 'GET', path: url.pathname, url: req.url ?? '/', headers: req.headers, body: await readBody(req) };
      requests.push(request);
      const route = table.get(url.pathname) ?? [...table].find(([p]) => p.endsWith('/*') && url.pathname.startsWith(p.slice(0, -1)))?.[1];
      if (typeof route === 'string') {
        // A form post to a page answers like Drupal does after a save: redirect back to the page (PRG).
        if (request.method === 'POST') {
          res.writeHead(303, { location: url.pathname });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(route);
        return;
      }
      if (typeof route === 'function' && route(request, res) !== false) return;
      // Assets the captures link to (/core/…, /sites/…) are not served: the pages must work without them.
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    route: (pathname, route) => void table.set(pathname, route),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Where the captured WordPress and Joomla pages were made: their absolute links and form actions name these origins. */
export const CAPTURED_ORIGINS = { wordpress: 'http://127.0.0.1:8891', joomla: 'http://127.0.0.1:8892' };

/**
 * A route that serves a captured page with its absolute links to `from` (one of CAPTURED_ORIGINS)
 * moved to `origin()`, the test site's own origin (read per request: it is known once the site listens).
 */
export function rehostedPage(html: string, from: string, origin: () => string): (req: SiteRequest, res: ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html.split(from).join(origin()));
  };
}

/** A route that forwards requests (method, query, headers, body) to `upstream` + the same path, e.g. JSON:API to the fake Drupal site. */
export function proxyRoute(upstream: string): Route {
  return (req, res) => {
    void (async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const answer = await fetch(`${upstream}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
      });
      const out: Record<string, string> = {};
      answer.headers.forEach((v, k) => {
        if (k !== 'content-encoding' && k !== 'content-length' && k !== 'transfer-encoding') out[k] = v;
      });
      res.writeHead(answer.status, out);
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  };
}
