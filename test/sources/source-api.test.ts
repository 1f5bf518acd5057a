/**
 * The sources admin API: validation with key paths, credentials never returned, "save and
 * test" in words, the single-user import the extension calls, and the lookup by Drupal uid.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { takeUsages } from '../../worker/src/limits/meter';
import { api } from '../helpers/api';
import { dirUser, drupalSource, newSite, runSource, uniq } from './support';

const SECRET = 'very-secret-password-0123456789';

describe('sources API', () => {
  it('rejects bad input with key paths, and never returns or logs the credentials', async () => {
    const bad = await api('POST', '/sources', {
      name: '',
      kind: 'ldap',
      baseUrl: 'ftp://x',
      credentials: { type: 'basic', username: 'a' },
      settings: { schedule: { intervalMinutes: 0 }, onDeleted: 'shred' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    const paths = bad.body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['name', 'kind', 'baseUrl', 'credentials.password', 'settings.schedule.intervalMinutes', 'settings.onDeleted']),
    );

    const site = await newSite({ adminUser: false });
    const created = await drupalSource(site, {}, { type: 'basic', username: 'admin', password: SECRET });
    expect(created).toMatchObject({ kind: 'drupal-jsonapi', baseUrl: site.baseUrl, credentials: { type: 'basic' }, status: 'active', running: false });
    expect(created.settings).toMatchObject({
      onDeleted: 'deactivate',
      deletionThreshold: 10,
      mapping: { userName: 'name', email: true, externalId: 'uuid', roles: true },
    });
    for (const res of [
      await api('GET', `/sources/${created.id}`),
      await api('GET', '/sources'),
      await api('PATCH', `/sources/${created.id}`, { name: 'renamed' }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(SECRET);
    }
    const stored = await env.DB.prepare('SELECT credentials_enc AS c, settings FROM sources WHERE id = ?')
      .bind(created.id)
      .first<{ c: string; settings: string }>();
    expect(stored!.c).toMatch(/^v2\./);
    expect(stored!.c + stored!.settings).not.toContain(SECRET);

    const patched = await api('PATCH', `/sources/${created.id}`, { settings: { deletionThreshold: -1 } });
    expect(patched.status).toBe(400);
    expect(patched.body.issues[0].path).toBe('settings.deletionThreshold');
    expect((await api('GET', '/sources/nope')).status).toBe(404);
    expect((await api('DELETE', `/sources/${created.id}`)).status).toBe(204);
    expect((await api('GET', `/sources/${created.id}`)).status).toBe(404);
  });

  it('save and test: all good for an admin; what to fix for a limited account, JSON:API off or a wrong address', async () => {
    const site = await newSite({ users: [{ name: uniq('t'), status: false }] });
    const good = await api('POST', `/sources/${(await drupalSource(site)).id}/test`);
    expect(good.body).toMatchObject({ ok: true, problems: [] });
    expect(good.body.steps.map((s: { step: string }) => s.step)).toEqual(['reach', 'credentials', 'jsonapi', 'list', 'mail', 'blocked', 'roles']);
    // the one hidden account is Drupal's anonymous user, and the step says so
    expect(good.body.steps.find((s: { step: string }) => s.step === 'list').detail).toMatch(/the one hidden is Drupal's anonymous user \(uid 0\)/);

    const limited = await api(
      'POST',
      `/sources/${(await drupalSource(site, { settings: { include: { roles: ['editor'] } } }, { type: 'basic', username: 'viewer', password: 'viewer-pass' })).id}/test`,
    );
    expect(limited.body.ok).toBe(false);
    expect(limited.body.problems.join(' ')).toContain('cannot see email addresses');
    expect(limited.body.problems.join(' ')).toContain('cannot see blocked users');
    expect(limited.body.problems.join(' ')).toContain('administer permissions');

    const off = await newSite({ settings: { jsonapi: false } });
    const offResult = await api('POST', `/sources/${(await drupalSource(off)).id}/test`);
    expect(offResult.body.ok).toBe(false);
    expect(offResult.body.problems[0]).toContain('Enable the core "JSON:API" module');

    const wrong = await api('POST', `/sources/${(await drupalSource(site, {}, { type: 'basic', username: 'admin', password: 'nope' })).id}/test`);
    expect(wrong.body.problems[0]).toContain('Wrong user name or password');

    const nowhere = await api('POST', '/sources', {
      name: 'nowhere',
      kind: 'drupal-jsonapi',
      baseUrl: 'http://127.0.0.1:9/site',
      credentials: { type: 'bearer', token: 't' },
    });
    const unreachable = await api('POST', `/sources/${nowhere.body.id}/test`);
    expect(unreachable.body.problems[0]).toContain('cannot reach');
  });
});

describe('POST /sources/{id}/users/{uid}/import', () => {
  it('imports one account at once and says what changed; an unknown uid changes nothing', async () => {
    const p = uniq('one');
    const site = await newSite({ adminUser: false, users: [{ uid: 7, name: `${p}-x`, mail: `${p}@x.org`, roles: ['editor'] }] });
    const source = await drupalSource(site);
    const first = await api('POST', `/sources/${source.id}/users/7/import`);
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ outcome: 'created', user: { userName: `${p}-x`, active: true, emails: [`${p}@x.org`] } });
    expect(first.body.changed).toEqual(expect.arrayContaining(['userName', 'active', 'emails', 'groups']));
    const q = new URLSearchParams((await site.requests()).at(-1)!.query);
    expect(q.get('filter[drupal_internal__uid]')).toBe('7');

    await site.updateUser(7, { status: false });
    const again = await api('POST', `/sources/${source.id}/users/7/import`);
    expect(again.body).toMatchObject({ outcome: 'deactivated', changed: ['active'], user: { active: false } });
    expect((await api('POST', `/sources/${source.id}/users/7/import`)).body).toMatchObject({ outcome: 'unchanged', changed: [] });

    await site.deleteUser(7);
    const gone = await api('POST', `/sources/${source.id}/users/7/import`);
    expect(gone.body).toMatchObject({ outcome: 'skipped', user: null });
    expect(gone.body.detail).toContain('nothing changed');
    expect((await dirUser(`${p}-x`))!.active).toBe(false);

    await site.faults([{ respond: { status: 503 } }]);
    const failed = await api('POST', `/sources/${source.id}/users/8/import`);
    expect(failed.status).toBe(502);
    expect(failed.body.message).toContain('503');
    expect((await api('POST', '/sources/nope/users/1/import')).status).toBe(404);
  });
});

describe('POST /users/lookup with site and uids', () => {
  it("resolves uids through the site's source links and its Drupal targets' remote keys", async () => {
    const p = uniq('look');
    const site = await newSite({
      adminUser: false,
      users: [
        { uid: 2, name: `${p}-a` },
        { uid: 3, name: `${p}-b` },
      ],
    });
    const source = await drupalSource(site);
    await runSource(source.id, 'full');

    // a Drupal target on the same site that provisioned another directory user as uid 40
    const target = await api('POST', '/targets', { name: `T ${p}`, kind: 'drupal-jsonapi', baseUrl: `${site.baseUrl}/`, token: 'admin:admin-pass' });
    expect(target.status, target.text).toBe(201);
    const other = await api('POST', '/users', { userName: `${p}-c` });
    expect(other.status, other.text).toBe(200);
    await env.DB.prepare("INSERT INTO links (target_id, resource_type, resource_id, remote_id, remote_key, state) VALUES (?, 'User', ?, ?, '40', 'in_sync')")
      .bind(target.body.id, other.body.user.id, crypto.randomUUID())
      .run();

    const res = await api('POST', '/users/lookup', { site: `${site.baseUrl}/`, uids: ['2', '3', '40', '99'], userNames: [`${p}-a`] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.uids['2'].user.userName).toBe(`${p}-a`);
    expect(res.body.uids['3'].user.userName).toBe(`${p}-b`);
    expect(res.body.uids['40'].user.userName).toBe(`${p}-c`);
    expect(res.body.uids['40'].links.find((l: { targetId: string }) => l.targetId === target.body.id)).toMatchObject({ state: 'in_sync' });
    expect(res.body.uids['99']).toBeNull();
    expect(res.body.userNames[`${p}-a`].user.id).toBe(res.body.uids['2'].user.id);
    expect(res.body.site.sources).toEqual([{ id: source.id, name: source.name, kind: 'drupal-jsonapi' }]);
    expect(res.body.site.targets).toEqual([{ id: target.body.id, name: `T ${p}`, kind: 'drupal-jsonapi' }]);

    const otherSite = await api('POST', '/users/lookup', { site: 'https://elsewhere.example/drupal', uids: ['2'] });
    expect(otherSite.body).toMatchObject({ uids: { '2': null }, site: { sources: [], targets: [] } });
    const plain = await api('POST', '/users/lookup', { userNames: [`${p}-a`] });
    expect(plain.body).toMatchObject({ uids: {}, site: { sources: [], targets: [] } });
  });

  it("reads a page's users and asks their scope once, whether they come by userName or by uid", async () => {
    const p = uniq('once');
    const site = await newSite({ adminUser: false, users: [{ uid: 5, name: `${p}-a` }] });
    await runSource((await drupalSource(site)).id, 'full');
    const body = { site: site.baseUrl, uids: ['5'], userNames: [`${p}-a`] };
    await api('POST', '/users/lookup', body);
    takeUsages();
    const res = await api('POST', '/users/lookup', body);
    expect(res.status, res.text).toBe(200);
    expect(res.body.uids['5'].user.id).toBe(res.body.userNames[`${p}-a`].user.id);
    const [usage] = takeUsages().filter((u) => u.kind === 'http');
    // the site's sources and targets, their links to the uids, the users, their scope status
    expect(usage?.d1Queries).toBe(4);
  });

  it('validates site and uids with key paths', async () => {
    const noSite = await api('POST', '/users/lookup', { uids: ['1'] });
    expect(noSite.status).toBe(400);
    expect(noSite.body.issues[0]).toMatchObject({ path: 'site' });
    const many = await api('POST', '/users/lookup', { site: 'https://x.org', uids: Array.from({ length: 201 }, (_, i) => String(i)) });
    expect(many.status).toBe(400);
    expect(many.body.issues[0].path).toBe('uids');
    const badSite = await api('POST', '/users/lookup', { site: 'javascript:alert(1)', uids: ['1'] });
    expect(badSite.status).toBe(400);
    expect(badSite.body.issues[0].path).toBe('site');
  });
});
