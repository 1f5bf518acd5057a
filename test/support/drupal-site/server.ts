/**
 * The fake Drupal site server: a Node `http` server on 127.0.0.1 serving Drupal 10 core JSON:API
 * for users and roles (./jsonapi.ts), many sites at once so parallel tests never share state.
 *
 *   POST /__control/sites {users, roles, settings, generate, fixture}  → CreatedSite
 *   /s/<id>/jsonapi…                                                   the site
 *   /__control/sites/<id>/…                                            its control API:
 *     GET state · POST users (one or {users:[…]}) · PATCH users/<uid> · DELETE users/<uid>
 *     POST users/<uid>/block · POST settings · POST faults ([…] or {faults, append}) ·
 *     DELETE faults · GET requests?since=<seq> · DELETE requests · GET flood · DELETE flood
 *
 * Auth as Drupal 10 core does it. HTTP Basic (basic_auth): right credentials are the account;
 * wrong ones are *not* refused — the request goes on as the anonymous user (200 with label-only
 * users, no `meta.links.me`), as BasicAuth::authenticate() returns NULL. Flood control as core's
 * (user.flood defaults): after `userLimit` (5) failed logins of an account from one IP, even its
 * right password is ignored until the flood table is cleared (DELETE {control}/flood, what
 * `drush sql:query "DELETE FROM flood"` does); `ipLimit` (50) failures from the IP block every
 * account. Bearer (simple_oauth): an unknown token is a 401. No credentials: anonymous.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, glob, listenOnLoopback, readBody } from '../local-server';
import { Api, jsonapiError, type Caller, type Reply } from './jsonapi';
import { Site } from './site';
import type { CreatedSite, CreateSiteRequest, SeedUser, SiteAccount, SiteFault, SiteRequest, SiteUser } from './types';

interface Tenant {
  site: Site;
  api: Api;
  faults: { fault: SiteFault; left: number; path: RegExp | undefined }[];
  log: SiteRequest[];
  /** the flood table: failed Basic logins per account name (one client IP: loopback), and of the IP */
  flood: { user: Map<string, number>; ip: number };
}

export interface DrupalSiteServer {
  url: string;
  /** creates a site in-process (benches: no HTTP round trip for 20,000 seeds) */
  createSite(req: CreateSiteRequest): CreatedSite;
  close(): Promise<void>;
}

