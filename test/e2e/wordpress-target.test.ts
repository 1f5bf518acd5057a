/**
 * Relay A provisions into a WordPress site over HTTP through the core REST API with an
 * Application Password (a target of kind `wordpress-rest`): the fake WordPress 6.9 site of
 * test/support/wordpress-site, built from the real captures, one fresh site per test. Create,
 * update, deactivate (roles removed, Application Passwords revoked, password reset) and
 * reactivate with the roles remembered, delete with reassign, groups as roles, the 500 conflict
 * on create, the silent anonymous fallback of a wrong password, protected accounts, dry-run.
 */
import { env } from 'cloudflare:test';
import { untilDrained } from '../helpers/invocations';
import { describe, expect, inject, it } from 'vitest';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { api } from '../helpers/api';
import { PATCH_URN, createGroup, createUser, scim } from '../helpers/scim';
import { createWordpressSite, type WordpressSiteHandle } from '../support/wordpress-site/client';
import type { CreateWpSiteRequest } from '../support/wordpress-site/types';
import { ops } from '../helpers/operations';

const SITES = inject('wordpressSiteUrl');
const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}`;
const newSite = (req: CreateWpSiteRequest = {}) => createWordpressSite(SITES, req);

async function wordpressTarget(site: WordpressSiteHandle, extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/targets', {
    name: `wordpress ${crypto.randomUUID().slice(0, 6)}`,
    kind: 'wordpress-rest',
    baseUrl: site.baseUrl,
    token: site.adminToken,
    modes: {
      manual: { enabled: true, operations: ops({ delete: true }) },
      scheduled: { enabled: true, intervalMinutes: 1, operations: ops({ delete: true }) },
    },
    ...extra,
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; matching: string[]; options: Record<string, unknown> };
}

const provision = async (userId: string, targetId: string) => {
  const res = await api('POST', `/users/${userId}/provision`, { targetIds: [targetId] });
  expect(res.status, res.text).toBe(200);
  return res.body.results[0];
};
// A run on Paid; on Free its runs of a few rows each until drained (worker/src/limits/cpu.ts).
const run = (targetId: string) =>
  untilDrained(() => dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], budget: createBudget(env, 'cron') }));
const onSite = async (site: WordpressSiteHandle, username: string) => (await site.state()).users.find((u) => u.username === username);
const withMail = (name: string, mail = `${name}@example.org`) => ({ emails: [{ value: mail, type: 'work', primary: true }] });
const link = (targetId: string, userId: string) =>
  env.DB.prepare('SELECT remote_id AS remoteId, state, remote_state AS remoteState, last_error AS lastError FROM links WHERE target_id = ? AND resource_id = ?')
    .bind(targetId, userId)
    .first<{ remoteId: string; state: string; remoteState: string | null; lastError: string | null }>();
const details = (res: { steps: { detail: string }[] }) => res.steps.map((s) => s.detail).join('\n');

describe('a WordPress target through the admin API', () => {
  it('starts with WordPress defaults: match by username then email, map what a core user has', async () => {
    const site = await newSite();
    const t = await wordpressTarget(site, { options: { roleMap: { Editors: 'editor' } } });
    expect(t).toMatchObject({
      kind: 'wordpress-rest',
      matching: ['userName', 'emails[type eq "work"].value'],
      options: { restPath: '/wp-json', roleMap: { Editors: 'editor' }, defaultRole: 'subscriber', reassign: 'relay-account', allowUserOne: false },
    });
    const mapping = (await api('GET', `/targets/${t.id}/mapping`)).body.mapping.map((r: { target: string }) => r.target);
    expect(mapping).toEqual(['userName', 'emails[type eq "work"].value', 'name.givenName', 'name.familyName', 'displayName', 'active']);
    expect(JSON.stringify(t)).not.toContain('ooIt');
    const doc = (await api('GET', '/openapi.json')).body;
    expect(JSON.stringify(doc.paths['/targets'].post.requestBody.content['application/json'].schema)).toContain('wordpress-rest');
  });

  it('refuses settings a WordPress site cannot take, naming each field', async () => {
    const site = await newSite();
    const bad = await api('POST', '/targets', {
      name: 'bad',
      kind: 'wordpress-rest',
      baseUrl: site.baseUrl,
      token: 'no-colon',
      matching: ['externalId'],
      mapping: [{ target: 'title', source: 'title' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['token', 'matching.0', 'mapping.0.target']));
    const badOptions = await api('POST', '/targets', {
      name: 'bad',
      kind: 'wordpress-rest',
      baseUrl: site.baseUrl,
      token: site.adminToken,
      options: { roleMap: { Editors: 'Content Editor' }, jsonapiPath: '/jsonapi' },
    });
    expect(badOptions.status).toBe(400);
    expect(badOptions.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['options.roleMap.Editors', 'options']));

    const t = await wordpressTarget(site);
    const patch = await api('PATCH', `/targets/${t.id}`, { options: { reassign: 0 } });
    expect(patch.status).toBe(400);
    expect(patch.body.issues[0].path).toMatch(/^options\.reassign/);
    const ok = await api('PATCH', `/targets/${t.id}`, { options: { reassign: 'delete-content', roleMap: { Staff: 'author' } } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.options).toMatchObject({ reassign: 'delete-content', roleMap: { Staff: 'author' }, defaultRole: 'subscriber' });
  });

  it("lists the site's roles for the role map picker: the core roles and every role an account holds", async () => {
    const site = await newSite({ users: [{ username: 'shop', email: 'shop@example.test', roles: ['shop_manager'] }] });
    const t = await wordpressTarget(site);
    const res = await api('GET', `/targets/${t.id}/roles`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.kind).toBe('wordpress-rest');
    expect(res.body.items.map((r: { id: string }) => r.id)).toEqual(['administrator', 'editor', 'author', 'contributor', 'subscriber', 'shop_manager']);
    expect(res.body.note).toContain('no list of roles');
  });
});

describe('save and test against WordPress', () => {
  it('reports a working site: REST on, Application Passwords available, an administrator signed in, matching, protected accounts', async () => {
    const site = await newSite({ fixture: true });
    const t = await wordpressTarget(site);
    const res = (await api('POST', `/targets/${t.id}/test`, { existingUserName: 'alice.editor' })).body;
    expect(res.problems).toEqual([]);
    expect(res.ok).toBe(true);
    const text = details(res);
    expect(text).toContain('Application Passwords are available');
    expect(text).toContain('sign in as "admin" (user 1)');
    expect(text).toContain('Matching on emails[type eq "work"].value works');
    expect(text).toContain('Found alice.editor on the site (user 2)');
    expect(text).toContain('nor user 1');
  });

  it('says Application Passwords are unavailable when the site is not on https nor local', async () => {
    const site = await newSite({ settings: { appPasswords: false } });
    const t = await wordpressTarget(site);
    const res = (await api('POST', `/targets/${t.id}/test`, {})).body;
    expect(res.ok).toBe(false);
    expect(res.problems[0]).toMatch(/Application Passwords are unavailable.*https.*local/);
  });

  it('tells a wrong Application Password although WordPress answers it as an anonymous visitor', async () => {
    const site = await newSite();
    const t = await wordpressTarget(site, { token: 'admin:aaaa bbbb cccc dddd eeee ffff' });
    // WordPress itself does not fail the request: a plain list answers 200 with public authors.
    const anonymous = await fetch(`${site.baseUrl}/wp-json/wp/v2/users`, {
      headers: { authorization: `Basic ${btoa('admin:aaaa bbbb cccc dddd eeee ffff')}` },
    });
    expect(anonymous.status).toBe(200);
    const res = (await api('POST', `/targets/${t.id}/test`, {})).body;
    expect(res.ok).toBe(false);
    expect(res.problems[0]).toMatch(/Wrong credentials: WordPress ran the request as an anonymous visitor/);
  });

  it("names the capabilities an editor's Application Password lacks", async () => {
    const site = await newSite({ users: [{ username: 'ed', email: 'ed@example.test', roles: ['editor'], appPasswords: ['edit orpa sswo rd12 3456 7890'] }] });
    const t = await wordpressTarget(site, { token: 'ed:edit orpa sswo rd12 3456 7890' });
    const res = (await api('POST', `/targets/${t.id}/test`, {})).body;
    expect(res.ok).toBe(false);
    expect(res.problems.join(' ')).toContain('lacks the capabilities list_users, create_users, edit_users, promote_users, delete_users');
  });
});

describe('provisioning into WordPress', () => {
  it('creates the account with the default role and a password nobody knows, then sends nothing the second time', async () => {
    const site = await newSite();
    const t = await wordpressTarget(site);
    const name = unique('ada');
    const user = await createUser(name, { ...withMail(name), name: { givenName: 'Ada', familyName: 'Lovelace' }, displayName: 'Ada L.' });
    const first = await provision(user.id, t.id);
    expect(first, JSON.stringify(first)).toMatchObject({ ok: true, action: 'create' });
    const remote = await onSite(site, name);
    expect(remote).toMatchObject({
      id: Number(first.remoteId),
      email: `${name}@example.org`,
      first_name: 'Ada',
      last_name: 'Lovelace',
      name: 'Ada L.',
      roles: ['subscriber'],
    });
    expect(remote!.password).not.toBe('');
    const create = (await site.requests()).find((r) => r.method === 'POST' && r.route === '/wp/v2/users');
    expect(create!.body).toMatchObject({ username: name, email: `${name}@example.org`, roles: ['subscriber'] });
    expect(await link(t.id, user.id)).toMatchObject({ remoteId: String(remote!.id), state: 'in_sync' });

    const before = (await site.requests()).length;
    expect(await provision(user.id, t.id)).toMatchObject({ ok: true, action: 'skip' });
    expect((await site.requests()).slice(before).map((r) => `${r.method} ${r.route}`)).toEqual(['GET /wp/v2/users/me']);
  });

  it('matches by email exactly, not the substring WordPress searches for', async () => {
    const name = unique('bob');
    const site = await newSite({
      users: [
        { username: 'xbob', email: `x${name}@example.org` },
        { username: 'old.bob', email: `${name}@example.org` },
      ],
    });
    const t = await wordpressTarget(site, {
      matching: ['emails[type eq "work"].value'],
      mapping: [
        { target: 'emails[type eq "work"].value', source: 'emails[type eq "work"].value' },
        { target: 'active', source: 'active', clearWhenMissing: false },
      ],
    });
    const user = await createUser(name, withMail(name));
    const result = await provision(user.id, t.id);
    expect(result).toMatchObject({ ok: true, action: 'link' });
    expect(result.remoteId).toBe(String((await onSite(site, 'old.bob'))!.id));
    const search = (await site.requests()).find((r) => r.route === '/wp/v2/users' && r.method === 'GET');
    expect(new URLSearchParams(search!.query).getAll('search_columns[]')).toEqual(['email']);
  });

  it('a username taken when the read saw nobody: the 500 existing_user_login re-reads and links', async () => {
    const name = unique('taken');
    const site = await newSite({ users: [{ username: name, email: `${name}@example.org` }] });
    const t = await wordpressTarget(site, { matching: ['userName'] });
    const user = await createUser(name, withMail(name));
    await site.faults([
      { match: { method: 'GET', path: '/wp/v2/users' }, respond: { status: 200, headers: { 'x-wp-total': '0', 'x-wp-totalpages': '0' }, body: [] } },
    ]);
    const result = await provision(user.id, t.id);
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, action: 'link' });
    expect(result.steps.some((s: { httpStatus?: number; detail: string }) => s.httpStatus === 500 && s.detail.includes('already exists'))).toBe(true);
    expect((await site.state()).users.filter((u) => u.username === name)).toHaveLength(1);
    expect((await api('GET', `/targets/${t.id}`)).body.status).toBe('active');
  });

  it('refuses to rename: WordPress cannot change a username', async () => {
    const site = await newSite();
    const t = await wordpressTarget(site);
    const name = unique('fixed');
    const user = await createUser(name, withMail(name));
    await run(t.id);
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'userName', value: `${name}-renamed` }] });
    await run(t.id);
    expect(await onSite(site, name)).toBeDefined();
    expect((await link(t.id, user.id))!.lastError).toContain('WordPress cannot change a username');
  });

  it('never touches user 1 nor the account the relay signs in as: outcome protected, nothing written', async () => {
    const site = await newSite({
      users: [{ id: 2, username: 'relay', email: 'relay@example.test', roles: ['administrator'], appPasswords: ['rela ypas swor d123 4567 8901'] }],
    });
    // No initial sync: this file's other users would be written to the site too.
    const t = await wordpressTarget(site, { token: 'relay:rela ypas swor d123 4567 8901', initialSync: false });
    const first = await createUser('admin', withMail('admin', 'admin@example.test'));
    const self = await createUser('relay', withMail('relay', 'relay@example.test'));
    // The relay's own account under another directory userName, matched by email.
    const alias = await createUser(unique('relay-alias'), withMail('relay', 'relay@example.test'));
    const a = await provision(first.id, t.id);
    const b = await provision(self.id, t.id);
    const c = await provision(alias.id, t.id);
    for (const r of [a, b, c]) expect(r).toMatchObject({ ok: true, action: 'skip', outcome: 'protected' });
    expect(details(a)).toMatch(/user 1/);
    expect(details(b)).toMatch(/own login/);
    expect(details(c)).toMatch(/own login/);
    // Run by the dispatcher too, with delete on: still nothing written.
    await scim('DELETE', `/Users/${first.id}`);
    await run(t.id);
    expect((await site.requests()).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.route}`)).toEqual([]);
    expect((await site.user(1))!.email).toBe('admin@example.test');
    expect(await site.user(2)).toMatchObject({ roles: ['administrator'] });
    // The audit log shows each skip as `protected`, with nothing sent.
    const audit = (await api('GET', `/audit?targetId=${t.id}&limit=50`)).body.items.filter((e: { outcome: string }) => e.outcome === 'protected');
    expect(new Set(audit.map((e: { resourceId: string }) => e.resourceId))).toEqual(new Set([first.id, self.id, alias.id]));
    expect(audit.every((e: { httpStatus: number | null }) => e.httpStatus === null)).toBe(true);
    expect((await link(t.id, self.id))!).toMatchObject({ remoteId: '2', state: 'never' });
  });

  it('writes user 1 when the admin allows it (options.allowUserOne)', async () => {
    const site = await newSite({
      users: [{ id: 2, username: 'relay', email: 'relay@example.test', roles: ['administrator'], appPasswords: ['rela ypas swor d123 4567 8901'] }],
    });
    const t = await wordpressTarget(site, { token: 'relay:rela ypas swor d123 4567 8901', options: { allowUserOne: true }, initialSync: false });
    const name = unique('admin');
    await site.updateUser(1, { username: name });
    const first = await createUser(name, { ...withMail('admin', 'admin@example.test'), displayName: 'The Admin' });
    const linked = await provision(first.id, t.id);
    expect(linked, JSON.stringify(linked.steps)).toMatchObject({ ok: true, action: 'link', remoteId: '1' });
    expect(await site.user(1)).toMatchObject({ name: 'The Admin' });
  });
});

