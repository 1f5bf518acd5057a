/**
 * The fake Drupal site answers as Drupal 10 core JSON:API does (fixtures README §JSON:API):
 * these pin the behaviours the importer and the Drupal target depend on.
 */
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { basic, createDrupalSite } from '../support/drupal-site/client';

const server = inject('drupalSiteUrl');
const JSONAPI = 'application/vnd.api+json';

async function get(url: string, auth?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { headers: auth ? { authorization: auth, accept: JSONAPI } : { accept: JSONAPI } });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

describe('fake Drupal site', () => {
  it('serves the real capture: anonymous uid 0 label-only, admin fields, roles relationship', async () => {
    const site = await createDrupalSite(server, { fixture: 'drupal10-real' });
    const r = await get(`${site.baseUrl}/jsonapi/user/user`, site.adminBasic);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(JSONAPI);
    expect(r.body.data).toHaveLength(10);
    expect(r.body.data[0].attributes).toEqual({ display_name: 'Anonymous' });
    const alice = r.body.data.find((d: any) => d.attributes.name === 'alice.johnson');
    expect(alice.id).toBe('6f66d11f-a8e5-42b2-b5ac-7dd0134b5adc');
    expect(alice.attributes).toMatchObject({ drupal_internal__uid: 2, mail: 'alice.johnson@example.com', status: true, changed: '2026-11-22T06:00:41+00:00' });
    expect(alice.relationships.roles.data[0].meta.drupal_internal__target_id).toBe('content_editor');
    expect(r.body.links.next).toBeUndefined();
  });

  it('pages at most 50 with links.next that keeps the filter and sort', async () => {
    const site = await createDrupalSite(server, { generate: 120 });
    const first = await get(
      `${site.baseUrl}/jsonapi/user/user?filter[changed][value]=0&filter[changed][operator]=%3E%3D&sort=changed,drupal_internal__uid&page[limit]=500`,
      site.adminBasic,
    );
    expect(first.body.data).toHaveLength(50);
    const next = new URL(first.body.links.next.href);
    expect(next.searchParams.get('page[offset]')).toBe('50');
    expect(next.searchParams.get('page[limit]')).toBe('50');
    expect(next.searchParams.get('sort')).toBe('changed,drupal_internal__uid');
    let seen = first.body.data.length;
    let href: string | undefined = first.body.links.next.href;
    while (href) {
      const page = await get(href, site.adminBasic);
      seen += page.body.data.length;
      href = page.body.links.next?.href;
    }
    // uid 0 + admin + 120 generated
    expect(seen).toBe(122);
  });

  it('filters by uid list, name, mail, status and role; changed compares Unix seconds', async () => {
    const site = await createDrupalSite(server, {
      users: [
        { uid: 5, name: 'ann', roles: ['editor'], changed: 2_000_000_000 },
        { uid: 7, name: 'bob', status: false, changed: 2_000_000_100 },
        { uid: 9, name: 'cy', mail: 'cy@x.org', changed: 2_000_000_200 },
      ],
    });
    const names = async (q: string) =>
      (await get(`${site.baseUrl}/jsonapi/user/user?${q}`, site.adminBasic)).body.data.map((d: any) => d.attributes.name ?? d.attributes.display_name);
    expect(
      await names(
        'filter[u][condition][path]=drupal_internal__uid&filter[u][condition][operator]=IN&filter[u][condition][value][]=5&filter[u][condition][value][]=9',
      ),
    ).toEqual(['ann', 'cy']);
    expect(await names('filter[name]=bob')).toEqual(['bob']);
    expect(await names('filter[mail]=cy@x.org')).toEqual(['cy']);
    expect(await names('filter[status]=0&filter[drupal_internal__uid][value]=0&filter[drupal_internal__uid][operator]=%3E')).toEqual(['bob']);
    expect(await names('filter[roles.meta.drupal_internal__target_id]=editor')).toEqual(['ann']);
    expect(
      await names('filter[c][condition][path]=changed&filter[c][condition][operator]=%3E%3D&filter[c][condition][value]=2000000100&sort=-changed'),
    ).toEqual(['cy', 'bob']);
    const bad = await get(`${site.baseUrl}/jsonapi/user/user?filter[nope]=1`, site.adminBasic);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].detail).toContain('`nope`');
  });

  it('limited account: blocked users under meta.omitted, no mail, 403 filtering on mail and on a blocked user', async () => {
    const site = await createDrupalSite(server, {
      users: [
        { uid: 2, name: 'on' },
        { uid: 3, name: 'off', status: false },
      ],
    });
    const viewer = basic('viewer', 'viewer-pass');
    const r = await get(`${site.baseUrl}/jsonapi/user/user`, viewer);
    expect(r.status).toBe(200);
    const on = r.body.data.find((d: any) => d.attributes.name === 'on');
    expect(on.attributes.mail).toBeUndefined();
    expect(on.attributes.status).toBeUndefined();
    expect(r.body.data.some((d: any) => d.attributes.name === 'off')).toBe(false);
    expect(Object.keys(r.body.meta.omitted.links)).toHaveLength(2);
    expect((await get(`${site.baseUrl}/jsonapi/user/user?filter[mail]=a@b.c`, viewer)).status).toBe(403);
    const off = (await site.state()).users.find((u) => u.name === 'off')!;
    expect((await get(`${site.baseUrl}/jsonapi/user/user/${off.uuid}`, viewer)).status).toBe(403);
  });

  it('anonymous sees labels only; JSON:API off is a 404 page; an unknown bearer token is a 401', async () => {
    const site = await createDrupalSite(server, { users: [{ name: 'x' }] });
    const anon = await get(`${site.baseUrl}/jsonapi/user/user`);
    expect(anon.status).toBe(200);
    expect(anon.body.data.every((d: any) => Object.keys(d.attributes).join() === 'display_name')).toBe(true);
    expect((await get(`${site.baseUrl}/jsonapi/user/user`, 'Bearer admin-token')).status).toBe(200);
    expect((await get(`${site.baseUrl}/jsonapi/user/user`, 'Bearer nope')).status).toBe(401);
    await site.settings({ jsonapi: false });
    const off = await get(`${site.baseUrl}/jsonapi`, site.adminBasic);
    expect(off.status).toBe(404);
    expect(off.headers.get('content-type')).toContain('text/html');
  });

  it('a wrong Basic password is not refused: the request goes on as anonymous, as Drupal 10 basic_auth does', async () => {
    const site = await createDrupalSite(server, { users: [{ name: 'x' }] });
    const entry = await get(`${site.baseUrl}/jsonapi`, site.adminBasic);
    expect(entry.body.meta.links.me.meta.id).toBe((await site.state()).users.find((u) => u.uid === 1)!.uuid);
    const wrongEntry = await get(`${site.baseUrl}/jsonapi`, basic('admin', 'nope'));
    expect(wrongEntry.status).toBe(200);
    expect(wrongEntry.body.meta).toBeUndefined();
    const list = await get(`${site.baseUrl}/jsonapi/user/user`, basic('admin', 'nope'));
    expect(list.status).toBe(200);
    expect(list.body.data.every((d: any) => Object.keys(d.attributes).join() === 'display_name')).toBe(true);
    // a filtered listing is TemporaryQueryGuard's alwaysFalse: empty, not an error
    const changed = await get(`${site.baseUrl}/jsonapi/user/user?filter[changed][value]=0&filter[changed][operator]=>=`, basic('admin', 'nope'));
    expect(changed).toMatchObject({ status: 200, body: { data: [] } });
    // credentials were sent, so a refused write stays a 403 (no challenge)
    const write = await fetch(`${site.baseUrl}/jsonapi/user/user`, {
      method: 'POST',
      headers: { authorization: basic('admin', 'nope'), 'content-type': JSONAPI },
      body: JSON.stringify({ data: { type: 'user--user', attributes: { name: 'y' } } }),
    });
    expect(write.status).toBe(403);
    expect(((await write.json()) as any).errors[0].detail).toBe('The current user is not allowed to POST the selected resource.');
  });

  it('flood control: after 5 failed logins the right password fails too, until the flood table is cleared', async () => {
    const site = await createDrupalSite(server, {});
    for (let i = 0; i < 5; i++) await get(`${site.baseUrl}/jsonapi`, basic('admin', `wrong-${i}`));
    expect(await site.flood()).toEqual({ user: { admin: 5 }, ip: 5 });
    const blocked = await get(`${site.baseUrl}/jsonapi`, site.adminBasic);
    expect(blocked.status).toBe(200);
    expect(blocked.body.meta).toBeUndefined();
    expect((await site.requests()).at(-1)).toMatchObject({ login: 'blocked', status: 200 });
    // another account from the same IP is not blocked (until the IP's 50)
    expect((await get(`${site.baseUrl}/jsonapi`, basic('useradmin', 'useradmin-pass'))).body.meta.links.me).toBeDefined();
    await site.clearFlood();
    expect((await get(`${site.baseUrl}/jsonapi`, site.adminBasic)).body.meta.links.me).toBeDefined();
    expect((await site.requests()).at(-1)!.login).toBe('ok');
  });

  it("writes: create, patch, delete per cancel method; read-only answers 405 with Drupal's message", async () => {
    const site = await createDrupalSite(server, { settings: { cancelMethod: 'user_cancel_block' } });
    const headers = { authorization: site.adminBasic, 'content-type': JSONAPI, accept: JSONAPI };
    const created = await fetch(`${site.baseUrl}/jsonapi/user/user`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ data: { type: 'user--user', attributes: { name: 'new.person', mail: 'n@x.org', status: true } } }),
    });
    expect(created.status).toBe(201);
    const doc = (await created.json()) as any;
    expect(created.headers.get('location')).toBe(`${site.baseUrl}/jsonapi/user/user/${doc.data.id}`);
    const dup = await fetch(`${site.baseUrl}/jsonapi/user/user`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ data: { type: 'user--user', attributes: { name: 'new.person' } } }),
    });
    expect(dup.status).toBe(422);
    expect(((await dup.json()) as any).errors[0].source.pointer).toBe('/data/attributes/name');
    const patched = await fetch(`${site.baseUrl}/jsonapi/user/user/${doc.data.id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ data: { type: 'user--user', id: doc.data.id, attributes: { mail: 'm@x.org' } } }),
    });
    expect(((await patched.json()) as any).data.attributes.mail).toBe('m@x.org');
    expect((await fetch(`${site.baseUrl}/jsonapi/user/user/${doc.data.id}`, { method: 'DELETE', headers })).status).toBe(204);
    expect((await site.state()).users.find((u) => u.uuid === doc.data.id)?.status).toBe(false);
    await site.settings({ readOnly: true });
    const ro = await fetch(`${site.baseUrl}/jsonapi/user/user`, { method: 'POST', headers, body: '{}' });
    expect(ro.status).toBe(405);
    expect(((await ro.json()) as any).errors[0].detail).toMatch(/^JSON:API is configured to accept only read operations/);
  });

  it('faults: canned 500/429, truncated bodies, and a request log', async () => {
    const site = await createDrupalSite(server, {});
    await site.faults([{ match: { path: '/jsonapi/user/user' }, respond: { status: 429, headers: { 'retry-after': '3' } } }, { truncate: true }]);
    const limited = await fetch(`${site.baseUrl}/jsonapi/user/user`, { headers: { authorization: site.adminBasic } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    await expect(fetch(`${site.baseUrl}/jsonapi/user/user`, { headers: { authorization: site.adminBasic } }).then((r) => r.json())).rejects.toThrow();
    const log = await site.requests();
    expect(log.map((r) => r.fault)).toEqual(['respond', 'truncate']);
  });
});