export async function startDrupalSite(): Promise<DrupalSiteServer> {
  const tenants = new Map<string, Tenant>();
  const timers = new Set<NodeJS.Timeout>();
  let origin = '';
  let seq = 0;
  let siteCounter = 0;

  const createSite = (req: CreateSiteRequest): CreatedSite => {
    const id = `site${++siteCounter}-${Math.random().toString(36).slice(2, 8)}`;
    const site = new Site(id, req);
    const baseUrl = `${origin}/s/${id}`;
    tenants.set(id, { site, api: new Api(site, baseUrl), faults: [], log: [], flood: { user: new Map(), ip: 0 } });
    return { id, baseUrl, controlUrl: `${origin}/__control/sites/${id}`, accounts: site.settings.accounts };
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => route(req, res, raw))
      .catch((err: unknown) => {
        console.error('[drupal-site]', err);
        if (!res.headersSent) send(res, { status: 500, body: { error: String(err) } });
      });
  });

  function route(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === '/__control/sites' && method === 'POST') {
      try {
        return send(res, { status: 201, body: createSite((parse(raw) ?? {}) as CreateSiteRequest) });
      } catch (e) {
        return send(res, { status: 400, body: { error: (e as Error).message } });
      }
    }
    const control = /^\/__control\/sites\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (control) {
      const tenant = tenants.get(control[1]!);
      if (!tenant) return send(res, { status: 404, body: { error: `no site ${control[1]}` } });
      return controlRoute(tenant, method, control[2] ?? '/', url, raw, res);
    }
    const scoped = /^\/s\/([^/]+)(\/.*)?$/.exec(url.pathname);
    const tenant = scoped ? tenants.get(scoped[1]!) : undefined;
    if (!scoped || !tenant) return send(res, { status: 404, headers: { 'content-type': 'text/plain' }, body: 'no such site' });
    serveSite(tenant, req, res, method, scoped[2] ?? '/', url, raw);
  }

  function serveSite(tenant: Tenant, req: IncomingMessage, res: ServerResponse, method: string, path: string, url: URL, raw: string): void {
    const authorization = req.headers.authorization ?? '';
    const entry: SiteRequest = {
      seq: ++seq,
      method,
      path,
      query: url.search.slice(1),
      auth: authorization.startsWith('Basic ') ? 'basic' : authorization.startsWith('Bearer ') ? 'bearer' : 'none',
      status: 0,
      fault: null,
      login: null,
    };
    tenant.log.push(entry);
    const index = tenant.faults.findIndex((q) => (!q.fault.match?.method || q.fault.match.method.toUpperCase() === method) && (!q.path || q.path.test(path)));
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
        const r = fault.respond;
        return send(res, { status: r.status, headers: r.headers, body: r.rawBody ?? r.body });
      }
      const reply = answer(tenant, entry, method, path, url, authorization, raw, req.headers['content-type']);
      entry.status = reply.status;
      if (fault?.truncate) {
        entry.fault = 'truncate';
        const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? '');
        const bytes = Buffer.from(text);
        // The head promises the whole body; half of it arrives, then the connection drops.
        res.writeHead(reply.status, { ...reply.headers, 'content-length': String(bytes.length) });
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
        return;
      }
      send(res, reply);
    };
    if (fault?.delayMs === undefined) return act();
    if (!fault.respond && !fault.reset && !fault.truncate) entry.fault = 'delay';
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

  function answer(
    tenant: Tenant,
    entry: SiteRequest,
    method: string,
    path: string,
    url: URL,
    authorization: string,
    raw: string,
    contentType: string | undefined,
  ): Reply {
    let caller: Caller = { viewer: 'anonymous', credentialed: false };
    if (authorization !== '') {
      const [scheme, value = ''] = authorization.split(' ', 2);
      if (scheme === 'Basic') {
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const account = basicLogin(tenant, entry, decoded.slice(0, colon), decoded.slice(colon + 1));
        caller = account ? { viewer: account.model, uuid: accountUuid(tenant, account), credentialed: true } : { viewer: 'anonymous', credentialed: true };
      } else if (scheme === 'Bearer') {
        const account = tenant.site.settings.accounts.find((a) => a.token !== undefined && a.token === value);
        if (!account) {
          const r = jsonapiError(401, 'The resource owner or authorization server denied the request.', `${origin}/s/${tenant.site.id}${path}${url.search}`);
          return { ...r, headers: { ...r.headers, 'www-authenticate': 'Bearer realm="OAuth", error="invalid_token"' } };
        }
        caller = { viewer: account.model, uuid: accountUuid(tenant, account), credentialed: true };
      }
    }
    return tenant.api.handle(method, path, url, caller, raw, contentType);
  }

  /**
   * basic_auth's BasicAuth::authenticate() (Drupal 10): the IP's failures are checked first
   * (user.flood ip_limit, 50 an hour), then the account's (user_limit, 5 in 6 hours, keyed by
   * uid and IP). A blocked account is not even checked — its right password fails too — and
   * every failure adds an IP event. Null means the request goes on as anonymous.
   */
  function basicLogin(tenant: Tenant, entry: SiteRequest, username: string, password: string): SiteAccount | null {
    const { userLimit = 5, ipLimit = 50 } = tenant.site.settings.flood ?? {};
    const flood = tenant.flood;
    entry.login = 'failed';
    if (flood.ip < ipLimit) {
      const account = tenant.site.settings.accounts.find((a) => a.username !== undefined && a.username === username);
      if (account) {
        const failures = flood.user.get(username) ?? 0;
        if (failures < userLimit) {
          if (account.password === password) {
            flood.user.delete(username);
            entry.login = 'ok';
            return account;
          }
          flood.user.set(username, failures + 1);
        } else entry.login = 'blocked';
      }
    } else entry.login = 'blocked';
    flood.ip += 1;
    return null;
  }

  /** The account's user UUID for `meta.links.me`: the site user of that name, else one made up once. */
  function accountUuid(tenant: Tenant, account: SiteAccount): string {
    const named = [...tenant.site.users.values()].find((u) => u.name === account.username);
    if (named) return named.uuid;
    account.uuid ??= randomUUID();
    return account.uuid;
  }

  function controlRoute(tenant: Tenant, method: string, path: string, url: URL, raw: string, res: ServerResponse): void {
    const site = tenant.site;
    const ok = (b: unknown) => send(res, { status: 200, body: b });
    const userOf = (uid: string): SiteUser => {
      const u = site.userByUid(Number(uid));
      if (!u) throw new Error(`no user ${uid}`);
      return u;
    };
    try {
      const body = parse(raw) as Record<string, unknown> | unknown[] | null;
      const userPath = /^\/users\/(\d+)(\/block)?$/.exec(path);
      if (method === 'GET' && path === '/state') return ok({ users: [...site.users.values()], roles: [...site.roles.values()], settings: site.settings });
      if (method === 'POST' && path === '/users') {
        const seeds = Array.isArray((body as { users?: unknown })?.users) ? (body as { users: SeedUser[] }).users : [body as unknown as SeedUser];
        return ok({ users: seeds.map((s) => site.insert(s)) });
      }
      if (userPath && method === 'PATCH' && !userPath[2]) return ok(site.update(userOf(userPath[1]!), body as Partial<SiteUser>));
      if (userPath && method === 'POST' && userPath[2]) return ok(site.update(userOf(userPath[1]!), { status: false }));
      if (userPath && method === 'DELETE' && !userPath[2]) {
        site.remove(userOf(userPath[1]!));
        return ok({ deleted: Number(userPath[1]) });
      }
      if (method === 'POST' && path === '/settings') {
        site.settings = { ...site.settings, ...(body as object) };
        return ok(site.settings);
      }
      if (method === 'POST' && path === '/faults') {
        const list = (Array.isArray(body) ? body : (body as { faults?: unknown })?.faults) as SiteFault[] | undefined;
        if (!Array.isArray(list)) throw new Error('POST a list of faults, or { faults: [...] }');
        const entries = list.map((f) => ({ fault: f, left: f.times ?? 1, path: f.match?.path === undefined ? undefined : glob(f.match.path) }));
        tenant.faults = (body as { append?: boolean }).append ? [...tenant.faults, ...entries] : entries;
        return ok({ pending: tenant.faults.length });
      }
      if (method === 'GET' && path === '/flood') return ok({ user: Object.fromEntries(tenant.flood.user), ip: tenant.flood.ip });
      if (method === 'DELETE' && path === '/flood') {
        tenant.flood = { user: new Map(), ip: 0 };
        return ok({ user: {}, ip: 0 });
      }
      if (method === 'DELETE' && path === '/faults') {
        tenant.faults = [];
        return ok({ pending: 0 });
      }
      if (method === 'GET' && path === '/requests') {
        const since = Number(url.searchParams.get('since') ?? 0);
        return ok({ requests: tenant.log.filter((r) => r.seq > since) });
      }
      if (method === 'DELETE' && path === '/requests') {
        tenant.log = [];
        return ok({ requests: [] });
      }
      return send(res, { status: 404, body: { error: `no control route ${method} ${path}` } });
    } catch (e) {
      send(res, { status: 400, body: { error: (e as Error).message } });
    }
  }

  origin = await listenOnLoopback(server);
  return {
    url: origin,
    createSite,
    close: () => closeServer(server, timers),
  };
}

function parse(raw: string): unknown {
  if (raw === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error('the body is not JSON');
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | undefined;
  if (reply.body !== undefined) {
    payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}
