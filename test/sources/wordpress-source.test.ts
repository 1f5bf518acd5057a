/**
 * A WordPress site as an import source, end to end: the fake site (test/support/wordpress-site,
 * built from the real captures) → the relay's directory, with WordPress's own quirks — no
 * disabled flag (no roles = deactivated), a wrong Application Password served as anonymous, no
 * modified date (every run reads everyone) — and the guard rails every source keeps.
 */
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { provisioned } from '../support/e2e';
import { onB, targetToB } from '../support/on-relay-b';
import { newWpSite, wpCredentials, wpDelete, wpSource } from './cms-support';
import { dirUser, pageSizeOf, runSource, runSourceToEnd, uniq } from './support';

const users = (p: string, n: number, from = 2) =>
  Array.from({ length: n }, (_, i) => ({ id: from + i, username: `${p}-u${i}`, email: `${p}-u${i}@wp.test`, roles: ['subscriber'] }));

describe('WordPress as a source', () => {
  it('imports users with their email and roles as groups, a user without roles as deactivated; an unchanged re-run writes nothing', async () => {
    const p = uniq('wp');
    const site = await newWpSite(p, {
      users: [
        { id: 2, username: `${p}-ed`, email: `${p}-ed@wp.test`, roles: ['editor', 'author'] },
        { id: 3, username: `${p}-gone`, email: `${p}-gone@wp.test`, roles: [] },
      ],
    });
    const source = await wpSource(site);

    const full = await runSource(source.id, 'full');
    expect(full).toMatchObject({ kind: 'full', status: 'done', error: null });
    expect(full.counts).toMatchObject({ read: 3, created: 3 });
    expect(await dirUser(`${p}-ed`)).toMatchObject({ active: true, externalId: '2', emails: [`${p}-ed@wp.test`], groups: ['author', 'editor'] });
    expect(await dirUser(`${p}-gone`)).toMatchObject({ active: false, groups: [] });

    const again = await runSource(source.id, 'incremental');
    expect(again).toMatchObject({ kind: 'incremental', status: 'done' });
    expect(again.counts).toMatchObject({ read: 3, unchanged: 3 });
    expect(again.counts.created ?? 0).toBe(0);
    expect(again.counts.updated ?? 0).toBe(0);

    // roles taken away on the site: the next run deactivates; a role given back reactivates
    await site.updateUser(2, { roles: [] });
    expect((await runSource(source.id, 'incremental')).counts.deactivated).toBe(1);
    expect((await dirUser(`${p}-ed`))!.active).toBe(false);
    await site.updateUser(2, { roles: ['editor'] });
    await runSource(source.id, 'incremental');
    expect(await dirUser(`${p}-ed`)).toMatchObject({ active: true, groups: ['editor'] });
  });

  it('reads every page of a listing larger than one page (100 a page on Paid, 11 on Free; X-WP-TotalPages)', async () => {
    const p = uniq('wppages');
    const site = await newWpSite(p, { users: users(p, 130) });
    const source = await wpSource(site);
    // One invocation on Paid; on Free the import goes on page by page (as the cron and the queue continue it).
    const full = await runSourceToEnd(source.id, 'full', 131);
    const pages = Math.ceil(131 / pageSizeOf('wordpress-rest'));
    expect(full).toMatchObject({ status: 'done', counts: { pages, read: 131, created: 131 } });
    const listed = (await site.requests()).filter((r) => r.method === 'GET' && r.route === '/wp/v2/users');
    expect(listed.map((r) => new URLSearchParams(r.query).get('page'))).toEqual(Array.from({ length: pages }, (_, i) => String(i + 1)));
  });

  it('a wrong Application Password fails the run and pauses the source, though WordPress answers the listing 200 as anonymous', async () => {
    const p = uniq('wpbad');
    const site = await newWpSite(p, { users: [{ id: 2, username: `${p}-author`, email: `${p}-a@wp.test`, roles: ['author'], posts: 3 }] });
    // WordPress's anonymous view of GET /users: 200 with public authors (api/04, README "Authentication")
    const anonymous = await fetch(`${site.baseUrl}/wp-json/wp/v2/users`, { headers: { authorization: `Basic ${btoa(`${p}-admin:wrong wrong wrong`)}` } });
    expect(anonymous.status).toBe(200);
    expect(((await anonymous.json()) as unknown[]).length).toBeGreaterThan(0);

    const source = await wpSource(site, {}, wpCredentials(site, 'wrong wrong wrong wrong'));
    const run = await runSource(source.id, 'full');
    expect(run.status).toBe('failed');
    expect(run.error).toContain('anonymous visitor');
    expect(await dirUser(`${p}-author`)).toBeUndefined();
    const shown = (await api('GET', `/sources/${source.id}`)).body;
    expect(shown).toMatchObject({ status: 'paused' });
    expect(shown.pausedReason).toContain('Application Password');
    // the question that tells: /users/me with the edit context
    expect((await site.requests()).some((r) => r.route === '/wp/v2/users/me' && r.status === 401)).toBe(true);
  });

  it('Save and test says in words what works, and what is wrong: the password, Application Passwords unavailable, a non-administrator', async () => {
    const p = uniq('wptest');
    const site = await newWpSite(p, {
      users: [{ id: 2, username: `${p}-sub`, email: `${p}-sub@wp.test`, roles: ['subscriber'], appPasswords: ['subs cri ber pass word abcd'] }],
    });
    const good = await api('POST', `/sources/${(await wpSource(site)).id}/test`);
    expect(good.body.ok, JSON.stringify(good.body)).toBe(true);
    expect(good.body.steps.map((s: { step: string }) => s.step)).toEqual(['reach', 'rest', 'credentials', 'list']);
    expect(good.body.steps.at(-1).detail).toContain('every import reads all users');

    const wrong = await api('POST', `/sources/${(await wpSource(site, {}, wpCredentials(site, 'nope nope nope'))).id}/test`);
    expect(wrong.body.ok).toBe(false);
    expect(wrong.body.problems[0]).toContain('anonymous visitor');

    const sub = await api(
      'POST',
      `/sources/${(await wpSource(site, {}, { type: 'basic', username: `${p}-sub`, password: 'subs cri ber pass word abcd' })).id}/test`,
    );
    expect(sub.body.ok).toBe(false);
    expect(sub.body.problems[0]).toContain('list_users');

    await site.settings({ appPasswords: false });
    const off = await api('POST', `/sources/${(await wpSource(site)).id}/test`);
    expect(off.body.ok).toBe(false);
    expect(off.body.problems[0]).toContain('Application Passwords are unavailable');
    expect(off.body.problems[0]).toContain('https');
  });

  it('a full run deactivates a user deleted on the site after re-reading it by id (404 rest_user_invalid_id)', async () => {
    const p = uniq('wpdel');
    const site = await newWpSite(p, { users: users(p, 3) });
    const source = await wpSource(site);
    expect((await runSource(source.id, 'full')).status).toBe('done');
    await wpDelete(site, [3]);
    const full = await runSource(source.id, 'full');
    expect(full).toMatchObject({ status: 'done', counts: { rechecked: 1, deactivated: 1 } });
    expect((await dirUser(`${p}-u1`))!.active).toBe(false);
    expect((await dirUser(`${p}-u0`))!.active).toBe(true);
    expect((await site.requests()).some((r) => r.route === '/wp/v2/users/3' && r.status === 404)).toBe(true);
  });

  it('a listing that fails, comes back empty or cut short deactivates nobody', async () => {
    const p = uniq('wpguard');
    const site = await newWpSite(p, { users: users(p, 3) });
    const source = await wpSource(site);
    expect((await runSource(source.id, 'full')).status).toBe('done');

    await site.faults([{ match: { method: 'GET', path: '/wp/v2/users' }, respond: { status: 502, body: 'Bad gateway' }, times: 1 }]);
    const failing = await runSource(source.id, 'full');
    expect(failing.status).toBe('running');
    expect(failing.error).toContain('WordPress answered 502');

    await site.faults([
      { match: { method: 'GET', path: '/wp/v2/users' }, respond: { status: 200, headers: { 'X-WP-Total': '0', 'X-WP-TotalPages': '0' }, body: [] }, times: 1 },
    ]);
    const empty = await runSource(source.id, 'full');
    expect(empty).toMatchObject({ status: 'failed' });
    expect(empty.error).toContain('nothing was deactivated');

    // page 1 of 2 holding one user: cut short, not the end
    await site.faults([
      {
        match: { method: 'GET', path: '/wp/v2/users' },
        respond: {
          status: 200,
          headers: { 'X-WP-Total': '150', 'X-WP-TotalPages': '2' },
          body: [{ id: 2, username: `${p}-u0`, email: `${p}-u0@wp.test`, roles: ['subscriber'] }],
        },
        times: 3,
      },
    ]);
    const short = await runSource(source.id, 'full');
    expect(short.error).toContain('cut short');
    for (const u of ['u0', 'u1', 'u2']) expect((await dirUser(`${p}-${u}`))!.active).toBe(true);
  });

  it('the deletion threshold holds: more users gone than it allows holds the run, nobody is deactivated', async () => {
    const p = uniq('wpthr');
    const site = await newWpSite(p, { users: users(p, 4) });
    const source = await wpSource(site, { settings: { deletionThreshold: 1 } });
    expect((await runSource(source.id, 'full')).status).toBe('done');
    await wpDelete(site, [2, 3, 4]);
    const held = await runSource(source.id, 'full');
    expect(held).toMatchObject({ status: 'held', counts: { held: 3 } });
    expect((await dirUser(`${p}-u0`))!.active).toBe(true);
  });
});

describe('WordPress → relay A → relay B', () => {
  it('an import is provisioned to relay B right after it; a user losing every role is deactivated there', async () => {
    const p = uniq('wpb');
    const site = await newWpSite(p, { users: [{ id: 2, username: `${p}-ann`, email: `${p}-ann@wp.test`, roles: ['editor'] }] });
    // Only what this test imports: no initial sync of the users earlier tests left in the directory.
    await targetToB(
      `B wp ${p}`,
      { automatic: { enabled: true, operations: { create: true, update: true, deactivate: true, delete: false } } },
      { initialSync: false },
    );
    const source = await wpSource(site);
    expect((await runSource(source.id, 'full')).status).toBe('done');
    expect(
      await provisioned(
        () => onB(`${p}-ann`),
        (u) => u !== undefined,
      ),
    ).toMatchObject({ userName: `${p}-ann`, active: true, emails: [expect.objectContaining({ value: `${p}-ann@wp.test` })] });

    await site.updateUser(2, { roles: [] });
    expect((await runSource(source.id, 'incremental')).counts.deactivated).toBe(1);
    expect(
      await provisioned(
        () => onB(`${p}-ann`),
        (u) => u?.active === false,
      ),
    ).toMatchObject({ active: false });
  });
});
