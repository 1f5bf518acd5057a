/**
 * Reconcile against the fake WordPress and Joomla sites (issue #12): the site is listed page by
 * page (WordPress 100 a page by id with X-WP-TotalPages, Joomla by offset in its order by name),
 * and drift made on the site itself — a deleted account, an edited email, a removed role or
 * group, an account deactivated (WordPress: every role removed; Joomla: blocked) — is found and
 * repaired exactly by the sync engine. An unchanged site shows no drift and costs the listing's
 * pages only, counted in the site's own request log.
 */
import { env } from 'cloudflare:test';
import { untilDrained } from '../helpers/invocations';
import { describe, expect, inject, it } from 'vitest';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { reconcileTarget } from '../../worker/src/provisioning/reconcile';
import { api } from '../helpers/api';
import { reconcilePageSize, reconcileToEnd } from '../helpers/reconcile';
import { ops } from '../helpers/operations';
import { PATCH_URN, createGroup, createUser, scim } from '../helpers/scim';
import { createJoomlaSite, type JoomlaSiteHandle } from '../support/joomla-site/client';
import type { JoomlaSeedUser } from '../support/joomla-site/types';
import { createWordpressSite, type WordpressSiteHandle } from '../support/wordpress-site/client';
import type { WpSeedUser } from '../support/wordpress-site/types';

const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}`;
const withMail = (name: string) => ({ emails: [{ value: `${name}@example.org`, type: 'work', primary: true }] });
// A run on Paid; on Free its runs of a few rows each until drained (worker/src/limits/cpu.ts).
const run = (targetId: string) =>
  untilDrained(() => dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], budget: createBudget(env, 'http') }));
/** Accounts the relay did not create, so the listing spans two pages of 100 (three of 50 on Free). */
const OTHERS = 120;

async function cmsTarget(kind: 'wordpress-rest' | 'joomla-webservices', baseUrl: string, token: string, roleMap: Record<string, string | number>) {
  const res = await api('POST', '/targets', {
    name: `${kind} reconcile`,
    kind,
    baseUrl,
    token,
    pushGroups: true,
    options: { roleMap },
    modes: { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

/**
 * Six directory users on the target; the first two and the last in a group mapped to a role
 * (group), the last then deactivated in the directory (not drift: compared neither as a user nor
 * as a member).
 */
async function provisioned(targetId: string, group: string) {
  const names = ['role', 'off', 'deleted', 'edited', 'same', 'inactive'].map(unique);
  const users = await Promise.all(names.map((n) => createUser(n, withMail(n))));
  await run(targetId);
  await createGroup(group, { members: [{ value: users[0]!.id }, { value: users[1]!.id }, { value: users[5]!.id }] });
  await run(targetId);
  await scim('PATCH', `/Users/${users[5]!.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
  await run(targetId);
  return users;
}

/** Reconciles to the end and expects one drift of each kind found (roles, deactivated, deleted, attributes), all of it fixed. */
async function expectOneOfEachRepaired(targetId: string) {
  const status = await reconcileToEnd(targetId);
  expect(status.state).toMatchObject({ phase: 'done', error: null });
  expect(status.state.found).toEqual({ roles: 1, deactivated: 1, deleted: 1, attributes: 1 });
  expect(status.state.fixed).toEqual(status.state.found);
}

