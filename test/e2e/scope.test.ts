/**
 * Who goes where (issue #13), end to end: relay A provisions into relay B and into the fake
 * Drupal site. A group-scoped target receives only that group's members (nested too); adding a
 * user to the group provisions them, removing them deactivates; a filter scope follows attribute
 * changes; overrides win over the scope; the preview of a scope change names exactly the accounts
 * the change then creates and deactivates; a target switched on during a 1,000-user import waits
 * for approval instead of creating, and once approved is not held again while the import goes on.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { api } from '../helpers/api';
import { invocationsFor } from '../helpers/invocations';
import { ops } from '../helpers/operations';
import { PATCH_URN, bulkCreate, createGroup, createUser, scim } from '../helpers/scim';
import { scimB } from '../support/e2e';
import { createDrupalSite } from '../support/drupal-site/client';
import { onB, targetToB } from '../support/on-relay-b';

const tag = () => crypto.randomUUID().slice(0, 8);
const SCHEDULED = { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } };

// Each test's targets go with it, so a later test's runs never meet an earlier test's target.
afterEach(async () => {
  const { results } = await env.DB.prepare('SELECT id FROM targets').all<{ id: string }>();
  for (const t of results) expect((await api('DELETE', `/targets/${t.id}`)).status).toBe(204);
});

/** One scheduled run of the target, as the cron would (the planner reads the change feed first). */
const run = (targetId: string) => dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], budget: createBudget(env, 'http') });

/**
 * Runs the target until nothing is pending or leased. An admin action (an override, a scope
 * change, an approval) also runs it in the background of its request: a row that run leased
 * counts as not settled, so this waits for it too.
 */
async function runUntilSettled(targetId: string, times = 20): Promise<void> {
  for (let i = 0; i < times; i++) {
    await run(targetId);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state IN ('pending', 'leased')")
      .bind(targetId)
      .first<{ n: number }>();
    if (row!.n === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`target ${targetId} did not settle in ${times} runs`);
}

/** Adds or removes one member; answers the SCIM status (204: done, nothing to return). */
const members = async (groupId: string, op: 'add' | 'remove', userId: string) =>
  (
    await scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_URN],
      Operations: [op === 'add' ? { op, path: 'members', value: [{ value: userId }] } : { op, path: `members[value eq "${userId}"]` }],
    })
  ).status;

const linkState = async (targetId: string, userId: string) => {
  const status = await api('GET', `/users/${userId}/status`);
  return status.body.links.find((l: { targetId: string }) => l.targetId === targetId) as { state: string; override: string | null };
};

describe('A → B: a group-scoped target', () => {
  it('receives only the group members (nested too); adding a member provisions, removing deactivates', { timeout: 60_000 }, async () => {
    const k = tag();
    const [a, b, c] = [await createUser(`ga-${k}@scope.test`), await createUser(`gb-${k}@scope.test`), await createUser(`gc-${k}@scope.test`)];
    const inner = await createGroup(`inner-${k}`, { members: [{ value: b.id }] });
    const staff = await createGroup(`staff-${k}`, { members: [{ value: a.id }, { value: inner.id }] });
    const target = await targetToB('B group scope', SCHEDULED, { scope: { kind: 'groups', groupIds: [staff.id] } });
    await runUntilSettled(target.id);
    expect(await onB(a.userName)).toMatchObject({ active: true });
    expect(await onB(b.userName)).toMatchObject({ active: true });
    expect(await onB(c.userName)).toBeUndefined();
    expect(await linkState(target.id, c.id)).toMatchObject({ state: 'out_of_scope', override: null });

    expect(await members(staff.id, 'add', c.id)).toBe(204);
    await runUntilSettled(target.id);
    expect(await onB(c.userName)).toMatchObject({ active: true });

    expect(await members(staff.id, 'remove', a.id)).toBe(204);
    // Nested: leaving the inner group leaves the scope too.
    expect(await members(inner.id, 'remove', b.id)).toBe(204);
    await runUntilSettled(target.id);
    expect(await onB(a.userName)).toMatchObject({ active: false });
    expect(await onB(b.userName)).toMatchObject({ active: false });
    expect(await onB(c.userName)).toMatchObject({ active: true });
    expect((await linkState(target.id, a.id)).state).toBe('out_of_scope');

    // Back in the group: re-activated on B.
    expect(await members(staff.id, 'add', a.id)).toBe(204);
    await runUntilSettled(target.id);
    expect(await onB(a.userName)).toMatchObject({ active: true });
    expect((await linkState(target.id, a.id)).state).toBe('in_sync');
  });

  it('overrides win over the scope: "always" provisions outside it, "never" deactivates inside it', { timeout: 60_000 }, async () => {
    const k = tag();
    const [inside, outside] = [await createUser(`oi-${k}@scope.test`), await createUser(`oo-${k}@scope.test`)];
    const g = await createGroup(`ov-${k}`, { members: [{ value: inside.id }] });
    const target = await targetToB('B overrides', SCHEDULED, { scope: { kind: 'groups', groupIds: [g.id] } });
    await runUntilSettled(target.id);
    expect(await onB(inside.userName)).toMatchObject({ active: true });
    expect(await onB(outside.userName)).toBeUndefined();

    expect((await api('PUT', `/targets/${target.id}/overrides/${outside.id}`, { override: 'always' })).status).toBe(200);
    expect((await api('PUT', `/targets/${target.id}/overrides/${inside.id}`, { override: 'never' })).status).toBe(200);
    await runUntilSettled(target.id);
    expect(await onB(outside.userName)).toMatchObject({ active: true });
    expect(await onB(inside.userName)).toMatchObject({ active: false });
    expect(await linkState(target.id, inside.id)).toMatchObject({ state: 'out_of_scope', override: 'never' });
    expect(await linkState(target.id, outside.id)).toMatchObject({ state: 'in_sync', override: 'always' });
  });
});

