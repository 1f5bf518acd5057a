/**
 * Issue #13 through the admin API: a target's scope and creation threshold, the scope preview,
 * per-user overrides, and bad scope input refused with key paths (never a 500).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, createTarget } from '../helpers/api';
import { scim } from '../helpers/scim';

const tag = () => crypto.randomUUID().slice(0, 8);

async function user(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, ...extra });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function group(displayName: string, members: string[]): Promise<string> {
  const res = await scim('POST', '/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName,
    members: members.map((value) => ({ value })),
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Marks a user linked and active on the target, as a run that created it would. */
const linkActive = (targetId: string, userId: string) =>
  env.DB.prepare("INSERT INTO links (target_id, resource_type, resource_id, remote_id, state, remote_state) VALUES (?, 'User', ?, ?, 'in_sync', 'active')")
    .bind(targetId, userId, `remote-${userId}`)
    .run();

describe('target scope and creation threshold', () => {
  it('defaults to every user and a threshold of 100, and stores what is sent', async () => {
    const t = await createTarget(`scope-default-${tag()}`);
    expect(t.scope).toEqual({ kind: 'all' });
    expect(t.creationThreshold).toBe(100);
    const g = await group(`Staff ${tag()}`, []);
    const scoped = await createTarget(`scope-groups-${tag()}`, { scope: { kind: 'groups', groupIds: [g] }, creationThreshold: 0 });
    expect(scoped.scope).toEqual({ kind: 'groups', groupIds: [g], nested: true });
    expect(scoped.creationThreshold).toBe(0);
    expect((await api('GET', `/targets/${scoped.id}`)).body.scope).toEqual(scoped.scope);
  });

  it('refuses a filter the SCIM compiler refuses at scope.filter, in its words', async () => {
    const res = await api('POST', '/targets', {
      name: `bad-filter-${tag()}`,
      baseUrl: 'https://app.example.com/scim/v2',
      token: 'x'.repeat(20),
      scope: { kind: 'filter', filter: 'userType eq' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.issues[0].path).toBe('scope.filter');
    expect(res.body.issues[0].message.length).toBeGreaterThan(5);
  });

  it('refuses unknown groups and malformed scopes by key path, on create and on PATCH', async () => {
    const unknown = await api('POST', '/targets', {
      name: `bad-group-${tag()}`,
      baseUrl: 'https://app.example.com/scim/v2',
      token: 'x'.repeat(20),
      scope: { kind: 'groups', groupIds: ['no-such-group'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues).toEqual([{ path: 'scope.groupIds.0', message: expect.stringContaining('no-such-group') }]);
    const t = await createTarget(`scope-patch-${tag()}`);
    const empty = await api('PATCH', `/targets/${t.id}`, { scope: { kind: 'groups', groupIds: [] } });
    expect(empty.status).toBe(400);
    expect(empty.body.issues.map((i: any) => i.path)).toContain('scope.groupIds');
    const kind = await api('PATCH', `/targets/${t.id}`, { scope: { kind: 'everyone' } });
    expect(kind.status).toBe(400);
    expect(kind.body.issues[0].path).toBe('scope.kind');
    const threshold = await api('PATCH', `/targets/${t.id}`, { creationThreshold: -1 });
    expect(threshold.status).toBe(400);
    expect(threshold.body.issues[0].path).toBe('creationThreshold');
    const badFilter = await api('PATCH', `/targets/${t.id}`, { scope: { kind: 'filter', filter: 'nosuchattr eq "x"' } });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.issues[0].path).toBe('scope.filter');
  });

  it('replaces a scope of another kind on PATCH, starts a full pass, and null goes back to every user', async () => {
    const g = await group(`Ops ${tag()}`, []);
    const t = await createTarget(`scope-kind-${tag()}`, { scope: { kind: 'groups', groupIds: [g] }, initialSync: false });
    const res = await api('PATCH', `/targets/${t.id}`, { scope: { kind: 'filter', filter: 'userType eq "Employee"' } });
    expect(res.status).toBe(200);
    expect(res.body.scope).toEqual({ kind: 'filter', filter: 'userType eq "Employee"' });
    expect(res.body.sync).toMatchObject({ reason: 'scope_changed', phase: 'users' });
    const back = await api('PATCH', `/targets/${t.id}`, { scope: null });
    expect(back.status).toBe(200);
    expect(back.body.scope).toEqual({ kind: 'all' });
  });
});

describe('scope preview', () => {
  it('lists exactly the users a new scope would create and deactivate, with exact counts and a capped list', async () => {
    const k = tag();
    const [a, b, c, d] = [await user(`pa-${k}`), await user(`pb-${k}`), await user(`pc-${k}`), await user(`pd-${k}`)];
    const inner = await group(`Inner ${k}`, [c]);
    const outer = await group(`Outer ${k}`, [a, inner]);
    const t = await createTarget(`preview-${k}`, { initialSync: false, creationThreshold: 1 });
    // b and a are on the target already; the new scope keeps a, drops b, adds c (nested) and not d.
    await linkActive(t.id, a);
    await linkActive(t.id, b);
    // d was deactivated on the target already: out of the new scope, but nothing to deactivate
    await linkActive(t.id, d);
    await env.DB.prepare("UPDATE links SET remote_state = 'inactive' WHERE target_id = ? AND resource_id = ?").bind(t.id, d).run();
    const res = await api('POST', `/targets/${t.id}/scope/preview`, { scope: { kind: 'groups', groupIds: [outer] } });
    expect(res.status).toBe(200);
    const mine = (list: any[]) => list.filter((u) => [a, b, c, d].includes(u.id)).map((u) => u.id);
    expect(mine(res.body.create)).toEqual([c]);
    expect(mine(res.body.deactivate)).toEqual([b]);
    expect(res.body.deactivate[0]).toMatchObject({ userName: `pb-${k}`, remoteId: `remote-${b}` });
    expect(res.body.counts).toMatchObject({ inScope: 2, create: 1, deactivate: 1, unchanged: 1 });
    expect(res.body.needsApproval).toBe(false);

    const flat = await api('POST', `/targets/${t.id}/scope/preview?limit=1`, { scope: { kind: 'groups', groupIds: [outer], nested: false } });
    expect(flat.body.counts).toMatchObject({ inScope: 1, create: 0, unchanged: 1 });
    expect(flat.body.create).toEqual([]);

    const all = await api('POST', `/targets/${t.id}/scope/preview?limit=1`, { scope: { kind: 'all' } });
    expect(all.body.create).toHaveLength(1);
    expect(all.body.counts.create).toBeGreaterThanOrEqual(2);
    expect(all.body.needsApproval).toBe(true);

    const tooMany = await api('POST', `/targets/${t.id}/scope/preview?limit=1001`, { scope: { kind: 'all' } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.issues[0].path).toBe('limit');
  });

  it('applies the target\'s overrides: "never" wins over everything, "always" over the scope', async () => {
    const k = tag();
    const [a, b] = [await user(`oa-${k}`), await user(`ob-${k}`)];
    const g = await group(`Ov ${k}`, [a]);
    const t = await createTarget(`overrides-${k}`, { initialSync: false, scope: { kind: 'groups', groupIds: [g] } });
    expect((await api('PUT', `/targets/${t.id}/overrides/${a}`, { override: 'never' })).body).toEqual({ userId: a, override: 'never' });
    expect((await api('PUT', `/targets/${t.id}/overrides/${b}`, { override: 'always' })).status).toBe(200);
    const preview = await api('POST', `/targets/${t.id}/scope/preview`, { scope: { kind: 'groups', groupIds: [g] } });
    expect(preview.body.create.map((u: any) => u.id)).toEqual([b]);
    const list = await api('GET', `/targets/${t.id}/overrides`);
    expect(list.body.items).toEqual([
      { userId: a, userName: `oa-${k}`, override: 'never', updated: expect.any(String) },
      { userId: b, userName: `ob-${k}`, override: 'always', updated: expect.any(String) },
    ]);
    // The override change reaches the engine: the user is queued for the target.
    const queued = await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND resource_id IN (?, ?) AND state = 'pending'")
      .bind(t.id, a, b)
      .first<{ n: number }>();
    expect(queued!.n).toBe(2);
    await api('PUT', `/targets/${t.id}/overrides/${a}`, { override: null });
    expect((await api('GET', `/targets/${t.id}/overrides`)).body.items.map((i: any) => i.userId)).toEqual([b]);
    expect((await api('PUT', `/targets/${t.id}/overrides/nobody`, { override: 'always' })).status).toBe(404);
    const bad = await api('PUT', `/targets/${t.id}/overrides/${a}`, { override: 'sometimes' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('override');
  });
});