describe('reconcile against a WordPress site', () => {
  const others: WpSeedUser[] = Array.from({ length: OTHERS }, (_, i) => ({ username: `other${i}`, email: `other${i}@example.test`, roles: ['author'] }));

  it('repairs a removed role, an account stripped of its roles, a deleted account and an edited email, then reads its pages only', async () => {
    const site: WordpressSiteHandle = await createWordpressSite(inject('wordpressSiteUrl'), { users: others });
    const editors = unique('Editors');
    const target = await cmsTarget('wordpress-rest', site.baseUrl, site.adminToken, { [editors]: 'editor' });
    const users = await provisioned(target.id, editors);
    const onSite = async () => {
      const all = (await site.state()).users;
      return users.map((u) => all.find((a) => a.username === u.userName)!);
    };
    const before = await onSite();
    expect(before[0]!.roles).toEqual(['subscriber', 'editor']);
    expect(before[1]!.roles).toEqual(['subscriber', 'editor']);

    // Drift made on the site.
    await site.updateUser(before[0]!.id, { roles: ['subscriber'] });
    await site.updateUser(before[1]!.id, { roles: [] });
    const gone = await fetch(`${site.baseUrl}/wp-json/wp/v2/users/${before[2]!.id}?force=true&reassign=1`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${btoa(site.adminToken)}` },
    });
    expect(gone.status).toBe(200);
    await site.updateUser(before[3]!.id, { email: 'changed.by.hand@example.test' });

    await expectOneOfEachRepaired(target.id);

    const after = await onSite();
    expect(after[0]).toMatchObject({ id: before[0]!.id, roles: ['subscriber', 'editor'] });
    expect(after[1]).toMatchObject({ id: before[1]!.id, roles: ['subscriber', 'editor'] });
    expect(after[2]).toMatchObject({ email: `${users[2]!.userName}@example.org`, roles: ['subscriber'] });
    expect(after[2]!.id).not.toBe(before[2]!.id);
    expect(after[3]).toMatchObject({ id: before[3]!.id, email: `${users[3]!.userName}@example.org` });
    expect(after[4]).toEqual(before[4]);
    expect(after[5]).toEqual(before[5]);
    expect(after[5]!.roles).toEqual([]);
    // Accounts the relay did not create are listed, never written.
    expect((await site.state()).users.filter((u) => u.username.startsWith('other')).every((u) => u.roles.join() === 'author')).toBe(true);

    const since = (await site.requests()).length;
    const again = await reconcileToEnd(target.id);
    expect(again.state).toMatchObject({ phase: 'done', found: {} });
    const reads = (await site.requests()).slice(since);
    // Two pages of 100 (per_page's maximum); on Free, the pages a "Reconcile now" can compare within 10 ms of CPU.
    const size = reconcilePageSize(100);
    const pages = Array.from({ length: Math.ceil((await site.state()).users.length / size) }, (_, i) => `GET /wp/v2/users ${i + 1}`);
    expect(pages.length).toBe(size === 100 ? 2 : 3);
    expect(reads.map((r) => `${r.method} ${r.route} ${new URLSearchParams(r.query).get('page')}`)).toEqual(pages);
    expect(new URLSearchParams(reads[0]!.query).get('per_page')).toBe(String(size));
    expect(new URLSearchParams(reads[0]!.query).get('orderby')).toBe('id');
  });
});

describe('reconcile against a Joomla site', () => {
  const others: JoomlaSeedUser[] = Array.from({ length: OTHERS }, (_, i) => ({
    name: `Other ${String(i).padStart(3, '0')}`,
    username: `other${i}`,
    email: `other${i}@example.test`,
    groups: [3],
  }));

  it('repairs a removed group, a blocked account, a deleted account and an edited email, then reads its pages only', async () => {
    const site: JoomlaSiteHandle = await createJoomlaSite(inject('joomlaSiteUrl'), { users: others });
    const editors = unique('Editors');
    const target = await cmsTarget('joomla-webservices', site.baseUrl, site.adminToken, { [editors]: 4 });
    const users = await provisioned(target.id, editors);
    const onSite = async () => {
      const all = (await site.state()).users;
      return users.map((u) => all.find((a) => a.username === u.userName)!);
    };
    const before = await onSite();
    expect(before[0]!.groups).toEqual([2, 4]);

    await site.updateUser(before[0]!.id, { groups: [2] });
    await site.updateUser(before[1]!.id, { block: true });
    const gone = await fetch(`${site.baseUrl}/api/index.php/v1/users/${before[2]!.id}`, {
      method: 'DELETE',
      headers: { 'x-joomla-token': site.adminToken, accept: 'application/vnd.api+json' },
    });
    expect(gone.status).toBe(204);
    await site.updateUser(before[3]!.id, { email: 'changed.by.hand@example.test' });

    await expectOneOfEachRepaired(target.id);

    const after = await onSite();
    expect(after[0]).toMatchObject({ id: before[0]!.id, groups: [2, 4] });
    expect(after[1]).toMatchObject({ id: before[1]!.id, block: false, groups: [2, 4] });
    expect(after[2]).toMatchObject({ email: `${users[2]!.userName}@example.org`, groups: [2], block: false });
    expect(after[2]!.id).not.toBe(before[2]!.id);
    expect(after[3]).toMatchObject({ id: before[3]!.id, email: `${users[3]!.userName}@example.org` });
    expect(after[4]).toEqual(before[4]);
    expect(after[5]).toMatchObject({ block: true, groups: [2, 4] });
    expect((await site.state()).users.filter((u) => u.username.startsWith('other')).every((u) => u.groups.join() === '3' && !u.block)).toBe(true);

    const since = (await site.requests()).length;
    const again = await reconcileToEnd(target.id);
    expect(again.state).toMatchObject({ phase: 'done', found: {} });
    const reads = (await site.requests()).slice(since);
    expect(reads.every((r) => r.method === 'GET')).toBe(true);
    // The listing's two pages of 100 and the site's groups once (a list row names its groups by
    // title). On Free, pages of what 10 ms of CPU compares, one an invocation, each reading the groups.
    const size = reconcilePageSize(100);
    const total = (await site.state()).users.length;
    const pages = Array.from({ length: Math.ceil(total / size) }, (_, i) => `/v1/users ${i * size}`);
    const groups = '/v1/users/groups null';
    expect(reads.map((r) => `${r.route} ${new URLSearchParams(r.query).get('page[offset]')}`)).toEqual(
      size === 100 ? [pages[0], groups, pages[1]] : pages.flatMap((p) => [p, groups]),
    );
    expect(pages.length).toBe(size === 100 ? 2 : 3);
  });

  it('does not trust a page boundary: an account renamed between pages is compared once, the one it pushed back is re-read by id', async () => {
    const lower: JoomlaSeedUser[] = others.map((o, i) => ({ ...o, name: `other-${String(i).padStart(3, '0')}` }));
    const site = await createJoomlaSite(inject('joomlaSiteUrl'), { users: lower });
    const target = await cmsTarget('joomla-webservices', site.baseUrl, site.adminToken, {});
    // Without a displayName the account's name is its login: x sorts first, y right where page 2 begins.
    const x = await createUser(unique('aaa-x'), withMail(unique('x')));
    await run(target.id);
    const sorted = (await site.state()).users.map((u) => u.name).sort((a, b) => a.localeCompare(b));
    const y = await createUser(`${sorted[99]}-y-${crypto.randomUUID().slice(0, 4)}`, withMail(unique('y')));
    await run(target.id);
    const names = (await site.state()).users.sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id).map((u) => u.username);
    expect(names[0]).toBe(x.userName);
    expect(names[100]).toBe(y.userName);
    const remoteX = (await site.byUsername(x.userName))!;
    const remoteY = (await site.byUsername(y.userName))!;
    await site.updateUser(remoteX.id, { email: 'changed.by.hand@example.test' });

    // The first invocation reads page 1 only; then x is renamed to sort last, so every later row moves up one.
    const first = await reconcileTarget(env, target.id, {
      budget: { requests: 1, deadline: Date.now() + 20_000, queries: 10_000, pool: Number.POSITIVE_INFINITY },
    });
    expect(first).toMatchObject({ phase: 'users', cursor: '100' });
    await site.updateUser(remoteX.id, { name: 'zzz-x' });
    const since = (await site.requests()).length;
    const status = await reconcileToEnd(target.id);

    expect(status.state).toMatchObject({ phase: 'done', error: null });
    // x was on page 1 and again on page 2: one drift. y slipped onto page 1 after it was read: read by id, not "deleted".
    expect(status.state.found).toEqual({ attributes: 1 });
    const reads = (await site.requests()).slice(since);
    expect(reads.some((r) => r.route === '/v1/users' && new URLSearchParams(r.query).get('filter[search]') === `id:${remoteY.id}`)).toBe(true);
    expect((await site.user(remoteX.id))!.email).toBe(`${x.emails[0].value}`);
    expect(await site.user(remoteY.id)).toMatchObject({ username: y.userName, block: false });
  });
});
