/**
 * Reconcile against the fake Drupal 10 site (issue #9 item 4: "Drupal targets reconcile roles
 * too"): the site is read through JSON:API in pages of 50 with each account's roles; a removed
 * role, a blocked account and a deleted account are repaired by the sync engine.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { api } from '../helpers/api';
import { ops } from '../helpers/operations';
import { reconcileToEnd } from '../helpers/reconcile';
import { createGroup, createUser } from '../helpers/scim';
import { createDrupalSite, type DrupalSiteHandle } from '../support/drupal-site/client';

const SITES = inject('drupalSiteUrl');
const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}`;
const withMail = (name: string) => ({ emails: [{ value: `${name}@example.org`, type: 'work', primary: true }] });
const run = (targetId: string) => dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], budget: createBudget(env, 'cron') });
const onSite = async (site: DrupalSiteHandle, name: string) => (await site.state()).users.find((u) => u.name === name);

/** Creates a Drupal target on the fake site at `baseUrl` (its admin account), scheduled every minute; `fields` add to the body. */
async function drupalTarget(name: string, baseUrl: string, fields: Record<string, unknown> = {}): Promise<{ id: string }> {
  const created = await api('POST', '/targets', {
    name,
    kind: 'drupal-jsonapi',
    baseUrl,
    token: 'admin:admin-pass',
    modes: { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } },
    ...fields,
  });
  expect(created.status, created.text).toBe(201);
  return created.body;
}

/** Target fields that push groups, with `group` mapped to the content_editor role. */
const editorsRole = (group: string) => ({ pushGroups: true, options: { roleMap: { [group]: 'content_editor' } } });

describe('reconcile against a Drupal site', () => {
  it('restores a removed role, unblocks a blocked account and recreates a deleted one', async () => {
    const site = await createDrupalSite(SITES, { settings: { cancelMethod: 'user_cancel_delete' } });
    const editors = unique('Editors');
    const target = await drupalTarget('drupal reconcile', site.baseUrl, editorsRole(editors));
    const names = ['role', 'blocked', 'deleted'].map(unique);
    const [withRole, blocked, deleted] = await Promise.all(names.map((n) => createUser(n, withMail(n))));
    await run(target.id);
    await createGroup(editors, { members: [{ value: withRole.id }, { value: blocked.id }] });
    await run(target.id);
    expect((await onSite(site, withRole.userName))!.roles).toEqual(['content_editor']);
    const before = await Promise.all(names.map((n) => onSite(site, n)));

    // Drift made on the site.
    await site.updateUser(before[0]!.uid, { roles: [] });
    await site.blockUser(before[1]!.uid);
    await site.deleteUser(before[2]!.uid);

    const since = (await site.requests()).length;
    const status = await reconcileToEnd(target.id);
    expect(status.state).toMatchObject({ phase: 'done', error: null });
    expect(status.state.found).toEqual({ roles: 1, deactivated: 1, deleted: 1 });
    expect(status.state.fixed).toEqual({ roles: 1, deactivated: 1, deleted: 1 });
    // The admin account (uid 1) is on the site but not linked: counted, not touched.
    expect(status.state.counts.unlinked).toBeGreaterThanOrEqual(1);
    const reads = (await site.requests()).slice(since).filter((r) => r.method === 'GET' && r.path === '/jsonapi/user/user');
    expect(reads[0]!.query).toContain('page[limit]=50');

    const after = await Promise.all(names.map((n) => onSite(site, n)));
    expect(after[0]).toMatchObject({ uid: before[0]!.uid, roles: ['content_editor'] });
    expect(after[1]).toMatchObject({ uid: before[1]!.uid, status: true, roles: ['content_editor'] });
    expect(after[2]).toMatchObject({ name: deleted.userName, mail: `${deleted.userName}@example.org`, status: true });
    expect(after[2]!.uid).not.toBe(before[2]!.uid);
    expect((await site.state()).users.find((u) => u.name === 'admin')).toMatchObject({ status: true });

    const again = await reconcileToEnd(target.id);
    expect(again.state).toMatchObject({ phase: 'done', found: {} });
  });

  it('a role removed on the site reads as role drift, never in sync, until its repair lands', async () => {
    const site = await createDrupalSite(SITES);
    const editors = unique('Editors');
    const target = await drupalTarget('drupal role drift', site.baseUrl, { ...editorsRole(editors), initialSync: false });
    const name = unique('drift');
    const user = await createUser(name, withMail(name));
    await run(target.id);
    await createGroup(editors, { members: [{ value: user.id }] });
    await run(target.id);
    const linkOf = async () => (await api('GET', `/users/${user.id}/status`)).body.links.find((l: { targetId: string }) => l.targetId === target.id);
    expect(await linkOf()).toMatchObject({ state: 'in_sync', drift: null });

    // The role is removed on the site, and the site refuses writes for a while: the repair cannot land.
    await site.updateUser((await onSite(site, name))!.uid, { roles: [] });
    await site.faults([{ match: { method: 'PATCH' }, times: 50, respond: { status: 503, body: { message: 'maintenance' } } }]);
    const status = await reconcileToEnd(target.id);
    expect(status.state.found).toEqual({ roles: 1 });
    expect(await linkOf()).toMatchObject({ state: 'pending', drift: ['roles'] });

    await site.clearFaults();
    // Past the retry's backoff: the repair lands and the drift is gone.
    await dispatch(env, {
      mode: 'scheduled',
      force: true,
      targetIds: [target.id],
      budget: createBudget(env, 'http'),
      now: () => new Date(Date.now() + 3 * 3600_000),
    });
    expect((await onSite(site, name))!.roles).toEqual(['content_editor']);
    expect(await linkOf()).toMatchObject({ state: 'in_sync', drift: null });
  });

  it('pages through a site of 120 accounts with links.next, 50 a page', async () => {
    const site = await createDrupalSite(SITES, { generate: 120, generatePrefix: unique('gen') });
    const target = await drupalTarget('drupal pages', site.baseUrl);
    const status = await reconcileToEnd(target.id);
    expect(status.state).toMatchObject({ phase: 'done', found: {} });
    expect(status.state.counts.users).toBeGreaterThanOrEqual(120);
    expect(status.state.counts.requests).toBe(Math.ceil(status.state.counts.users / 50));
  });
});
