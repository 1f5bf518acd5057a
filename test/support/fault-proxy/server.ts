/**
 * A fault-injecting HTTP proxy in front of relay B, for the convergence property test (issue #9):
 * `/t/<name>/scim/v2/…` is forwarded to relay B's `/scim/v2/…`, through a fault queue of its
 * own per `<name>` (the fault target's DSL, ../fault-target/faults.ts). A fault with
 * `forwardFirst` lets relay B apply the request and then replaces its answer (a 500, a reset):
 * the write landed but the client cannot know, the case that duplicates creates. Every request
 * is logged with relay B's own status, so a test counts what relay B really did.
 * Controlled over HTTP at `/t/<name>/__control/faults` and `/__control/requests`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FaultQueue } from '../fault-target/faults';
import { closeServer, jsonOrText, listenOnLoopback, readBody } from '../local-server';
import type { ProxiedRequest, ProxyFault } from '../provided-context';

interface Tenant {
  faults: FaultQueue;
  log: ProxiedRequest[];
}

export interface FaultProxy {
  url: string;
  close(): Promise<void>;
}

/** Headers worth passing either way; hop-by-hop ones (connection, length) are node's business. */
const REQUEST_HEADERS = ['authorization', 'accept', 'content-type', 'if-match', 'if-none-match'];
const RESPONSE_HEADERS = ['content-type', 'etag', 'location', 'retry-after', 'www-authenticate'];

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const tenants = new Map<string, Tenant>();
  const timers = new Set<NodeJS.Timeout>();
  const tenantOf = (name: string): Tenant => {
    const t = tenants.get(name) ?? { faults: new FaultQueue(), log: [] };
    tenants.set(name, t);
    return t;
  };
  let origin = '';

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => route(req, res, raw))
      .catch((err: unknown) => {
        console.error('[fault-proxy]', err);
        if (!res.headersSent) reply(res, 502, {}, JSON.stringify({ detail: String(err) }));
      });
  });

  async function route(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scoped = /^\/t\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (!scoped) return reply(res, 404, {}, JSON.stringify({ error: 'use /t/<name>/scim/v2 or /t/<name>/__control' }));
    const tenant = tenantOf(decodeURIComponent(scoped[1]!));
    const path = scoped[2]!;
    const method = (req.method ?? 'GET').toUpperCase();
    if (path.startsWith('/__control/')) return control(tenant, `${method} ${path}`, raw, res);
    if (!path.startsWith('/scim/v2')) return reply(res, 404, {}, '');
    const entry: ProxiedRequest = { method, path: path.slice('/scim/v2'.length), body: jsonOrText(raw), upstreamStatus: null, status: 0 };
    tenant.log.push(entry);
    const fault = tenant.faults.take(method, path, raw) as ProxyFault | undefined;
    if (fault?.delayMs !== undefined) await sleep(fault.delayMs);
    if (res.destroyed) return;
    if (fault && !fault.forwardFirst && (fault.reset || fault.respond)) return act(fault, entry, res);
    const answer = await forward(req, method, `${path}${url.search}`, raw, `${origin}/t/${scoped[1]}/scim/v2`);
    entry.upstreamStatus = answer.status;
    if (fault?.forwardFirst && (fault.reset || fault.respond)) return act(fault, entry, res);
    entry.status = answer.status;
    reply(res, answer.status, answer.headers, answer.body);
  }

  function act(fault: ProxyFault, entry: ProxiedRequest, res: ServerResponse): void {
    if (fault.reset) {
      entry.status = 'reset';
      // An RST rather than a FIN: the client sees a connection reset, not an empty response.
      res.socket?.resetAndDestroy();
      return;
    }
    const { status, headers = {}, body } = fault.respond!;
    entry.status = status;
    reply(res, status, { 'content-type': 'application/scim+json', ...headers }, body === undefined ? '' : JSON.stringify(body));
  }

  async function forward(req: IncomingMessage, method: string, pathAndQuery: string, raw: string, base: string) {
    const headers: Record<string, string> = {};
    for (const h of REQUEST_HEADERS) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const r = await fetch(`${upstream}${pathAndQuery}`, { method, headers, body: raw === '' ? undefined : raw });
    // Relay B names its own URLs (meta.location, Location): name the proxy's instead.
    const text = (await r.text()).replaceAll(`${upstream}/scim/v2`, base);
    const out: Record<string, string> = {};
    for (const h of RESPONSE_HEADERS) {
      const v = r.headers.get(h);
      if (v !== null) out[h] = v.replace(`${upstream}/scim/v2`, base);
    }
    return { status: r.status, headers: out, body: text };
  }

  function control(tenant: Tenant, what: string, raw: string, res: ServerResponse): void {
    const ok = (b: unknown) => reply(res, 200, { 'content-type': 'application/json' }, JSON.stringify(b));
    try {
      switch (what) {
        case 'POST /__control/faults': {
          const body = jsonOrText(raw) as { faults?: unknown[]; append?: boolean } | null;
          if (!Array.isArray(body?.faults)) throw new Error('POST { faults: [...] }');
          tenant.faults.set(body.faults, body.append === true);
          return ok({ pending: tenant.faults.pending() });
        }
        case 'DELETE /__control/faults':
          tenant.faults.clear();
          return ok({ pending: [] });
        case 'GET /__control/requests':
          return ok({ requests: tenant.log });
        default:
          return reply(res, 404, {}, JSON.stringify({ error: `no control route ${what}` }));
      }
    } catch (e) {
      reply(res, 400, { 'content-type': 'application/json' }, JSON.stringify({ error: (e as Error).message }));
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  origin = await listenOnLoopback(server);
  return { url: origin, close: () => closeServer(server, timers) };
}

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, headers);
  res.end(body === '' ? undefined : body);
}
