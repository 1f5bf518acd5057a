/**
 * The fake Joomla site server: many Joomla sites (site.ts) on one loopback server, each
 * answering the Web Services API at `/s/<id>/api/index.php/v1/…`, with faults and a request log
 * (../cms-site-server.ts). The Accept header is checked before anything else (api/006-009).
 *
 * Control routes below /__control/sites/<id>: GET state · POST users (one or {users:[…]}) ·
 * PATCH users/<id> · POST settings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, startCmsSiteServer, type CmsSiteServer, type IncomingCall } from '../cms-site-server';
import { GROUPS, JoomlaSite } from './site';
import type { CreatedJoomlaSite, CreateJoomlaSiteRequest, JoomlaSeedUser, JoomlaSiteSettings } from './types';

const FIXTURE = path.join(import.meta.dirname, '../../fixtures/joomla-real/final_state/01_final_list.json');
const TITLES = new Map(Object.entries(GROUPS).map(([id, g]) => [g.title, Number(id)]));

/** The ten accounts of the real capture, as seeds (the list names groups by title). */
function fixtureUsers(): JoomlaSeedUser[] {
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
    response: { body: { data: { id: string; attributes: { name: string; username: string; email: string; block: number; group_names: string } }[] } };
  };
  return doc.response.body.data.map(({ id, attributes: a }) => ({
    id: Number(id),
    name: a.name,
    username: a.username,
    email: a.email,
    block: a.block === 1,
    groups: a.group_names.split('\n').map((t) => TITLES.get(t) ?? 2),
    requireReset: a.username === 'reset.user',
    token: a.username === 'sam.super',
  }));
}

const routeOf = (call: IncomingCall) => {
  const m = /^\/api\/index\.php(\/.*)?$/.exec(call.path);
  return m ? m[1] || '/' : call.path;
};
const acceptable = (accept: string) => accept.split(',').some((part) => ['application/vnd.api+json', '*/*'].includes(part.split(';')[0]!.trim().toLowerCase()));

export function startJoomlaSite(): Promise<CmsSiteServer> {
  return startCmsSiteServer<JoomlaSite>({
    name: 'joomla-site',
    create(id, baseUrl, body) {
      const req = body as CreateJoomlaSiteRequest;
      const settings: JoomlaSiteSettings = { usersPlugin: true, tokenPlugin: true, tokenGroups: [8], ...req.settings };
      const site = new JoomlaSite(id, baseUrl, settings);
      const seeds = req.fixture ? fixtureUsers() : [{ id: 560, name: 'Super Admin', username: 'admin', email: 'admin@example.test', groups: [8] }];
      for (const s of seeds) site.add({ ...s, token: s.token || s.id === 560 });
      for (const s of req.users ?? []) site.add(s);
      return site;
    },
    describe: (site, created): CreatedJoomlaSite => ({
      ...created,
      adminToken: site.users.get(560)?.token ?? '',
      tokens: Object.fromEntries([...site.users.values()].filter((u) => u.token).map((u) => [String(u.id), u.token!])),
    }),
    routeOf,
    serve(site, call, entry) {
      if (!call.path.startsWith('/api/index.php')) return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body>404</body></html>' };
      // Anything but the JSON:API media type (or */*), or no Accept at all, is a plain-text 406.
      if (!acceptable(String(call.headers.accept ?? '')))
        return { status: 406, headers: { 'content-type': 'text/html; charset=utf-8' }, body: 'Could not match accept header' };
      const viewer = site.viewer(call.headers);
      entry.viewer = viewer ? String(viewer.id) : 'anonymous';
      let body: unknown = null;
      try {
        body = parse(call.raw);
      } catch {
        return { status: 400, headers: { 'content-type': 'application/vnd.api+json' }, body: { errors: [{ title: 'Syntax error', code: 400 }] } };
      }
      entry.body = body;
      return site.handle(call.method, routeOf(call), call.url.searchParams, body, viewer);
    },
    control(site, method, p, body) {
      if (method === 'GET' && p === '/state') return { status: 200, body: { users: [...site.users.values()], settings: site.settings } };
      if (method === 'POST' && p === '/settings') {
        site.settings = { ...site.settings, ...(body as Partial<JoomlaSiteSettings>) };
        return { status: 200, body: site.settings };
      }
      if (method === 'POST' && p === '/users') {
        const given = body as JoomlaSeedUser | { users: JoomlaSeedUser[] };
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
