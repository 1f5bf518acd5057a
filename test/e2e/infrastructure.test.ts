/**
 * The end-to-end infrastructure works from inside workerd: relay B answers over real HTTP, the
 * fault target serves SCIM and applies exactly the faults it is given, and relay A's cron runs.
 */
import { describe, expect, it } from 'vitest';
import { newFaultTarget, relayB, runCron, scimB } from '../support/e2e';

const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('relay B', () => {
  it('creates a user over HTTP and reads it back', async () => {
    const userName = `e2e-${crypto.randomUUID()}@example.com`;
    const created = await scimB('POST', '/Users', { schemas: [USER_URN], userName, name: { givenName: 'Ada', familyName: 'Lovelace' } });
    expect(created.status).toBe(201);
    expect(relayB.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const read = await scimB('GET', `/Users/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.body.id, userName, name: { givenName: 'Ada' } });

    const found = await scimB('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(found.body.totalResults).toBe(1);
  });

  it('refuses a request without its token', async () => {
    expect((await scimB('GET', '/Users', undefined, { token: null })).status).toBe(401);
  });

  it('runs its cron over HTTP', async () => {
    await expect(relayB.runCron()).resolves.toBeUndefined();
  });
});

describe('fault target', () => {
  it('serves SCIM: create, filter, patch, conflict, delete', async () => {
    const target = newFaultTarget();
    const created = await target.scim('POST', '/Users', { schemas: [USER_URN], userName: 'ada', emails: [{ type: 'work', value: 'Ada@Example.com' }] });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${target.scimUrl}/Users/${created.body.id}`);

    const byEmail = await target.scim('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work" and value eq "ada@example.com"]')}`);
    expect(byEmail.body.Resources.map((u: { id: string }) => u.id)).toEqual([created.body.id]);

    expect((await target.scim('POST', '/Users', { userName: 'ADA' })).body).toMatchObject({ status: '409', scimType: 'uniqueness' });

    const patched = await target.scim('PATCH', `/Users/${created.body.id}`, { Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(patched.body.active).toBe(false);

    const group = await target.scim('POST', '/Groups', { displayName: 'staff', members: [{ value: created.body.id }] });
    const removed = await target.scim('PATCH', `/Groups/${group.body.id}`, { Operations: [{ op: 'remove', path: `members[value eq "${created.body.id}"]` }] });
    expect(removed.body.members).toEqual([]);

    expect((await target.scim('DELETE', `/Users/${created.body.id}`)).status).toBe(204);
    expect((await target.state()).users).toEqual([]);
  });

  it('applies a fault exactly the configured number of times, then answers normally', async () => {
    const target = newFaultTarget();
    await target.setFaults([{ match: { method: 'POST', path: '/scim/v2/Users' }, times: 2, respond: { status: 503, headers: { 'Retry-After': '2' } } }]);

    // A GET does not match the fault and passes through.
    expect((await target.scim('GET', '/Users')).status).toBe(200);
    const first = await target.scim('POST', '/Users', { userName: 'grace' });
    const second = await target.scim('POST', '/Users', { userName: 'grace' });
    expect([first.status, second.status]).toEqual([503, 503]);
    expect(first.headers.get('retry-after')).toBe('2');
    expect((await target.scim('POST', '/Users', { userName: 'grace' })).status).toBe(201);
    expect(await target.pendingFaults()).toEqual([]);

    const counts = await target.counts();
    expect(counts).toEqual({ 'GET /scim/v2/Users': 1, 'POST /scim/v2/Users': 3 });
  });

  it('answers with a raw non-JSON body when told to', async () => {
    const target = newFaultTarget();
    await target.setFaults([{ respond: { status: 200, rawBody: '<html>oops' } }]);
    const res = await target.scim('GET', '/Users');
    expect(res.status).toBe(200);
    expect(res.text).toBe('<html>oops');
  });

  it('surfaces a reset fault as a network error in fetch', async () => {
    const target = newFaultTarget();
    await target.setFaults([{ match: { path: '/scim/v2/Users/*' }, reset: true }]);
    await expect(target.scim('GET', '/Users/whoever')).rejects.toThrow();
    expect((await target.scim('GET', '/Users/whoever')).status).toBe(404);
    expect((await target.requests()).map((r) => r.fault)).toEqual(['reset', null]);
  });

  it('delays an answer', async () => {
    const target = newFaultTarget();
    await target.setFaults([{ delayMs: 300 }]);
    const started = Date.now();
    expect((await target.scim('GET', '/ServiceProviderConfig')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('holds a delayed answer past a client timeout, which then aborts', async () => {
    const target = newFaultTarget();
    await target.setFaults([{ delayMs: 15_000 }]);
    const slow = fetch(`${target.scimUrl}/Users`, { headers: { authorization: `Bearer ${target.token}` }, signal: AbortSignal.timeout(200) });
    await expect(slow).rejects.toThrow();
    expect((await target.scim('GET', '/Users')).status).toBe(200);
  });

  it('logs every request: method, path, query, body and whether it was authorized', async () => {
    const target = newFaultTarget();
    await target.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "x"')}`);
    await target.scim('POST', '/Users', { userName: 'x' });
    const unauthorized = await fetch(`${target.scimUrl}/Users`);
    expect(unauthorized.status).toBe(401);

    const log = await target.requests();
    expect(log.map((r) => [r.method, r.path, r.hasAuthorization, r.authorized])).toEqual([
      ['GET', '/scim/v2/Users', true, true],
      ['POST', '/scim/v2/Users', true, true],
      ['GET', '/scim/v2/Users', false, false],
    ]);
    expect(log[0]!.query).toEqual({ filter: 'userName eq "x"' });
    expect(log[1]!.body).toEqual({ userName: 'x' });

    await target.reset();
    expect(await target.requests()).toEqual([]);
  });
});

describe("relay A's cron", () => {
  it('runs the scheduled handler without throwing', async () => {
    await expect(runCron()).resolves.toBeUndefined();
  });
});
