/**
 * The engine tells the truth and keeps its hands off what it must not touch (issue #9): the
 * account a target's credentials belong to, Drupal's uid 1 and listed accounts are never written;
 * every result says what really happened (created, unchanged, protected, blocked…); a Drupal
 * delete that the site turned into a block leaves the user a status; and a popup provisioning a
 * user while an automatic run does the same never races it.
 */
import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { api } from '../helpers/api';
import { PATCH_URN, USER_URN, createUser, scim } from '../helpers/scim';
import { scimB } from '../support/e2e';
import { onB, targetToB } from '../support/on-relay-b';
import { createDrupalSite, type DrupalSiteHandle } from '../support/drupal-site/client';
import { ops } from '../helpers/operations';

const tag = () => crypto.randomUUID().slice(0, 8);
const provision = async (userId: string, targetId: string) => {
  const res = await api('POST', `/users/${userId}/provision`, { targetIds: [targetId] });
  expect(res.status, res.text).toBe(200);
  return res.body.results[0];
};
const run = (targetId: string) => dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], budget: createBudget(env, 'cron') });

async function drupalTarget(site: DrupalSiteHandle, extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/targets', {
    name: `drupal ${tag()}`,
    kind: 'drupal-jsonapi',
    baseUrl: site.baseUrl,
    token: 'admin:admin-pass',
    modes: {
      manual: { enabled: true, operations: ops({ delete: true }) },
      scheduled: { enabled: true, intervalMinutes: 1, operations: ops({ delete: true }) },
    },
    initialSync: false,
    ...extra,
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

describe('protected accounts are never written', () => {
  it('the Drupal account the relay logs in with (uid 1 here) keeps its mail and stays active, and the audit says protected', async () => {
    const site = await createDrupalSite(inject('drupalSiteUrl'));
    const target = await drupalTarget(site);
    // A directory user called "admin", as an import from another site brings in.
    const admin = await createUser('admin', { emails: [{ value: `admin-${tag()}@elsewhere.org`, type: 'work', primary: true }] });

    const result = await provision(admin.id, target.id);
    expect(result).toMatchObject({ ok: true, outcome: 'protected' });
    const onSite = async () => (await site.state()).users.find((u) => u.uid === 1)!;
    expect(await onSite()).toMatchObject({ name: 'admin', mail: 'admin@example.com', status: true });

    await scim('PATCH', `/Users/${admin.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    await run(target.id);
    expect(await onSite()).toMatchObject({ mail: 'admin@example.com', status: true });
    const writes = (await api('GET', `/audit?targetId=${target.id}&resourceId=${admin.id}&limit=50`)).body.items;
    expect(writes.some((e: { outcome: string }) => e.outcome === 'protected')).toBe(true);
    expect(writes.filter((e: { method: string | null }) => e.method === 'PATCH' || e.method === 'DELETE')).toHaveLength(0);
    const plan = await api('GET', `/targets/${target.id}/plan?mode=scheduled`);
    expect(plan.status).toBe(200);
    await scim('DELETE', `/Users/${admin.id}`);
  });

  it('an account listed in protectedAccounts is linked but never updated or deleted on relay B, and the plan says so', async () => {
    const userName = `keeper-${tag()}@protected.test`;
    expect((await scimB('POST', '/Users', { schemas: [USER_URN], userName, title: 'set on B' })).status).toBe(201);
    const target = await targetToB(
      'B protected',
      { manual: { enabled: true, operations: ops({ delete: true }) }, scheduled: { enabled: true, intervalMinutes: 1, operations: ops({ delete: true }) } },
      { initialSync: false, protectedAccounts: [userName] },
    );
    const user = await createUser(userName, { title: 'from the directory' });
    expect(await provision(user.id, target.id)).toMatchObject({ ok: true, outcome: 'protected' });
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'changed again' }] });
    const plan = await api('GET', `/targets/${target.id}/plan?mode=scheduled`);
    expect(plan.body.operations).toEqual([expect.objectContaining({ resourceId: user.id, action: 'skip', detail: expect.stringMatching(/^protected: /) })]);
    await scim('DELETE', `/Users/${user.id}`);
    await run(target.id);
    expect(await onB(userName)).toMatchObject({ title: 'set on B', active: true });
  });
});

describe('truthful outcomes', () => {
  it('a second provision of an unchanged user says unchanged, not provisioned', async () => {
    const target = await targetToB('B outcomes', { manual: { enabled: true, operations: ops() } }, { initialSync: false });
    const user = await createUser(`truth-${tag()}@outcomes.test`);
    expect(await provision(user.id, target.id)).toMatchObject({ ok: true, action: 'create', outcome: 'created' });
    expect(await provision(user.id, target.id)).toMatchObject({ ok: true, action: 'skip', outcome: 'unchanged' });
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'new' }] });
    expect(await provision(user.id, target.id)).toMatchObject({ ok: true, outcome: 'updated' });
  });

  it('a Drupal delete the site turned into a block is reported as blocked, and the user keeps a status', async () => {
    const site = await createDrupalSite(inject('drupalSiteUrl'), { settings: { cancelMethod: 'user_cancel_block' } });
    const target = await drupalTarget(site);
    const name = `leaver-${tag()}`;
    const user = await createUser(name, { emails: [{ value: `${name}@example.org`, type: 'work', primary: true }] });
    expect(await provision(user.id, target.id)).toMatchObject({ ok: true, outcome: 'created' });
    expect((await scim('DELETE', `/Users/${user.id}`)).status).toBe(204);
    await run(target.id);
    expect((await site.state()).users.find((u) => u.name === name)).toMatchObject({ status: false });

    const status = await api('GET', `/users/${user.id}/status`);
    expect(status.status, status.text).toBe(200);
    expect(status.body).toMatchObject({ deleted: true, user: { id: user.id, userName: name } });
    expect(status.body.links.find((l: { targetId: string }) => l.targetId === target.id)).toMatchObject({ state: 'in_sync', remoteState: 'deactivated' });
  });
});

describe('in sync means payload and memberships', () => {
  it('a user reads pending on a target while a push of one of its groups is queued there, in sync once it went out', async () => {
    const target = await targetToB(
      'B chips',
      { manual: { enabled: true, operations: ops() }, scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } },
      { initialSync: false, pushGroups: true },
    );
    const user = await createUser(`chip-${tag()}@chips.test`);
    expect(await provision(user.id, target.id)).toMatchObject({ outcome: 'created' });
    const stateOn = async () => (await api('GET', `/users/${user.id}/status`)).body.links.find((l: { targetId: string }) => l.targetId === target.id).state;
    expect(await stateOn()).toBe('in_sync');
    await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `chips-${tag()}`, members: [{ value: user.id }] });
    await api('GET', `/targets/${target.id}/plan?mode=scheduled`);
    expect(await stateOn()).toBe('pending');
    await run(target.id);
    expect(await stateOn()).toBe('in_sync');
  });
});

describe('one writer per (target, user)', () => {
  it('a popup provisioning a user while the automatic run does the same never links to the account the relay just created', async () => {
    const target = await targetToB(
      'B race',
      { manual: { enabled: true, operations: ops() }, automatic: { enabled: true, operations: ops() } },
      { initialSync: false },
    );
    for (let i = 0; i < 4; i++) {
      const userName = `race-${i}-${tag()}@race.test`;
      // The SCIM write starts the automatic run after its response; the popup asks at once.
      const user = await createUser(userName);
      const result = await provision(user.id, target.id);
      expect(result.ok, JSON.stringify(result)).toBe(true);
      expect(result.action, 'never "linked to the existing account" the relay itself created').not.toBe('link');
      expect(['created', 'unchanged']).toContain(result.outcome);
      const onRelayB = await scimB('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      expect(onRelayB.body.totalResults).toBe(1);
    }
    expect((await api('DELETE', `/targets/${target.id}`)).status).toBe(204);
  });
});
