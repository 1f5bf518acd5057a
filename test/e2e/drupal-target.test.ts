/**
 * Relay A provisions into a Drupal site over HTTP through core JSON:API (a target of kind
 * `drupal-jsonapi`): the fake Drupal 10 site of test/support/drupal-site, one fresh site per test.
 * Create, update, block and unblock, delete under the site's cancel method, group → role mapping,
 * 422 handling, save-and-test (read-only mode, permissions, credentials), the manual step trace
 * and the automatic and scheduled modes — the same engine as for SCIM targets.
 */
import { env } from 'cloudflare:test';
import { untilDrained } from '../helpers/invocations';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { api } from '../helpers/api';
import { PATCH_URN, createGroup, createUser, scim } from '../helpers/scim';
import { createDrupalSite, type DrupalSiteHandle } from '../support/drupal-site/client';
import type { CreateSiteRequest, SiteUser } from '../support/drupal-site/types';
import { ops } from '../helpers/operations';

const SITES = inject('drupalSiteUrl');
const ADMIN = 'admin:admin-pass';
const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}`;

async function drupalTarget(site: DrupalSiteHandle, extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/targets', {
    name: `drupal ${crypto.randomUUID().slice(0, 6)}`,
    kind: 'drupal-jsonapi',
    baseUrl: site.baseUrl,
    token: ADMIN,
    modes: {
      manual: { enabled: true, operations: ops({ delete: true }) },
      scheduled: { enabled: true, intervalMinutes: 1, operations: ops({ delete: true }) },
    },
    ...extra,
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; matching: string[]; options: Record<string, unknown> };
}

const newSite = (req: CreateSiteRequest = {}) => createDrupalSite(SITES, req);
const provision = async (userId: string, targetId: string) => {
  const res = await api('POST', `/users/${userId}/provision`, { targetIds: [targetId] });
  expect(res.status, res.text).toBe(200);
  return res.body.results[0];
};
// A run on Paid; on Free its runs of a few rows each until drained (worker/src/limits/cpu.ts).
const run = (targetId: string) =>
  untilDrained(() => dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], budget: createBudget(env, 'cron') }));
const onSite = async (site: DrupalSiteHandle, name: string): Promise<SiteUser | undefined> => (await site.state()).users.find((u) => u.name === name);
const withMail = (name: string, mail = `${name}@example.org`) => ({ emails: [{ value: mail, type: 'work', primary: true }] });
const link = (targetId: string, userId: string) =>
  env.DB.prepare('SELECT remote_id AS remoteId, remote_key AS remoteKey, state, remote_state AS remoteState FROM links WHERE target_id = ? AND resource_id = ?')
    .bind(targetId, userId)
    .first<{ remoteId: string; remoteKey: string | null; state: string; remoteState: string | null }>();

describe('a Drupal target through the admin API', () => {
  it('starts with Drupal defaults: match by name then mail, map name, mail and status', async () => {
    const site = await newSite();
    const t = await drupalTarget(site, { options: { roleMap: { Editors: 'content_editor' } } });
    expect(t).toMatchObject({
      kind: 'drupal-jsonapi',
      matching: ['userName', 'emails[type eq "work"].value'],
      options: { auth: 'basic', jsonapiPath: '/jsonapi', roleMap: { Editors: 'content_editor' }, fields: {} },
    });
    const mapping = (await api('GET', `/targets/${t.id}/mapping`)).body.mapping.map((r: { target: string }) => r.target);
    expect(mapping).toEqual(['userName', 'emails[type eq "work"].value', 'active']);
    expect(JSON.stringify(t)).not.toContain('admin-pass');
    // The OpenAPI document is generated from the same schemas: the kind and its options are in it.
    const doc = (await api('GET', '/openapi.json')).body;
    const create = doc.paths['/targets'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(create)).toContain('drupal-jsonapi');
    expect(JSON.stringify(create)).toContain('roleMap');
  });

  it('refuses settings a Drupal site cannot take, naming each field', async () => {
    const site = await newSite();
    const bad = await api('POST', '/targets', {
      name: 'bad',
      kind: 'drupal-jsonapi',
      baseUrl: site.baseUrl,
      token: 'no-colon',
      matching: ['externalId'],
      mapping: [{ target: 'title', source: 'title' }],
      options: { roleMap: { Editors: 'Content Editor' } },
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['token', 'matching.0', 'mapping.0.target', 'options.roleMap.Editors']));
    const scimWithOptions = await api('POST', '/targets', { name: 's', baseUrl: 'https://app.example/scim/v2', token: 't', options: {} });
    expect(scimWithOptions.status).toBe(400);
    expect(scimWithOptions.body.issues[0].path).toBe('options');

    const t = await drupalTarget(site);
    const patch = await api('PATCH', `/targets/${t.id}`, { mapping: [{ target: 'name.givenName', source: 'name.givenName' }] });
    expect(patch.status).toBe(400);
    expect(patch.body.issues[0].path).toBe('mapping.0.target');
    // Naming the field makes the same rule acceptable.
    const ok = await api('PATCH', `/targets/${t.id}`, {
      options: { fields: { 'name.givenName': 'field_first_name' } },
      mapping: [
        { target: 'userName', source: 'userName' },
        { target: 'name.givenName', source: 'name.givenName' },
      ],
    });
    expect(ok.status, ok.text).toBe(200);
  });
});

describe('save and test', () => {
  it('reports a working site: JSON:API on, users visible in full, matching, writes allowed, and the cancel method', async () => {
    const site = await newSite();
    const t = await drupalTarget(site);
    const res = await api('POST', `/targets/${t.id}/test`, { existingUserName: 'admin' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.problems).toEqual([]);
    expect(res.body.ok).toBe(true);
    const details = res.body.steps.map((s: { detail: string }) => s.detail).join('\n');
    expect(details).toContain('JSON:API is on');
    expect(details).toContain('sees users with their email and status');
    expect(details).toContain('Matching on emails[type eq "work"].value works');
    expect(details).toContain('Found admin on the site');
    expect(details).toContain('may create and change users');
    expect(details).toContain('cancel method');
    expect(res.body.capabilities).toMatchObject({ patch: true, bulk: false, etag: false });
    // The write probe created nobody.
    expect((await site.state()).users.map((u) => u.name).sort()).toEqual(['', 'admin']);
  });

  it('says when JSON:API is read-only and how to switch it; a run then pauses the target', async () => {
    const site = await newSite({ settings: { readOnly: true } });
    const t = await drupalTarget(site);
    const res = await api('POST', `/targets/${t.id}/test`, {});
    expect(res.body.ok).toBe(false);
    expect(res.body.problems.join(' ')).toMatch(/read-only.*admin\/config\/services\/jsonapi.*Accept only JSON:API read operations/);

    await createUser(unique('ro'), withMail(unique('ro')));
    await run(t.id);
    const after = (await api('GET', `/targets/${t.id}`)).body;
    expect(after.status).toBe('paused');
    expect(after.pausedReason).toContain('admin/config/services/jsonapi');
  });

  it('names the missing permission for an account that may only view profiles', async () => {
    const site = await newSite();
    const viewer = await drupalTarget(site, { token: 'viewer:viewer-pass' });
    const v = (await api('POST', `/targets/${viewer.id}/test`, {})).body;
    expect(v.ok).toBe(false);
    expect(v.problems.join(' ')).toContain('Administer users');
  });

  it('a wrong password (Drupal answers as anonymous) is named after one login, so tests alone never lock the account', async () => {
    const site = await newSite();
    const wrong = await drupalTarget(site, { token: 'admin:wrong' });
    const w = (await api('POST', `/targets/${wrong.id}/test`, {})).body;
    expect(w.ok).toBe(false);
    expect(w.problems).toHaveLength(1);
    expect(w.problems[0]).toMatch(/^Wrong user name or password: .*flood control/);
    expect((await site.requests()).map((r) => `${r.login} ${r.method} ${r.path}`)).toEqual(['failed GET /jsonapi']);
  });

  it('after five failed logins flood control blocks the right password too, and the test says how to clear it', async () => {
    const site = await newSite();
    const t = await drupalTarget(site, { token: 'admin:wrong' });
    for (let i = 0; i < 5; i++) await api('POST', `/targets/${t.id}/test`, {});
    expect(await site.flood()).toMatchObject({ user: { admin: 5 } });
    expect((await api('PATCH', `/targets/${t.id}`, { token: ADMIN })).status).toBe(200);
    const blocked = (await api('POST', `/targets/${t.id}/test`, {})).body;
    expect(blocked.ok).toBe(false);
    expect(blocked.problems[0]).toContain('drush sql:query "DELETE FROM flood"');
    await site.clearFlood();
    expect((await api('POST', `/targets/${t.id}/test`, {})).body.ok).toBe(true);
  });

  it('says when the address has no JSON:API', async () => {
    const site = await newSite({ settings: { jsonapi: false } });
    const t = await drupalTarget(site);
    const res = (await api('POST', `/targets/${t.id}/test`, {})).body;
    expect(res.ok).toBe(false);
    expect(res.problems[0]).toContain('JSON:API module');
  });
});

describe('manual provisioning into Drupal', () => {
  it('creates the account with a step trace, stores uuid and uid on the link, then sends nothing the second time', async () => {
    const site = await newSite();
    const t = await drupalTarget(site);
    const name = unique('ada');
    const user = await createUser(name, withMail(name));
    const first = await provision(user.id, t.id);
    expect(first).toMatchObject({ ok: true, action: 'create' });
    expect(first.steps.map((s: { step: string }) => s.step)).toEqual(['test_connection', 'read', 'read', 'match', 'action', 'result']);
    const remote = await onSite(site, name);
    expect(remote).toMatchObject({ uuid: first.remoteId, name, mail: `${name}@example.org`, status: true });
    expect(await link(t.id, user.id)).toMatchObject({ remoteId: remote!.uuid, remoteKey: String(remote!.uid), state: 'in_sync' });

    const before = (await site.requests()).length;
    expect(await provision(user.id, t.id)).toMatchObject({ ok: true, action: 'skip' });
    // Only the connection check went out.
    expect((await site.requests()).slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /jsonapi']);
  });

  it('links an account found by mail when the name differs, and renames it', async () => {
    const site = await newSite({ users: [{ name: 'old.name', mail: 'grace@example.org' }] });
    const t = await drupalTarget(site);
    const name = unique('grace');
    const user = await createUser(name, withMail(name, 'grace@example.org'));
    const result = await provision(user.id, t.id);
    expect(result).toMatchObject({ ok: true, action: 'link' });
    expect(result.steps.some((s: { detail: string }) => s.detail.includes('by emails[type eq "work"].value'))).toBe(true);
    const state = await site.state();
    expect(state.users.filter((u) => u.mail === 'grace@example.org')).toEqual([expect.objectContaining({ name, uuid: result.remoteId })]);
  });

  it('a name taken on the site when the read saw nobody: the 422 re-reads and links', async () => {
    const name = unique('taken');
    const site = await newSite({ users: [{ name, mail: `${name}@example.org` }] });
    const t = await drupalTarget(site, { matching: ['userName'] });
    const user = await createUser(name, withMail(name));
    // The first read misses the account (as a read racing its creation would).
    await site.faults([
      {
        match: { method: 'GET', path: '/jsonapi/user/user' },
        respond: { status: 200, headers: { 'content-type': 'application/vnd.api+json' }, body: { jsonapi: { version: '1.0' }, data: [], links: {} } },
      },
    ]);
    const result = await provision(user.id, t.id);
    expect(result).toMatchObject({ ok: true, action: 'link' });
    expect(result.steps.some((s: { httpStatus?: number; detail: string }) => s.httpStatus === 422 && s.detail.includes('already exists'))).toBe(true);
    expect((await site.state()).users.filter((u) => u.name === name)).toHaveLength(1);
  });

  it("a 422 on the data fails the user with Drupal's message and leaves the target active", async () => {
    const site = await newSite();
    const t = await drupalTarget(site);
    const name = unique('bad-mail');
    const user = await createUser(name, withMail(name, 'not-an-address'));
    const result = await provision(user.id, t.id);
    expect(result).toMatchObject({ ok: false, failure: 'rejected' });
    expect(result.error).toContain('This value is not a valid email address');
    expect((await api('GET', `/targets/${t.id}`)).body.status).toBe('active');
  });
});

describe('scheduled provisioning into Drupal: update, block, unblock, delete', () => {
  it('updates only what changed, blocks and unblocks with status, and deletes by the cancel method (block)', async () => {
    const site = await newSite({ settings: { cancelMethod: 'user_cancel_block' } });
    const t = await drupalTarget(site);
    const name = unique('alan');
    const user = await createUser(name, withMail(name));
    await run(t.id);
    const created = await onSite(site, name);
    expect(created).toMatchObject({ status: true, mail: `${name}@example.org` });

    await scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: `${name}@new.example.org` }],
    });
    const since = (await site.requests()).length;
    await run(t.id);
    expect(await onSite(site, name)).toMatchObject({ uuid: created!.uuid, mail: `${name}@new.example.org` });
    // who the relay is (one read per pass), then the change only
    expect((await site.requests()).slice(since).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /jsonapi', `PATCH /jsonapi/user/user/${created!.uuid}`]);

    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    await run(t.id);
    expect(await onSite(site, name)).toMatchObject({ status: false });
    expect(await link(t.id, user.id)).toMatchObject({ remoteState: 'deactivated' });

    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: true }] });
    await run(t.id);
    expect(await onSite(site, name)).toMatchObject({ status: true });

    expect((await scim('DELETE', `/Users/${user.id}`)).status).toBe(204);
    await run(t.id);
    // The site's cancel method blocks instead of deleting: the account stays, blocked.
    expect(await onSite(site, name)).toMatchObject({ uuid: created!.uuid, status: false });
    // (the pass's first request, who the relay is at GET /jsonapi, is left out: it carries the first operation's label)
    const audit = (await api('GET', `/audit?targetId=${t.id}&limit=100`)).body.items.filter(
      (e: { operation: string; path: string }) => e.operation === 'delete' && e.path !== '',
    );
    expect(audit.map((e: { method: string; httpStatus: number; outcome: string }) => `${e.method} ${e.httpStatus} ${e.outcome}`).sort()).toEqual([
      'DELETE 204 ok',
      'GET 200 ok',
    ]);
  });

  it("deletes the account when the site's cancel method deletes, and the audit shows it gone", async () => {
    const site = await newSite({ settings: { cancelMethod: 'user_cancel_reassign' } });
    const t = await drupalTarget(site);
    const name = unique('gone');
    const user = await createUser(name, withMail(name));
    await run(t.id);
    expect(await onSite(site, name)).toBeDefined();
    await scim('DELETE', `/Users/${user.id}`);
    await run(t.id);
    expect(await onSite(site, name)).toBeUndefined();
    const audit = (await api('GET', `/audit?targetId=${t.id}&limit=100`)).body.items.filter(
      (e: { operation: string; path: string }) => e.operation === 'delete' && e.path !== '',
    );
    // The read-back's 404 is the answer hoped for: logged as ok, not as a failure.
    expect(audit.map((e: { method: string; httpStatus: number; outcome: string }) => `${e.method} ${e.httpStatus} ${e.outcome}`).sort()).toEqual([
      'DELETE 204 ok',
      'GET 404 ok',
    ]);
    expect(await link(t.id, user.id)).toMatchObject({ remoteState: 'deleted' });
  });
});

describe('groups as Drupal roles', () => {
  it('adds and removes the mapped role on members, leaves other roles and unmapped groups alone', async () => {
    const site = await newSite();
    const editors = unique('Editors');
    const t = await drupalTarget(site, { pushGroups: true, options: { roleMap: { [editors]: 'content_editor' } } });
    const a = await createUser(unique('member-a'), withMail(unique('ma')));
    const b = await createUser(unique('member-b'), withMail(unique('mb')));
    await run(t.id); // users first, so the group's members are linked
    const group = await createGroup(editors, { members: [{ value: a.id }] });
    await createGroup(unique('Sales'), { members: [{ value: a.id }, { value: b.id }] });
    const since = (await site.requests()).length;
    await run(t.id);
    expect((await onSite(site, a.userName))!.roles).toEqual(['content_editor']);
    expect((await onSite(site, b.userName))!.roles).toEqual([]);
    // The unmapped group sent nothing: who the relay is, the role list, then a's read and write.
    expect((await site.requests()).slice(since).map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'PATCH']);

    await site.updateUser((await onSite(site, b.userName))!.uid, { roles: ['administrator'] });
    await scim('PATCH', `/Groups/${group.id}`, {
      schemas: [PATCH_URN],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: b.id }] },
        { op: 'remove', path: `members[value eq "${a.id}"]` },
      ],
    });
    await run(t.id);
    expect((await onSite(site, a.userName))!.roles).toEqual([]);
    expect((await onSite(site, b.userName))!.roles.sort()).toEqual(['administrator', 'content_editor']);
  });

  it('a large group is pushed in parts across claims, each member written once', async () => {
    const site = await newSite();
    const staff = unique('Staff');
    const t = await drupalTarget(site, { pushGroups: true, options: { roleMap: { [staff]: 'content_editor' } } });
    const users = [];
    for (let i = 0; i < 60; i++) users.push(await createUser(unique(`staff${i}`), withMail(unique(`s${i}`))));
    await run(t.id);
    const group = await createGroup(staff, { members: users.map((u) => ({ value: u.id })) });
    const since = (await site.requests()).length;
    let claims = 0;
    // Until the group's row is done: a few runs on Paid, more on Free, where a run's 50 requests
    // and queries take fewer members.
    for (let i = 0; i < 10; i++) {
      for (const summary of await run(t.id)) claims += (summary.counts.link ?? 0) + (summary.counts.update ?? 0);
      const row = await env.DB.prepare('SELECT state FROM outbox WHERE target_id = ? AND resource_id = ?').bind(t.id, group.id).first();
      if (!row) break;
    }
    const state = await site.state();
    expect(users.filter((u) => state.users.find((s) => s.name === u.userName)?.roles.includes('content_editor'))).toHaveLength(60);
    // 25 members per chunk, about 60 requests per claim: more than one claim, no member written twice.
    expect(claims).toBeGreaterThan(1);
    const patches = (await site.requests()).slice(since).filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(60);
    expect(new Set(patches.map((r) => r.path)).size).toBe(60);
    expect(
      await env.DB.prepare('SELECT COUNT(*) AS n FROM pushed_members WHERE target_id = ? AND group_id = ?').bind(t.id, group.id).first<{ n: number }>(),
    ).toEqual({ n: 60 });
  });

  it('a mapped role the site does not have fails the group with a message, without creating a role', async () => {
    const site = await newSite();
    const ghosts = unique('Ghosts');
    const t = await drupalTarget(site, { pushGroups: true, options: { roleMap: { [ghosts]: 'ghost_role' } } });
    const group = await createGroup(ghosts);
    await run(t.id);
    const row = await env.DB.prepare('SELECT state, last_error AS lastError FROM outbox WHERE target_id = ? AND resource_id = ?')
      .bind(t.id, group.id)
      .first<{ state: string; lastError: string }>();
    expect(row).toMatchObject({ state: 'failed' });
    expect(row!.lastError).toContain('no role "ghost_role"');
    expect((await site.state()).roles.map((r) => r.id)).not.toContain('ghost_role');
  });
});

describe('automatic mode into Drupal', () => {
  it('creates the account right after the directory change, without a cron', async () => {
    const site = await newSite();
    const t = await drupalTarget(site, { modes: { automatic: { enabled: true, operations: ops() } } });
    const name = unique('margaret');
    await createUser(name, withMail(name));
    const until = Date.now() + 8000;
    let remote = await onSite(site, name);
    while (!remote && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      remote = await onSite(site, name);
    }
    expect(remote).toMatchObject({ name, status: true });
    // The account shows on the site before the run has written its outcome: deleting the target
    // in between failed the run's last writes (a FOREIGN KEY error in the log). Wait for it.
    let runs = (await api('GET', `/runs?targetId=${t.id}`)).body.items as { status: string }[];
    while (runs.some((r) => r.status === 'running') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      runs = (await api('GET', `/runs?targetId=${t.id}`)).body.items;
    }
    expect(runs.map((r) => r.status)).toContain('done');
    expect(runs.map((r) => r.status)).not.toContain('running');
    expect((await api('DELETE', `/targets/${t.id}`)).status).toBe(204);
  });
});

describe('a login Drupal does not accept, in the engine', () => {
  it('a run pauses the target after one failed login, with the reason in words, and sends nothing more', async () => {
    const site = await newSite();
    const t = await drupalTarget(site, { token: 'admin:wrong' });
    for (let i = 0; i < 3; i++) await createUser(unique('nobody'), withMail(unique('nb')));
    await run(t.id);
    const after = (await api('GET', `/targets/${t.id}`)).body;
    expect(after.status).toBe('paused');
    expect(after.pausedReason).toMatch(/^Wrong user name or password/);
    // three users to create, one login attempt: the first answer stopped the pass
    expect((await site.requests()).filter((r) => r.login !== null)).toHaveLength(1);
  });

  it('with the password "admin", Drupal\'s message reads whole in the paused reason and the audit', async () => {
    const site = await newSite({ settings: { readOnly: true, accounts: [{ username: 'admin', password: 'admin', model: 'admin' }] } });
    const t = await drupalTarget(site, { token: 'admin:admin' });
    await createUser(unique('ro'), withMail(unique('ro')));
    await run(t.id);
    const { pausedReason } = (await api('GET', `/targets/${t.id}`)).body;
    expect(pausedReason).toContain(`Site administrators can configure this at ${site.baseUrl}/admin/config/services/jsonapi`);
    const audit = await env.DB.prepare('SELECT error FROM audit_events WHERE target_id = ? AND error IS NOT NULL').bind(t.id).all<{ error: string }>();
    expect(audit.results.length).toBeGreaterThan(0);
    for (const { error } of audit.results) {
      expect(error).not.toContain('[secret]');
      expect(error).toContain('Site administrators');
    }
  });
});

describe("the engine's guard rails hold for Drupal", () => {
  it('a 503 from the site is retried later and the account is created once', async () => {
    const site = await newSite();
    const t = await drupalTarget(site);
    const name = unique('retry');
    const user = await createUser(name, withMail(name));
    await site.faults([
      {
        match: { method: 'POST', path: '/jsonapi/user/user' },
        respond: {
          status: 503,
          headers: { 'content-type': 'application/vnd.api+json' },
          body: { errors: [{ status: '503', detail: 'Site under maintenance' }] },
        },
      },
    ]);
    await run(t.id);
    const row = await env.DB.prepare('SELECT state, attempts, last_error AS lastError FROM outbox WHERE target_id = ? AND resource_id = ?')
      .bind(t.id, user.id)
      .first<{ state: string; attempts: number; lastError: string }>();
    expect(row).toMatchObject({ state: 'pending', attempts: 1 });
    expect(row!.lastError).toContain('Site under maintenance');
    await dispatch(env, { mode: 'scheduled', force: true, targetIds: [t.id], budget: createBudget(env, 'cron'), now: () => new Date(Date.now() + 3_600_000) });
    expect((await site.state()).users.filter((u) => u.name === name)).toHaveLength(1);
  });

  it('dry-run and plan name the JSON:API requests and send no write', async () => {
    const site = await newSite();
    const t = await drupalTarget(site, { dryRun: true });
    // Targets get outbox rows for changes made after they exist: both first, then the user. No
    // initial sync of the users earlier tests left: a plan shows the next operations only (a page
    // of 200), and this one is about the user below.
    const live = await drupalTarget(site, { initialSync: false });
    const name = unique('dry');
    const user = await createUser(name, withMail(name));
    await run(t.id);
    expect(await onSite(site, name)).toBeUndefined();
    expect((await site.requests()).every((r) => r.method === 'GET')).toBe(true);
    const audit = (await api('GET', `/audit?targetId=${t.id}&limit=50`)).body.items;
    expect(audit.find((e: { outcome: string }) => e.outcome === 'dry_run')).toMatchObject({ method: 'POST', path: '/user/user', resourceId: user.id });

    await run(live.id);
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    const plan = await api('GET', `/targets/${live.id}/plan?mode=scheduled`);
    expect(plan.status, plan.text).toBe(200);
    const remote = await onSite(site, name);
    expect(plan.body.operations).toEqual(
      expect.arrayContaining([expect.objectContaining({ resourceId: user.id, action: 'deactivate', detail: `PATCH /user/user/${remote!.uuid}` })]),
    );
  });
});
