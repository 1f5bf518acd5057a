/**
 * A Drupal 10 site does not refuse a wrong Basic password: basic_auth lets the request go on as
 * the anonymous user (200, label-only users, an empty filtered page, no `meta.links.me`), and
 * flood control answers a blocked account the same way even with the right password. The fake
 * Drupal site behaves so (test/support/drupal-site/server.ts); these pin what the relay makes of it.
 */
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { drupalSource, newSite, runSource, uniq } from './support';

const WRONG = { type: 'basic', username: 'admin', password: 'not-the-password' };

describe('a Drupal source whose login Drupal does not accept', () => {
  it('a password changed on the site fails the incremental run, keeps lastError and pauses the source', async () => {
    const p = uniq('pw');
    const site = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-a` }] });
    const source = await drupalSource(site);
    expect((await runSource(source.id, 'full')).status).toBe('done');
    await site.settings({ accounts: [{ username: 'admin', password: 'changed-on-the-site', model: 'admin' }] });

    const r = await runSource(source.id, 'incremental');
    expect(r).toMatchObject({ kind: 'incremental', status: 'failed' });
    expect(r.counts.read).toBeUndefined();
    expect(r.error).toMatch(/^Wrong user name or password: .*these credentials worked before/);
    const after = (await api('GET', `/sources/${source.id}`)).body;
    expect(after).toMatchObject({ status: 'paused', lastError: r.error, pausedReason: r.error });
    // paused: the cron logs in no more
    expect((await api('POST', `/sources/${source.id}/run`, {})).status).toBe(409);
  });

  it('a wrong password fails a full run after one login attempt, naming flood control and how to clear it', async () => {
    const site = await newSite({ users: [{ name: uniq('x') }] });
    const source = await drupalSource(site, {}, WRONG);
    const r = await runSource(source.id, 'full');
    expect(r.status).toBe('failed');
    expect(r.error).toContain('Wrong user name or password');
    expect(r.error).toContain('drush sql:query "DELETE FROM flood"');
    expect((await site.requests()).map((q) => `${q.login} ${q.path}`)).toEqual(['failed /jsonapi']);
    expect((await api('GET', `/sources/${source.id}`)).body).toMatchObject({ status: 'paused', lastError: r.error });
  });

  it('save and test logs in once: five wrong tests lock the account (flood control), and the sixth says so even with the right password', async () => {
    const site = await newSite({ users: [{ name: uniq('x') }] });
    const source = await drupalSource(site, {}, WRONG);
    for (let i = 0; i < 5; i++) {
      const r = await api('POST', `/sources/${source.id}/test`);
      expect(r.body.ok).toBe(false);
      expect(r.body.steps.at(-1)).toMatchObject({ step: 'credentials', ok: false });
      expect(r.body.problems[0]).toMatch(/^Wrong user name or password/);
    }
    // one login per test, not one per request a test would make
    expect(await site.flood()).toMatchObject({ user: { admin: 5 } });
    expect((await site.requests()).filter((q) => q.login !== null)).toHaveLength(5);

    await api('PATCH', `/sources/${source.id}`, { credentials: { type: 'basic', username: 'admin', password: 'admin-pass' } });
    const blocked = await api('POST', `/sources/${source.id}/test`);
    expect(blocked.body.ok).toBe(false);
    expect(blocked.body.problems[0]).toContain("Drupal's flood control is blocking this account");
    expect((await site.requests()).at(-1)!.login).toBe('blocked');

    await site.clearFlood();
    expect((await api('POST', `/sources/${source.id}/test`)).body).toMatchObject({ ok: true, problems: [] });
  });

  it('importing one user with a wrong password is an error that pauses the source, not "not found"', async () => {
    const site = await newSite({ users: [{ uid: 7, name: uniq('one') }] });
    const source = await drupalSource(site, {}, WRONG);
    const r = await api('POST', `/sources/${source.id}/users/7/import`);
    expect(r.status).toBe(502);
    expect(r.body.message).toMatch(/^Wrong user name or password/);
    expect((await api('GET', `/sources/${source.id}`)).body).toMatchObject({ status: 'paused' });
  });

  it('new credentials reset the watermark, so the next run is a full reading with the new account', async () => {
    const site = await newSite({ users: [{ uid: 2, name: uniq('w') }] });
    const source = await drupalSource(site);
    expect((await runSource(source.id, 'full')).status).toBe('done');
    expect((await api('GET', `/sources/${source.id}`)).body.watermark).toMatch(/^\d+$/);
    const patched = await api('PATCH', `/sources/${source.id}`, { credentials: { type: 'basic', username: 'useradmin', password: 'useradmin-pass' } });
    expect(patched.body).toMatchObject({ watermark: null, running: false });
    expect((await runSource(source.id, 'incremental')).kind).toBe('full');
  });
});