describe('A → B: a filter scope', () => {
  it('follows attribute changes: a user whose userType starts matching is created, one who stops is deactivated', { timeout: 60_000 }, async () => {
    const k = tag();
    const employee = `Employee-${k}`;
    const [e, f] = [await createUser(`fe-${k}@scope.test`, { userType: employee }), await createUser(`ff-${k}@scope.test`, { userType: 'Contractor' })];
    const target = await targetToB('B filter scope', SCHEDULED, { scope: { kind: 'filter', filter: `userType eq "${employee}" and active eq true` } });
    await runUntilSettled(target.id);
    expect(await onB(e.userName)).toMatchObject({ active: true });
    expect(await onB(f.userName)).toBeUndefined();

    const setType = (id: string, value: string) =>
      scim('PATCH', `/Users/${id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'userType', value }] });
    expect((await setType(f.id, employee)).status).toBe(200);
    expect((await setType(e.id, 'Contractor')).status).toBe(200);
    await runUntilSettled(target.id);
    expect(await onB(f.userName)).toMatchObject({ active: true });
    expect(await onB(e.userName)).toMatchObject({ active: false });
  });
});

describe('A → B: previewing a scope change', () => {
  it('lists exactly the accounts the change then creates and deactivates', { timeout: 60_000 }, async () => {
    const k = tag();
    const [a, b, c, d] = await Promise.all(['pa', 'pb', 'pc', 'pd'].map((p) => createUser(`${p}-${k}@scope.test`)));
    const before = await createGroup(`before-${k}`, { members: [{ value: a.id }, { value: b.id }] });
    const after = await createGroup(`after-${k}`, { members: [{ value: b.id }, { value: c.id }, { value: d.id }] });
    const target = await targetToB('B preview', SCHEDULED, { scope: { kind: 'groups', groupIds: [before.id] } });
    await runUntilSettled(target.id);
    expect(await onB(a.userName)).toBeDefined();

    const next = { kind: 'groups', groupIds: [after.id], nested: true };
    const preview = await api('POST', `/targets/${target.id}/scope/preview`, { scope: next });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body.create.map((u: { id: string }) => u.id).sort()).toEqual([c.id, d.id].sort());
    expect(preview.body.deactivate.map((u: { id: string }) => u.id)).toEqual([a.id]);
    expect(preview.body.counts).toEqual({ inScope: 3, create: 2, deactivate: 1, unchanged: 1 });

    const since = new Date().toISOString();
    const patched = await api('PATCH', `/targets/${target.id}`, { scope: next });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.sync).toMatchObject({ reason: 'scope_changed' });
    await runUntilSettled(target.id);
    const { results } = await env.DB.prepare(
      "SELECT resource_id AS id, operation FROM audit_events WHERE target_id = ? AND at >= ? AND outcome = 'ok' AND operation IN ('create', 'deactivate', 'delete') AND method <> 'GET'",
    )
      .bind(target.id, since)
      .all<{ id: string; operation: string }>();
    const done = (op: string) =>
      results
        .filter((r) => r.operation === op)
        .map((r) => r.id)
        .sort();
    expect(done('create')).toEqual(preview.body.create.map((u: { id: string }) => u.id).sort());
    expect(done('deactivate')).toEqual([a.id]);
    expect(done('delete')).toEqual([]);
    expect(await onB(a.userName)).toMatchObject({ active: false });
    expect(await onB(c.userName)).toMatchObject({ active: true });
  });
});

describe('A → B: the mass-creation guard', () => {
  it('a target switched on during a 1,000-user import waits for approval, then creates them all without being held again', { timeout: 300_000 }, async () => {
    const prefix = `imp-${tag()}-`;
    const names = Array.from({ length: 1000 }, (_, i) => `${prefix}${String(i).padStart(4, '0')}@scope.test`);
    // In Bulks of the profile's maxOperations (scim/bulk-cost.ts), as an IdP's import would.
    const importUsers = (part: string[]) =>
      bulkCreate(
        '/Users',
        part.map((userName) => ({ userName })),
      );
    const countOnB = async () => {
      const res = await scimB('GET', `/Users?count=0&filter=${encodeURIComponent(`userName sw "${prefix}"`)}`);
      return res.body.totalResults as number;
    };
    const held = async (targetId: string) =>
      (await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state = 'held'").bind(targetId).first<{ n: number }>())!.n;

    await importUsers(names.slice(0, 200));
    await importUsers(names.slice(200, 300));
    // Switched on mid-import with the default threshold of 100.
    const target = await targetToB('B during import', SCHEDULED, { rateLimitPerSecond: 1000, concurrency: 6 });
    expect((await api('GET', `/targets/${target.id}`)).body.creationThreshold).toBe(100);
    expect((await api('POST', `/targets/${target.id}/test`, {})).body).toMatchObject({ ok: true });
    await run(target.id);
    for (let from = 300; from < 1000; from += 350) {
      await importUsers(names.slice(from, from + 200));
      await importUsers(names.slice(from + 200, from + 350));
      await run(target.id);
    }
    expect(await countOnB()).toBe(0);
    expect(await held(target.id)).toBeGreaterThanOrEqual(1000);
    const items = (await api('GET', `/outbox?targetId=${target.id}&state=held&limit=1`)).body.items;
    expect(items[0].lastError).toMatch(
      /^Held for approval: \d+ account creation\(s\) waiting and 0 created in the last 60 min exceed the creation threshold of 100\.$/,
    );
    const sync = (await api('GET', `/targets/${target.id}/sync`)).body;
    expect(sync.creations).toMatchObject({ threshold: 100, sentInWindow: 0, standsDown: false });
    expect(sync.creations.waiting).toBeGreaterThanOrEqual(1000);

    const approved = await api('POST', `/targets/${target.id}/approve`);
    expect(approved.body.count).toBeGreaterThanOrEqual(1000);
    // A few runs on Paid; on Free 20 rows a run (the CPU cost model), so about 50.
    for (let i = 0; i < invocationsFor({ users: approved.body.count }, 'http') && (await countOnB()) < 1000; i++) {
      await run(target.id);
      // The approval stands the guard down: nothing is held again while the creations go out.
      expect(await held(target.id)).toBe(0);
    }
    expect(await countOnB()).toBe(1000);
  });
});

describe('A → Drupal: a group-scoped target', () => {
  it('creates only the members, and blocks a member removed from the group', { timeout: 60_000 }, async () => {
    const site = await createDrupalSite(inject('drupalSiteUrl'), {});
    const k = tag();
    const withMail = (name: string) => ({ emails: [{ value: `${name}@example.org`, type: 'work', primary: true }] });
    const [m, n] = [await createUser(`dm-${k}`, withMail(`dm-${k}`)), await createUser(`dn-${k}`, withMail(`dn-${k}`))];
    const g = await createGroup(`drupal-${k}`, { members: [{ value: m.id }] });
    const res = await api('POST', '/targets', {
      name: `drupal scope ${k}`,
      kind: 'drupal-jsonapi',
      baseUrl: site.baseUrl,
      token: 'admin:admin-pass',
      modes: SCHEDULED,
      scope: { kind: 'groups', groupIds: [g.id] },
    });
    expect(res.status, res.text).toBe(201);
    await runUntilSettled(res.body.id);
    const onSite = async (name: string) => (await site.state()).users.find((u) => u.name === name);
    expect(await onSite(m.userName)).toMatchObject({ status: true });
    expect(await onSite(n.userName)).toBeUndefined();

    expect(await members(g.id, 'remove', m.id)).toBe(204);
    expect(await members(g.id, 'add', n.id)).toBe(204);
    await runUntilSettled(res.body.id);
    expect(await onSite(m.userName)).toMatchObject({ status: false });
    expect(await onSite(n.userName)).toMatchObject({ status: true });
  });
});
