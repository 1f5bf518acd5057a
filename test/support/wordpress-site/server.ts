/**
 * The fake WordPress site server: many WordPress sites (site.ts) on one loopback server, each
 * answering the REST API at `/s/<id>/wp-json/…` (pretty permalinks) and `/s/<id>/?rest_route=…`
 * (always), with faults and a request log (../cms-site-server.ts).
 *
 * Control routes below /__control/sites/<id>: GET state · POST users (one or {users:[…]}) ·
 * PATCH users/<id> · POST settings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, startCmsSiteServer, type CmsSiteServer, type IncomingCall } from '../cms-site-server';
import { WpSite } from './site';
import type { CreatedWpSite, CreateWpSiteRequest, WpSeedUser, WpSiteSettings } from './types';

/** The relay's Application Password on every fake site (spaces as WordPress shows it). */
export const WP_ADMIN_APP_PASSWORD = 'ooIt Zx9Z rt1L pJzU sAnD xndY';

const FIXTURE = path.join(import.meta.dirname, '../../fixtures/wordpress-real/final_state/03_final_list.json');

/** The ten accounts of the real capture, as seeds. */
function fixtureUsers(): WpSeedUser[] {
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
    response: { body: { id: number; username: string; email: string; name: string; first_name: string; last_name: string; roles: string[] }[] };
  };
  return doc.response.body.map((u) => ({
    id: u.id,
    username: u.username,
    email: u.email,
    name: u.name,
    first_name: u.first_name,
    last_name: u.last_name,
    roles: u.roles,
  }));
}

const routeOf = (call: IncomingCall) => {
  const rest = call.url.searchParams.get('rest_route');
  if (rest !== null && (call.path === '/' || call.path === '/index.php')) return rest || '/';
  const m = /^\/wp-json(\/.*)?$/.exec(call.path);
  return m ? m[1] || '/' : call.path;
};

export function startWordpressSite(): Promise<CmsSiteServer> {
  return startCmsSiteServer<WpSite>({
    name: 'wordpress-site',
    create(id, baseUrl, body) {
      const req = body as CreateWpSiteRequest;
      const settings: WpSiteSettings = { appPasswords: true, prettyPermalinks: true, title: 'Fake WordPress', ...req.settings };
      const site = new WpSite(id, baseUrl, settings);
      const seeds = req.fixture ? fixtureUsers() : [{ id: 1, username: 'admin', email: 'admin@example.test', roles: ['administrator'], posts: 1 }];
      for (const s of seeds) site.add(s);
      site.users.get(1)?.appPasswords.push({ uuid: 'relay', name: 'relay', password: WP_ADMIN_APP_PASSWORD.replace(/\s+/g, '') });
      if (site.users.get(1)) site.users.get(1)!.posts = Math.max(1, site.users.get(1)!.posts);
      for (const s of req.users ?? []) site.add(s);
      return site;
    },
    describe: (site, created): CreatedWpSite => ({ ...created, adminToken: `${site.users.get(1)?.username ?? 'admin'}:${WP_ADMIN_APP_PASSWORD}` }),
    routeOf,
    serve(site, call, entry) {
      const rest = call.url.searchParams.get('rest_route');
      const viaQuery = rest !== null && (call.path === '/' || call.path === '/index.php');
      if (!viaQuery && !call.path.startsWith('/wp-json'))
        return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>Page not found</body></html>' };
      // Without pretty permalinks /wp-json/ is the theme's HTML 404 (README "Other gotchas").
      if (!viaQuery && !site.settings.prettyPermalinks)
        return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>Page not found</body></html>' };
      const viewer = site.viewer(String(call.headers.authorization ?? ''));
      entry.viewer = viewer ? String(viewer.id) : 'anonymous';
      const query = new URLSearchParams(call.url.search);
      query.delete('rest_route');
      let body: Record<string, unknown> = {};
      try {
        body = (parse(call.raw) ?? {}) as Record<string, unknown>;
      } catch {
        return { status: 400, body: { code: 'rest_invalid_json', message: 'Invalid JSON body passed.', data: { status: 400 } } };
      }
      entry.body = call.raw === '' ? null : body;
      return site.handle(call.method, routeOf(call), query, body, viewer);
    },
    control(site, method, p, body) {
      if (method === 'GET' && p === '/state') return { status: 200, body: { users: [...site.users.values()], settings: site.settings } };
      if (method === 'POST' && p === '/settings') {
        site.settings = { ...site.settings, ...(body as Partial<WpSiteSettings>) };
        return { status: 200, body: site.settings };
      }
      if (method === 'POST' && p === '/users') {
        const given = body as WpSeedUser | { users: WpSeedUser[] };
        const seeds = 'users' in given ? given.users : [given];
        return { status: 201, body: { users: seeds.map((s) => site.add(s)) } };
      }
      const one = /^\/users\/(\d+)$/.exec(p);
      if (one && method === 'PATCH') {
        const u = site.users.get(Number(one[1]));
        if (!u) return { status: 404, body: { error: 'no such user' } };
        Object.assign(u, body);
        return { status: 200, body: u };
      }
      return undefined;
    },
  });
}
