/**
 * Relay A provisions into a Joomla site over HTTP through the core Web Services API with a
 * Super User's API token (a target of kind `joomla-webservices`): the fake Joomla 5.2 site of
 * test/support/joomla-site, built from the real captures, one fresh site per test. Create (200,
 * not 201), update with the full set of groups on every PATCH, block and unblock with the groups
 * kept, delete (and its bare 500), groups as user groups, silently dropped groups and stripped
 * usernames reported, the Accept header, the token's conditions, protected accounts, dry-run.
 */
import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { api } from '../helpers/api';
import { PATCH_URN, createGroup, createUser, scim } from '../helpers/scim';
import { createJoomlaSite, type JoomlaSiteHandle } from '../support/joomla-site/client';
import type { CreateJoomlaSiteRequest } from '../support/joomla-site/types';
import { ops } from '../helpers/operations';

const SITES = inject('joomlaSiteUrl');
const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}`;
const newSite = (req: CreateJoomlaSiteRequest = {}) => createJoomlaSite(SITES, req);

async function joomlaTarget(site: JoomlaSiteHandle, extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/targets', {
    name: `joomla ${crypto.randomUUID().slice(0, 6)}`,
    kind: 'joomla-webservices',
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
const run = (targetId: string) => dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], budget: createBudget(env, 'cron') });
const withMail = (name: string, mail = `${name}@example.org`) => ({ emails: [{ value: mail, type: 'work', primary: true }] });
const link = (targetId: string, userId: string) =>
  env.DB.prepare('SELECT remote_id AS remoteId, state, remote_state AS remoteState, last_error AS lastError FROM links WHERE target_id = ? AND resource_id = ?')
    .bind(targetId, userId)
    .first<{ remoteId: string; state: string; remoteState: string | null; lastError: string | null }>();
const details = (res: { steps: { detail: string }[] }) => res.steps.map((s) => s.detail).join('\n');

describe('a Joomla target through the admin API', () => {
  it("starts with Joomla defaults and lists the site's user groups for the role map", async () => {
    const site = await newSite();
    const t = await joomlaTarget(site, { options: { roleMap: { Editors: 4 } } });
    expect(t).toMatchObject({
      kind: 'joomla-webservices',
      matching: ['userName', 'emails[type eq "work"].value'],
      options: { apiPath: '/api/index.php', roleMap: { Editors: 4 }, defaultGroups: [2], superUserGroups: [8], allowSuperUsers: false },
    });
    const mapping = (await api('GET', `/targets/${t.id}/mapping`)).body.mapping.map((r: { target: string }) => r.target);
    expect(mapping).toEqual(['userName', 'emails[type eq "work"].value', 'displayName', 'active']);
    const roles = await api('GET', `/targets/${t.id}/roles`);
    expect(roles.status, roles.text).toBe(200);
    expect(roles.body.items).toEqual(
      expect.arrayContaining([
        { id: '4', name: 'Editor' },
        { id: '8', name: 'Super Users' },
      ]),
    );
    const bad = await api('POST', '/targets', {
      name: 'bad',
      kind: 'joomla-webservices',
      baseUrl: site.baseUrl,
      token: 't',
      options: { roleMap: { Editors: 'editor' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('options.roleMap.Editors');
  });
});

describe('save and test against Joomla', () => {
  it('reports a working site: the API answers the token, a Super User, matching, groups, writes allowed', async () => {
    const site = await newSite({ fixture: true });
    const t = await joomlaTarget(site, { options: { roleMap: { Editors: 4 } } });
    const res = (await api('POST', `/targets/${t.id}/test`, { existingUserName: 'alice.editor' })).body;
    expect(res.problems).toEqual([]);
    const text = details(res);
    expect(text).toContain('belongs to the Super User "admin" (user 560)');
    expect(text).toContain('Found alice.editor on the site (user 573)');
    expect(text).toContain('Editors → Editor (4)');
    expect(text).toContain('may create and change users');
    expect(text).toContain('nor any Super User');
    expect((await site.state()).users).toHaveLength(10);
  });

  it('explains a refused token, a disabled users plugin, the Accept header, and a token user who is not a Super User', async () => {
    const site = await newSite();
    const wrong = await joomlaTarget(site, { token: 'not-the-token' });
    expect((await api('POST', `/targets/${wrong.id}/test`, {})).body.problems[0]).toMatch(/refused the API token.*Web Services Joomla Token.*not a Super User/);

    await site.settings({ usersPlugin: false });
    const t = await joomlaTarget(site);
    expect((await api('POST', `/targets/${t.id}/test`, {})).body.problems[0]).toContain('"Web Services - Users" is enabled');
    await site.settings({ usersPlugin: true });

    // A proxy that rewrites the Accept header: Joomla's 406 is explained.
    await site.faults([{ respond: { status: 406, headers: { 'content-type': 'text/html; charset=utf-8' }, rawBody: 'Could not match accept header' } }]);
    expect((await api('POST', `/targets/${t.id}/test`, {})).body.problems[0]).toContain('Accept: application/vnd.api+json');
    // The relay itself sends the right header on every request.
    expect((await site.requests()).every((r) => r.accept === 'application/vnd.api+json')).toBe(true);

    const [mgr] = await site.addUsers([{ name: 'Manager', username: 'mgr', email: 'mgr@example.test', groups: [6], token: true }]);
    await site.settings({ tokenGroups: [8, 6] });
    const created = await site.state();
    const mgrToken = created.users.find((u) => u.id === mgr!.id)!.token!;
    const m = await joomlaTarget(site, { token: mgrToken });
    expect((await api('POST', `/targets/${m.id}/test`, {})).body.problems.join(' ')).toContain('is not a Super User');
  });
});

describe('provisioning into Joomla', () => {
  it('creates the account (200) in the default group, blocks and unblocks it with its groups, updates with groups on every PATCH, and deletes it', async () => {
    const site = await newSite();
    const t = await joomlaTarget(site);
    const name = unique('ada');
    const user = await createUser(name, { ...withMail(name), displayName: 'Ada Lovelace' });
    const first = await provision(user.id, t.id);
    expect(first, JSON.stringify(first)).toMatchObject({ ok: true, action: 'create' });
    const remote = (await site.byUsername(name))!;
    expect(remote).toMatchObject({ id: Number(first.remoteId), name: 'Ada Lovelace', email: `${name}@example.org`, groups: [2], block: false });
    expect(await link(t.id, user.id)).toMatchObject({ remoteId: String(remote.id), state: 'in_sync' });
    await site.updateUser(remote.id, { groups: [2, 3] });

    await scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: `${name}@new.example.org` }],
    });
    let since = (await site.requests()).at(-1)!.seq;
    await run(t.id);
    const patch = (await site.requests(since)).find((r) => r.method === 'PATCH');
    expect(patch!.body).toEqual({ email: `${name}@new.example.org`, groups: [2, 3] });

    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    await run(t.id);
    expect(await site.byUsername(name)).toMatchObject({ block: true, groups: [2, 3] });
    expect(await link(t.id, user.id)).toMatchObject({ remoteState: 'deactivated' });
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: true }] });
    await run(t.id);
    expect(await site.byUsername(name)).toMatchObject({ block: false, groups: [2, 3] });

    since = (await site.requests()).at(-1)!.seq;
    await scim('DELETE', `/Users/${user.id}`);
    await run(t.id);
    expect(await site.byUsername(name)).toBeUndefined();
    expect((await site.requests(since)).map((r) => `${r.method} ${r.route}`)).toEqual([`GET /v1/users/${remote.id}`, `DELETE /v1/users/${remote.id}`]);
    expect(await link(t.id, user.id)).toMatchObject({ remoteState: 'deleted' });
  });

  it('a username in use when the read saw nobody: the 400 "Username in use." re-reads and links', async () => {
    const name = unique('taken');
    const site = await newSite({ users: [{ name: 'Taken', username: name, email: `${name}@example.org` }] });
    const t = await joomlaTarget(site, { matching: ['userName'] });
    const user = await createUser(name, withMail(name));
    // The connection check and the first lookup both see an empty list (as a read racing the account's creation would).
    await site.faults([
      {
        match: { method: 'GET', path: '/v1/users' },
        times: 2,
        respond: { status: 200, headers: { 'content-type': 'application/vnd.api+json' }, body: { links: {}, data: [], meta: { 'total-pages': 0 } } },
      },
    ]);
    const result = await provision(user.id, t.id);
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, action: 'link' });
    expect(result.steps.some((s: { httpStatus?: number; detail: string }) => s.httpStatus === 400 && s.detail.includes('already exists'))).toBe(true);
  });

  it('reports what Joomla changes without a word: a dropped group id, and a username it would strip', async () => {
    const site = await newSite();
    const t = await joomlaTarget(site, { options: { defaultGroups: [999] } });
    const name = unique('nogroup');
    const user = await createUser(name, withMail(name));
    const result = await provision(user.id, t.id);
    expect(result).toMatchObject({ ok: false, failure: 'rejected' });
    expect(result.error).toContain('the group id(s) 999 were dropped');
    // The account Joomla made without groups was taken away again.
    expect(await site.byUsername(name)).toBeUndefined();

    const ok = await joomlaTarget(site);
    const odd = await createUser(`bad<${unique('user')}>`, withMail(unique('odd')));
    const r = await provision(odd.id, ok.id);
    expect(r).toMatchObject({ ok: false, failure: 'rejected' });
    expect(r.error).toContain('Joomla strips the characters');
    expect((await site.requests()).filter((x) => x.method === 'POST' && x.route === '/v1/users' && JSON.stringify(x.body).includes('bad<'))).toEqual([]);
  });

  it("never touches the token's account nor a Super User; a delete Joomla refuses with its bare 500 is reported", async () => {
    const site = await newSite({
      users: [
        { id: 700, name: 'Sam', username: 'sam.super', email: 'sam@example.test', groups: [8] },
        { id: 701, name: 'Pat', username: 'pat', email: 'pat@example.test', groups: [2] },
      ],
    });
    // No initial sync: this file's other users would be written to the site too.
    const t = await joomlaTarget(site, { initialSync: false });
    const admin = await createUser('admin', withMail('admin', 'admin@example.test'));
    const sam = await createUser('sam.super', withMail('sam', 'sam@example.test'));
    const a = await provision(admin.id, t.id);
    const s = await provision(sam.id, t.id);
    for (const r of [a, s]) expect(r).toMatchObject({ ok: true, action: 'skip', outcome: 'protected' });
    const details = (r: { steps: { detail: string }[] }) => r.steps.map((x) => x.detail).join('\n');
    expect(details(a)).toMatch(/API token belongs to/);
    expect(details(s)).toMatch(/Super User/);
    // Again by the dispatcher, once linked: the engine knows them, nothing is read or written.
    await scim('PATCH', `/Users/${sam.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'displayName', value: 'Sam S.' }] });
    await run(t.id);
    expect((await site.requests()).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.route}`)).toEqual([]);
    const skips = (await api('GET', `/audit?targetId=${t.id}&limit=50`)).body.items.filter((e: { outcome: string }) => e.outcome === 'protected');
    expect(new Set(skips.map((e: { resourceId: string }) => e.resourceId))).toEqual(new Set([admin.id, sam.id]));
    expect(skips.every((e: { httpStatus: number | null }) => e.httpStatus === null)).toBe(true);

    const pat = await createUser('pat', withMail('pat', 'pat@example.test'));
    expect(await provision(pat.id, t.id)).toMatchObject({ ok: true, action: 'link' });
    await site.faults([
      {
        match: { method: 'DELETE' },
        respond: { status: 500, headers: { 'content-type': 'application/vnd.api+json' }, body: { errors: [{ code: 500, title: 'Internal server error' }] } },
      },
    ]);
    await scim('DELETE', `/Users/${pat.id}`);
    await run(t.id);
    expect(await site.user(701)).toBeDefined();
    expect((await link(t.id, pat.id))!.lastError).toContain('refused to delete the account (500');
    expect((await api('GET', `/targets/${t.id}`)).body.status).toBe('active');
  });

  it('a run with a refused token pauses the target and says why', async () => {
    const site = await newSite();
    const t = await joomlaTarget(site, { token: 'not-the-token' });
    await createUser(unique('refused'), withMail(unique('refused')));
    await run(t.id);
    const after = (await api('GET', `/targets/${t.id}`)).body;
    expect(after.status).toBe('paused');
    expect(after.pausedReason).toContain('refused the API token');
    expect((await site.requests()).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('dry-run sends no write and names the Joomla request', async () => {
    const site = await newSite();
    const t = await joomlaTarget(site, { dryRun: true });
    const name = unique('dry');
    const user = await createUser(name, withMail(name));
    await run(t.id);
    expect(await site.byUsername(name)).toBeUndefined();
    expect((await site.requests()).every((r) => r.method === 'GET')).toBe(true);
    const audit = (await api('GET', `/audit?targetId=${t.id}&limit=50`)).body.items;
    expect(audit.find((e: { outcome: string }) => e.outcome === 'dry_run')).toMatchObject({ method: 'POST', path: '/v1/users', resourceId: user.id });
  });
});

describe('groups as Joomla user groups', () => {
  it("adds and removes the mapped group, keeping the account's other groups", async () => {
    const site = await newSite();
    const editors = unique('Editors');
    const t = await joomlaTarget(site, { pushGroups: true, options: { roleMap: { [editors]: 4 } } });
    const a = await createUser(unique('member-a'), withMail(unique('ma')));
    await run(t.id);
    const group = await createGroup(editors, { members: [{ value: a.id }] });
    await run(t.id);
    expect((await site.byUsername(a.userName))!.groups).toEqual([2, 4]);
    await scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'remove', path: `members[value eq "${a.id}"]` }] });
    await run(t.id);
    expect((await site.byUsername(a.userName))!.groups).toEqual([2]);
  });
});
