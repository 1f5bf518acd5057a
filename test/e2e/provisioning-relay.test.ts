/**
 * Relay A (the worker under test) provisions into relay B (the same worker, another process,
 * its own D1) over real HTTP: create, update, block (deactivate), delete and group push, in the
 * manual, automatic and scheduled modes, with the cron fired by the test.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { PATCH_URN, createGroup, createUser, scim } from '../helpers/scim';
import { eventually } from '../helpers/eventually';
import { relayB, runCron, runCronUntilDrained, scimB } from '../support/e2e';
import { onB, targetToB } from '../support/on-relay-b';
import { ops } from '../helpers/operations';

const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}@relay-a.test`;

describe('manual mode: POST /api/v1/users/{id}/provision', () => {
  it('creates the user on relay B, with a step trace, and sends nothing the second time', async () => {
    const target = await targetToB('B manual', { manual: { enabled: true, operations: ops() } });
    const userName = unique('ada');
    const user = await createUser(userName, { name: { givenName: 'Ada', familyName: 'Lovelace' }, emails: [{ value: userName, type: 'work', primary: true }] });

    const first = await api('POST', `/users/${user.id}/provision`, { targetIds: [target.id] });
    expect(first.status, first.text).toBe(200);
    const [result] = first.body.results;
    expect(result).toMatchObject({ targetId: target.id, ok: true, action: 'create' });
    expect(result.steps.map((s: { step: string }) => s.step)).toEqual(['test_connection', 'read', 'match', 'action', 'result']);

    const remote = await onB(userName);
    expect(remote).toMatchObject({ id: result.remoteId, userName, name: { givenName: 'Ada', familyName: 'Lovelace' }, externalId: user.id, active: true });

    const second = await api('POST', `/users/${user.id}/provision`, { targetIds: [target.id] });
    expect(second.body.results[0]).toMatchObject({ ok: true, action: 'skip' });
    const status = await api('GET', `/users/${user.id}/status`);
    expect(status.body.links.find((l: { targetId: string }) => l.targetId === target.id)).toMatchObject({ state: 'in_sync', remoteId: result.remoteId });
  });

  it('links an account that already exists on relay B instead of creating a second one', async () => {
    const target = await targetToB('B link', { manual: { enabled: true, operations: ops() } });
    const userName = unique('grace');
    const existing = await scimB('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, title: 'old' });
    expect(existing.status).toBe(201);
    const user = await createUser(userName, { title: 'Rear Admiral' });
    const res = await api('POST', `/users/${user.id}/provision`, { targetIds: [target.id] });
    expect(res.body.results[0]).toMatchObject({ ok: true, action: 'link', remoteId: existing.body.id });
    expect(await onB(userName)).toMatchObject({ id: existing.body.id, title: 'Rear Admiral' });
  });
});

describe('scheduled mode: queued, drained by the cron', () => {
  it('creates, updates, deactivates and (with Delete on) deletes on relay B, each at the next cron', async () => {
    const target = await targetToB('B scheduled', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops({ delete: true }) } });
    const userName = unique('alan');
    const user = await createUser(userName, { name: { givenName: 'Alan', familyName: 'Turing' } });
    expect(await onB(userName)).toBeUndefined();

    await runCron();
    const created = await onB(userName);
    expect(created).toMatchObject({ userName, name: { familyName: 'Turing' }, active: true });

    // Update: one attribute changes; the interval is forced by clearing last_scheduled_at.
    const patch = await scim('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', path: 'name.familyName', value: 'Turing-Test' }],
    });
    expect(patch.status).toBe(200);
    await env.DB.prepare('UPDATE targets SET last_scheduled_at = NULL WHERE id = ?').bind(target.id).run();
    await runCron();
    expect((await onB(userName)).name.familyName).toBe('Turing-Test');

    // Block: active = false on relay A → deactivated on relay B.
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    await env.DB.prepare('UPDATE targets SET last_scheduled_at = NULL WHERE id = ?').bind(target.id).run();
    await runCron();
    expect((await onB(userName)).active).toBe(false);

    // Delete on relay A → deleted on relay B (Delete is on for this target).
    expect((await scim('DELETE', `/Users/${user.id}`)).status).toBe(204);
    await env.DB.prepare('UPDATE targets SET last_scheduled_at = NULL WHERE id = ?').bind(target.id).run();
    await runCron();
    expect(await onB(userName)).toBeUndefined();

    const audit = await api('GET', `/audit?targetId=${target.id}&limit=50`);
    const operations = audit.body.items.map((e: { operation: string }) => e.operation);
    expect(operations).toEqual(expect.arrayContaining(['match', 'create', 'update', 'deactivate', 'delete']));
    expect(audit.text).not.toContain(relayB.token);
  });

  it('waits for the interval: a second cron within it sends nothing', async () => {
    const target = await targetToB('B interval', { scheduled: { enabled: true, intervalMinutes: 60, operations: ops() } });
    await runCron();
    const userName = unique('katherine');
    await createUser(userName);
    await runCron();
    expect(await onB(userName)).toBeUndefined();
    const outbox = await api('GET', `/outbox?targetId=${target.id}&state=pending`);
    expect(outbox.body.items).toHaveLength(1);
  });
});

describe('automatic mode: dispatched right after the change commits', () => {
  it('creates the user on relay B without a cron', async () => {
    const target = await targetToB('B automatic', { automatic: { enabled: true, operations: ops() } });
    const userName = unique('margaret');
    await createUser(userName, { displayName: 'Margaret Hamilton' });
    const remote = await eventually(
      () => onB(userName),
      (v) => v !== undefined,
    );
    expect(remote).toMatchObject({ userName, displayName: 'Margaret Hamilton' });
    // Later tests in this file count requests to relay B: stop provisioning there automatically.
    expect((await api('DELETE', `/targets/${target.id}`)).status).toBe(204);
  });
});

describe('group push', () => {
  it('creates the group on relay B and sends only membership changes', async () => {
    const target = await targetToB('B groups', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } }, { pushGroups: true });
    const a = await createUser(unique('member-a'));
    const b = await createUser(unique('member-b'));
    const name = `engineers-${crypto.randomUUID().slice(0, 6)}`;
    const group = await createGroup(name, { members: [{ value: a.id }] });
    await runCron();
    // Users first, then the group: the second run sends the membership once users are linked.
    await env.DB.prepare('UPDATE targets SET last_scheduled_at = NULL WHERE id = ?').bind(target.id).run();
    await scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: [{ value: b.id }] }] });
    await runCron();
    const remoteGroup = (await scimB('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}`)).body.Resources[0];
    expect(remoteGroup).toBeDefined();
    const remoteA = await onB(a.userName);
    const remoteB = await onB(b.userName);
    expect(remoteGroup.members.map((m: { value: string }) => m.value).sort()).toEqual([remoteA.id, remoteB.id].sort());

    await scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'remove', path: `members[value eq "${a.id}"]` }] });
    await env.DB.prepare('UPDATE targets SET last_scheduled_at = NULL WHERE id = ?').bind(target.id).run();
    await runCron();
    const after = (await scimB('GET', `/Groups/${remoteGroup.id}`)).body;
    expect(after.members.map((m: { value: string }) => m.value)).toEqual([remoteB.id]);
  });
});

describe('SCIM Bulk, where the target offers it', () => {
  it('learns Bulk from save-and-test, then provisions a batch in a few requests', async () => {
    // Only the nine users below: the users earlier tests left in this D1 are not part of the count.
    const target = await targetToB('B bulk', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } }, { initialSync: false });
    const tested = await api('POST', `/targets/${target.id}/test`, {});
    expect(tested.status, tested.text).toBe(200);
    expect(tested.body).toMatchObject({ ok: true, capabilities: { bulk: true, patch: true } });

    const existing = unique('already-there');
    await scimB('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: existing });
    const users = await Promise.all([...Array.from({ length: 8 }, (_, i) => unique(`bulk${i}`)), existing].map((n) => createUser(n, { title: 'bulk' })));
    // Paid: one tick; Free: a run of 6 rows a tick (worker/src/limits/cpu.ts), so two.
    const ticks = await runCronUntilDrained(target.id);

    for (const u of users) expect(await onB(u.userName)).toMatchObject({ userName: u.userName, title: 'bulk', externalId: u.id });
    const audit = await api('GET', `/audit?targetId=${target.id}&limit=100`);
    const requests = audit.body.items.filter((e: { path: string | null }) => e.path && !e.path.startsWith('/Bulk '));
    // One filter read and one Bulk request a tick for all its users (plus save-and-test's reads).
    expect(requests.filter((e: { operation: string }) => e.operation === 'bulk')).toHaveLength(ticks);
    expect(requests.filter((e: { operation: string }) => e.operation === 'match')).toHaveLength(ticks);
    const perOp = audit.body.items.filter((e: { path: string | null }) => e.path?.startsWith('/Bulk '));
    expect(perOp.filter((e: { operation: string }) => e.operation === 'create')).toHaveLength(8);
    expect(perOp.filter((e: { operation: string }) => e.operation === 'link')).toHaveLength(1);
  });
});

describe('ETags, where the target offers them (RFC 7644 §3.14)', () => {
  /** Requests relay A sent for one user, oldest first, as `METHOD status`. */
  async function sentFor(targetId: string, userId: string): Promise<string[]> {
    const audit = await api('GET', `/audit?targetId=${targetId}&resourceId=${userId}&limit=50`);
    expect(audit.status, audit.text).toBe(200);
    return audit.body.items
      .filter((e: { method: string | null }) => e.method)
      .reverse()
      .map((e: { method: string; httpStatus: number }) => `${e.method} ${e.httpStatus}`);
  }

  it('updates with If-Match at the version it last saw; after an edit on relay B it reads again and retries once', async () => {
    const target = await targetToB('B etag', { manual: { enabled: true, operations: ops() } });
    const tested = await api('POST', `/targets/${target.id}/test`, {});
    expect(tested.body).toMatchObject({ ok: true, capabilities: { etag: true } });
    const userName = unique('etag');
    const user = await createUser(userName, { title: 'one' });
    const provision = async () => (await api('POST', `/users/${user.id}/provision`, { targetIds: [target.id] })).body.results[0];
    const setTitle = (title: string) =>
      scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: title }] });

    const created = await provision();
    expect(created).toMatchObject({ ok: true, action: 'create' });
    const remoteId: string = created.remoteId;

    // Nobody else touched it: one PATCH, at the version the create answered, accepted.
    await setTitle('two');
    expect(await provision()).toMatchObject({ ok: true, action: 'update', attributesChanged: ['title'] });
    expect((await sentFor(target.id, user.id)).filter((r) => r.startsWith('PATCH'))).toEqual(['PATCH 200']);

    // Someone edits the account on relay B, then the directory changes: relay B refuses the
    // stale If-Match (412), relay A reads the account again and sends once more at that version.
    const edited = await scimB('PATCH', `/Users/${remoteId}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', path: 'nickName', value: 'Edited on B' }],
    });
    expect(edited.status).toBe(200);
    await setTitle('three');
    const third = await provision();
    expect(third).toMatchObject({ ok: true, action: 'update', attributesChanged: ['title'] });
    expect(third.steps.filter((s: { step: string }) => s.step === 'read').map((s: { httpStatus?: number }) => s.httpStatus)).toEqual([412, 200]);
    expect((await sentFor(target.id, user.id)).slice(-3)).toEqual(['PATCH 412', 'GET 200', 'PATCH 200']);
    // Only the changed attribute was written: the edit made on relay B stands.
    const remote = await scimB('GET', `/Users/${remoteId}`);
    expect(remote.body).toMatchObject({ title: 'three', nickName: 'Edited on B' });

    // The version the retry answered was kept: the next update goes through at once.
    await setTitle('four');
    expect(await provision()).toMatchObject({ ok: true, action: 'update' });
    expect((await sentFor(target.id, user.id)).slice(-1)).toEqual(['PATCH 200']);
    expect((await scimB('GET', `/Users/${remoteId}`)).body.title).toBe('four');
  });
});

describe("ETags in SCIM Bulk (RFC 7644 §3.7: an operation's version is its If-Match)", () => {
  it('a Bulk PATCH refused with 412 falls back to the per-operation path, which reads the account again and retries', async () => {
    const target = await targetToB('B bulk etag', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } });
    const tested = await api('POST', `/targets/${target.id}/test`, {});
    expect(tested.body).toMatchObject({ ok: true, capabilities: { bulk: true, etag: true } });
    const users = await Promise.all([unique('bulk-etag-a'), unique('bulk-etag-b')].map((n) => createUser(n, { title: 'one' })));
    // Its initial sync holds every user this file made: on Free a few rows a tick.
    await runCronUntilDrained(target.id);
    const [edited, untouched] = await Promise.all(users.map((u) => onB(u.userName)));
    expect(edited).toMatchObject({ title: 'one' });

    // Someone edits one account on relay B; then both users change here.
    expect(
      (await scimB('PATCH', `/Users/${edited.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'nickName', value: 'Edited on B' }] })).status,
    ).toBe(200);
    for (const u of users) await scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'two' }] });
    await env.DB.prepare('UPDATE targets SET last_scheduled_at = NULL WHERE id = ?').bind(target.id).run();
    await runCron();

    expect(await onB(users[0]!.userName)).toMatchObject({ id: edited.id, title: 'two', nickName: 'Edited on B' });
    expect(await onB(users[1]!.userName)).toMatchObject({ id: untouched.id, title: 'two' });
    const audit = await api('GET', `/audit?targetId=${target.id}&resourceId=${users[0]!.id}&limit=50`);
    const sent = audit.body.items
      .filter((e: { method: string | null }) => e.method)
      .reverse()
      .map((e: { method: string; path: string; httpStatus: number }) => `${e.method} ${e.path.startsWith('/Bulk ') ? 'in Bulk ' : ''}${e.httpStatus}`);
    // Created in the first Bulk; then: its Bulk PATCH refused, and the per-operation retry.
    expect(sent).toEqual(['POST in Bulk 201', 'PATCH in Bulk 412', 'PATCH 412', 'GET 200', 'PATCH 200']);
    const other = await api('GET', `/audit?targetId=${target.id}&resourceId=${users[1]!.id}&limit=50`);
    expect(
      other.body.items
        .filter((e: { method: string | null }) => e.method)
        .map((e: { path: string; httpStatus: number }) => `${e.path.startsWith('/Bulk ') ? 'Bulk' : 'own'} ${e.httpStatus}`),
    ).toEqual(['Bulk 200', 'Bulk 201']);
  });
});