describe('scheduled provisioning into WordPress: update, deactivate, reactivate, delete', () => {
  it('updates only what changed, deactivates by removing roles, revoking app passwords and resetting the password, and restores the roles', async () => {
    const site = await newSite();
    const t = await wordpressTarget(site);
    const name = unique('alan');
    const user = await createUser(name, withMail(name));
    await run(t.id);
    const created = (await onSite(site, name))!;
    // The site gives the account a role of its own and an Application Password.
    await site.updateUser(created.id, { roles: ['editor', 'author'], appPasswords: [{ uuid: 'u1', name: 'phone', password: 'x' }] });

    await scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: `${name}@new.example.org` }],
    });
    let since = (await site.requests()).length;
    await run(t.id);
    expect(await onSite(site, name)).toMatchObject({ email: `${name}@new.example.org` });
    expect((await site.requests()).slice(since).map((r) => `${r.method} ${r.route}`)).toEqual([`GET /wp/v2/users/me`, `POST /wp/v2/users/${created.id}`]);

    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    await run(t.id);
    const off = (await onSite(site, name))!;
    expect(off).toMatchObject({ roles: [], appPasswords: [], passwordChanges: 1 });
    expect(await link(t.id, user.id)).toMatchObject({ remoteState: 'deactivated' });
    expect(await env.DB.prepare('SELECT roles FROM remote_roles WHERE target_id = ? AND remote_id = ?').bind(t.id, String(created.id)).first()).toEqual({
      roles: '["editor","author"]',
    });

    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: true }] });
    since = (await site.requests()).length;
    await run(t.id);
    expect((await onSite(site, name))!.roles).toEqual(['editor', 'author']);
    expect(await link(t.id, user.id)).toMatchObject({ remoteState: 'active', state: 'in_sync' });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM remote_roles WHERE target_id = ?').bind(t.id).first()).toEqual({ n: 0 });
  });

  it('deletes with force and reassign, handing the posts to the account the relay signs in as', async () => {
    const site = await newSite();
    const t = await wordpressTarget(site);
    const name = unique('gone');
    const user = await createUser(name, withMail(name));
    await run(t.id);
    const created = (await onSite(site, name))!;
    await site.updateUser(created.id, { posts: 3 });
    await scim('DELETE', `/Users/${user.id}`);
    await run(t.id);
    expect(await onSite(site, name)).toBeUndefined();
    expect((await site.user(1))!.posts).toBe(4);
    const del = (await site.requests()).find((r) => r.method === 'DELETE');
    expect(del).toMatchObject({ route: `/wp/v2/users/${created.id}`, query: 'force=true&reassign=1' });
    expect(await link(t.id, user.id)).toMatchObject({ remoteState: 'deleted' });
  });

  it('a run with a wrong Application Password pauses the target instead of writing as an anonymous visitor', async () => {
    const site = await newSite();
    const t = await wordpressTarget(site, { token: 'admin:aaaa bbbb cccc dddd eeee ffff' });
    const name = unique('anon');
    await createUser(name, withMail(name));
    await run(t.id);
    const after = (await api('GET', `/targets/${t.id}`)).body;
    expect(after.status).toBe('paused');
    expect(after.pausedReason).toContain('anonymous visitor');
    expect((await site.requests()).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('plan names the WordPress request a deactivation will send', async () => {
    const site = await newSite();
    const t = await wordpressTarget(site);
    const name = unique('plan');
    const user = await createUser(name, withMail(name));
    await run(t.id);
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    const plan = await api('GET', `/targets/${t.id}/plan?mode=scheduled`);
    expect(plan.status, plan.text).toBe(200);
    const remote = (await onSite(site, name))!;
    expect(plan.body.operations).toEqual(
      expect.arrayContaining([expect.objectContaining({ resourceId: user.id, action: 'deactivate', detail: `PATCH /wp/v2/users/${remote.id}` })]),
    );
  });

  it('dry-run sends no write and names the WordPress request', async () => {
    const site = await newSite();
    const t = await wordpressTarget(site, { dryRun: true });
    const name = unique('dry');
    const user = await createUser(name, withMail(name));
    await run(t.id);
    expect(await onSite(site, name)).toBeUndefined();
    expect((await site.requests()).every((r) => r.method === 'GET')).toBe(true);
    const audit = (await api('GET', `/audit?targetId=${t.id}&limit=50`)).body.items;
    expect(audit.find((e: { outcome: string }) => e.outcome === 'dry_run')).toMatchObject({ method: 'POST', path: '/wp/v2/users', resourceId: user.id });
  });
});

describe('groups as WordPress roles', () => {
  it('adds and removes the mapped role, and a deactivated member gets it back on reactivation', async () => {
    const site = await newSite();
    const editors = unique('Editors');
    const t = await wordpressTarget(site, { pushGroups: true, options: { roleMap: { [editors]: 'editor' } } });
    const a = await createUser(unique('member-a'), withMail(unique('ma')));
    const b = await createUser(unique('member-b'), withMail(unique('mb')));
    await run(t.id);
    const group = await createGroup(editors, { members: [{ value: a.id }] });
    await createGroup(unique('Sales'), { members: [{ value: a.id }, { value: b.id }] });
    await run(t.id);
    expect((await onSite(site, a.userName))!.roles).toEqual(['subscriber', 'editor']);
    expect((await onSite(site, b.userName))!.roles).toEqual(['subscriber']);

    // b is deactivated, then joins the group: the role waits with b's remembered roles.
    await scim('PATCH', `/Users/${b.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    await run(t.id);
    await scim('PATCH', `/Groups/${group.id}`, {
      schemas: [PATCH_URN],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: b.id }] },
        { op: 'remove', path: `members[value eq "${a.id}"]` },
      ],
    });
    await run(t.id);
    expect((await onSite(site, a.userName))!.roles).toEqual(['subscriber']);
    expect((await onSite(site, b.userName))!.roles).toEqual([]);
    await scim('PATCH', `/Users/${b.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: true }] });
    await run(t.id);
    expect((await onSite(site, b.userName))!.roles).toEqual(['subscriber', 'editor']);
  });
});
