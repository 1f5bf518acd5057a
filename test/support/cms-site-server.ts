/**
 * The lifecycle both fake CMS sites share (WordPress, Joomla): one Node `http` server on
 * 127.0.0.1 holding many sites at once, so parallel tests never share state, each with a fault
 * queue and a request log. A kind supplies how to create a site, how the site answers, and its
 * own control routes.
 *
 *   POST /__control/sites {…}                 → the kind's created site
 *   /s/<id>/…                                 the site
 *   /__control/sites/<id>/faults   POST ([…] or {faults, append}) · DELETE
 *   /__control/sites/<id>/requests GET ?since=<seq> · DELETE
 *   /__control/sites/<id>/…                   the kind's own control routes
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CmsFault, CmsReply, CmsRequest } from './cms-site-types';
import { closeServer, glob, listenOnLoopback, readBody } from './local-server';

/** What the kind's site sees of a request. */
export interface IncomingCall {
  method: string;
  /** path below /s/<id> */
  path: string;
  url: URL;
  headers: IncomingMessage['headers'];
  raw: string;
}

export interface SiteKind<S> {
  name: string;
  create(id: string, baseUrl: string, body: Record<string, unknown>): S;
  describe(site: S, created: { id: string; baseUrl: string; controlUrl: string }): unknown;
  /** the route below the site's API that faults match and the log shows (`/wp/v2/users/5`) */
  routeOf(call: IncomingCall): string;
  /** answers a request to the site; `entry` is its log line, to fill with the viewer and body */
  serve(site: S, call: IncomingCall, entry: CmsRequest): CmsReply;
  control(site: S, method: string, path: string, body: unknown, url: URL): CmsReply | undefined;
}

interface Tenant<S> {
  site: S;
  faults: { fault: CmsFault; left: number; path: RegExp | undefined }[];
  log: CmsRequest[];
}

export interface CmsSiteServer {
  url: string;
  close(): Promise<void>;
}

export async function startCmsSiteServer<S>(kind: SiteKind<S>): Promise<CmsSiteServer> {
  const tenants = new Map<string, Tenant<S>>();
  const timers = new Set<NodeJS.Timeout>();
  let origin = '';
  let seq = 0;
  let counter = 0;

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => route(req, res, raw))
      .catch((err: unknown) => {
        console.error(`[${kind.name}]`, err);
        if (!res.headersSent) send(res, { status: 500, body: { error: String(err) } });
      });
  });

  function route(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === '/__control/sites' && method === 'POST') {
      try {
        const id = `site${++counter}-${Math.random().toString(36).slice(2, 8)}`;
        const baseUrl = `${origin}/s/${id}`;
        const site = kind.create(id, baseUrl, (parse(raw) ?? {}) as Record<string, unknown>);
        tenants.set(id, { site, faults: [], log: [] });
        return send(res, { status: 201, body: kind.describe(site, { id, baseUrl, controlUrl: `${origin}/__control/sites/${id}` }) });
      } catch (e) {
        return send(res, { status: 400, body: { error: (e as Error).message } });
      }
    }
    const control = /^\/__control\/sites\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (control) {
      const tenant = tenants.get(control[1]!);
      if (!tenant) return send(res, { status: 404, body: { error: `no site ${control[1]}` } });
      try {
        return send(res, controlRoute(tenant, method, control[2] ?? '/', url, parse(raw)));
      } catch (e) {
        return send(res, { status: 400, body: { error: (e as Error).message } });
      }
    }
    const scoped = /^\/s\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const tenant = scoped ? tenants.get(scoped[1]!) : undefined;
    if (!scoped || !tenant) return send(res, { status: 404, headers: { 'content-type': 'text/plain' }, body: 'no such site' });
    serveSite(tenant, req, res, { method, path: scoped[2] ?? '/', url, headers: req.headers, raw });
  }

  function serveSite(tenant: Tenant<S>, req: IncomingMessage, res: ServerResponse, call: IncomingCall): void {
    const entry: CmsRequest = {
      seq: ++seq,
      method: call.method,
      route: kind.routeOf(call),
      query: call.url.search.slice(1),
      viewer: 'anonymous',
      accept: String(call.headers.accept ?? ''),
      body: null,
      status: 0,
      fault: null,
    };
    tenant.log.push(entry);
    const index = tenant.faults.findIndex(
      (q) => (!q.fault.match?.method || q.fault.match.method.toUpperCase() === call.method) && (!q.path || q.path.test(entry.route)),
    );
    const fault = index >= 0 ? tenant.faults[index]!.fault : undefined;
    if (index >= 0 && --tenant.faults[index]!.left === 0) tenant.faults.splice(index, 1);
    const act = () => {
      if (fault?.reset) {
        entry.fault = 'reset';
        req.socket.resetAndDestroy();
        return;
      }
      if (fault?.respond) {
        entry.fault = 'respond';
        entry.status = fault.respond.status;
        return send(res, {
          status: fault.respond.status,
          ...(fault.respond.headers ? { headers: fault.respond.headers } : {}),
          body: fault.respond.rawBody ?? fault.respond.body,
        });
      }
      // A fault's canned answer stands in for the site: the site itself never saw the request.
      const reply = kind.serve(tenant.site, call, entry);
      entry.status = reply.status;
      send(res, reply);
    };
    if (fault?.delayMs === undefined) return act();
    if (!fault.respond && !fault.reset) entry.fault = 'delay';
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) act();
    }, fault.delayMs);
    timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  }

  function controlRoute(tenant: Tenant<S>, method: string, path: string, url: URL, body: unknown): CmsReply {
    if (path === '/faults' && method === 'POST') {
      const given = Array.isArray(body) ? { faults: body as CmsFault[], append: false } : (body as { faults: CmsFault[]; append?: boolean });
      const queued = given.faults.map((fault) => ({ fault, left: fault.times ?? 1, path: fault.match?.path ? glob(fault.match.path) : undefined }));
      tenant.faults = given.append ? [...tenant.faults, ...queued] : queued;
      return { status: 200, body: { faults: tenant.faults.length } };
    }
    if (path === '/faults' && method === 'DELETE') {
      tenant.faults = [];
      return { status: 200, body: { faults: 0 } };
    }
    if (path === '/requests' && method === 'GET') {
      const since = Number(url.searchParams.get('since') ?? 0);
      return { status: 200, body: { requests: tenant.log.filter((r) => r.seq > since) } };
    }
    if (path === '/requests' && method === 'DELETE') {
      tenant.log = [];
      return { status: 200, body: { requests: [] } };
    }
    return kind.control(tenant.site, method, path, body, url) ?? { status: 404, body: { error: `no control route ${method} ${path}` } };
  }

  origin = await listenOnLoopback(server);
  return { url: origin, close: () => closeServer(server, timers) };
}

export function parse(raw: string): unknown {
  if (raw === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error('the body is not JSON');
  }
}

function send(res: ServerResponse, reply: CmsReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | undefined;
  if (reply.body !== undefined) {
    payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json; charset=UTF-8';
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}
