/**
 * The fault-injecting SCIM target: a Node `http` server on 127.0.0.1 that serves SCIM 2.0 at
 * `/scim/v2`, logs every request, and applies a queue of faults (status codes, raw bodies,
 * delays, socket resets) that a real server can produce. Controlled over HTTP at `/__control`.
 *
 * Test files run in parallel, so each test can take its own target: `/t/<name>/scim/v2` and
 * `/t/<name>/__control` are an independent directory, fault queue and log, created on first use.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, jsonOrText, listenOnLoopback, readBody } from '../local-server';
import type { LoggedRequest, RequestLog, TargetConfig } from '../provided-context';
import { Directory, scimError, type ScimReply } from './directory';
import { FaultQueue } from './faults';

const SCIM_JSON = 'application/scim+json';
const DEFAULT_CONFIG: TargetConfig = { patch: true, bulk: false };

interface Tenant {
  directory: Directory;
  faults: FaultQueue;
  log: LoggedRequest[];
  config: TargetConfig;
}

function newTenant(): Tenant {
  return { directory: new Directory(), faults: new FaultQueue(), log: [], config: { ...DEFAULT_CONFIG } };
}

export interface FaultTarget {
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function startFaultTarget(token: string): Promise<FaultTarget> {
  const tenants = new Map<string, Tenant>();
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;
  let origin = '';

  const tenantOf = (name: string): Tenant => {
    let t = tenants.get(name);
    if (!t) tenants.set(name, (t = newTenant()));
    return t;
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => route(req, res, raw))
      .catch((err: unknown) => {
        console.error('[fault-target]', err);
        if (!res.headersSent) send(res, scimError(500, String(err)));
      });
  });

  function route(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scoped = /^\/t\/([^/]+)(\/.*)$/.exec(url.pathname);
    const name = scoped ? decodeURIComponent(scoped[1]!) : '';
    const path = scoped ? scoped[2]! : url.pathname;
    const tenant = tenantOf(name);
    const root = scoped ? `${origin}/t/${scoped[1]}` : origin;
    if (path === '/__control' || path.startsWith('/__control/')) return control(tenant, req.method ?? 'GET', path, url, raw, res);
    serveScim(tenant, req, res, path, url, raw, `${root}/scim/v2`);
  }

  function serveScim(tenant: Tenant, req: IncomingMessage, res: ServerResponse, path: string, url: URL, raw: string, base: string): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const authorization = req.headers.authorization;
    const entry: LoggedRequest = {
      seq: ++seq,
      at: new Date().toISOString(),
      method,
      path,
      route: `${method} ${routeOf(path)}`,
      query: Object.fromEntries(url.searchParams),
      body: jsonOrText(raw),
      hasAuthorization: authorization !== undefined,
      authorized: authorization === `Bearer ${token}`,
      fault: null,
    };
    tenant.log.push(entry);
    const fault = tenant.faults.take(method, path, raw);
    const act = () => {
      if (fault?.reset) {
        entry.fault = 'reset';
        // An RST rather than a FIN: the client sees a connection reset, not an empty response.
        req.socket.resetAndDestroy();
      } else if (fault?.respond) {
        entry.fault = 'respond';
        const { status, headers, body, rawBody } = fault.respond;
        send(res, { status, headers, body: rawBody ?? body }, rawBody !== undefined);
      } else {
        send(res, answer(tenant, method, path, url, entry.body, entry.authorized, base));
      }
    };
    if (fault?.delayMs === undefined) return act();
    entry.fault = 'delay';
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) act();
    }, fault.delayMs);
    timers.add(timer);
    // The client gave up (its timeout or abort): no need to keep the timer.
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  }

  function answer(tenant: Tenant, method: string, path: string, url: URL, body: unknown, authorized: boolean, base: string): ScimReply {
    if (path !== '/scim/v2' && !path.startsWith('/scim/v2/')) return scimError(404, `Nothing at ${path}.`);
    if (!authorized) return { ...scimError(401, 'Missing or wrong bearer token.'), headers: { 'www-authenticate': 'Bearer' } };
    return tenant.directory.handle(method, path.slice('/scim/v2'.length), Object.fromEntries(url.searchParams), body, base, tenant.config);
  }

  function control(tenant: Tenant, method: string, path: string, url: URL, raw: string, res: ServerResponse): void {
    const body = jsonOrText(raw);
    const ok = (b: unknown) => send(res, { status: 200, body: b });
    try {
      switch (`${method} ${path}`) {
        case 'POST /__control/faults': {
          const list = Array.isArray(body) ? body : (body as { faults?: unknown[] } | null)?.faults;
          if (!Array.isArray(list)) throw new Error('POST a list of faults, or { faults: [...] }');
          tenant.faults.set(list, url.searchParams.has('append') || (body as { append?: boolean }).append === true);
          return ok({ pending: tenant.faults.pending() });
        }
        case 'GET /__control/faults':
          return ok({ pending: tenant.faults.pending() });
        case 'DELETE /__control/faults':
          tenant.faults.clear();
          return ok({ pending: [] });
        case 'GET /__control/requests':
          return ok(requestLog(tenant.log, Number(url.searchParams.get('since') ?? 0)));
        case 'DELETE /__control/requests':
          tenant.log = [];
          return ok({ requests: [], counts: {} });
        case 'GET /__control/state':
          return ok(tenant.directory.state());
        case 'POST /__control/config':
          tenant.config = { ...tenant.config, ...(body as Partial<TargetConfig>) };
          return ok(tenant.config);
        case 'POST /__control/reset':
          tenant.directory = new Directory();
          tenant.faults.clear();
          tenant.log = [];
          tenant.config = { ...DEFAULT_CONFIG };
          return ok({ reset: true });
        default:
          return send(res, { status: 404, body: { error: `no control route ${method} ${path}` } });
      }
    } catch (e) {
      send(res, { status: 400, body: { error: (e as Error).message } });
    }
  }

  origin = await listenOnLoopback(server);
  return {
    url: origin,
    token,
    close: () => closeServer(server, timers),
  };
}

function requestLog(log: LoggedRequest[], since: number): RequestLog {
  const requests = log.filter((r) => r.seq > since);
  const counts: Record<string, number> = {};
  for (const r of requests) counts[r.route] = (counts[r.route] ?? 0) + 1;
  return { requests, counts };
}

/** `/scim/v2/Users/8c…` → `/scim/v2/Users/:id`. */
function routeOf(path: string): string {
  return path.replace(/^(\/scim\/v2\/(?:Users|Groups))\/[^/]+/, '$1/:id');
}

function send(res: ServerResponse, reply: ScimReply, raw = false): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | undefined;
  if (reply.body !== undefined) {
    payload = raw ? String(reply.body) : JSON.stringify(reply.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = raw ? 'text/html' : SCIM_JSON;
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}
