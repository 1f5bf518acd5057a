import { describe, expect, it } from 'vitest';
import { createScimClient } from '../../../worker/src/provisioning/scim-client/client';
import { testConnection } from '../../../worker/src/provisioning/scim-client/test-connection';
import { SPC, list, scim, scimError, stubFetch, type Answer } from './stub-fetch';

const now = () => new Date('2026-03-01T10:00:00Z');
const run = async (answers: Answer[], matching: string[] = ['userName'], existingUserName?: string) => {
  const stub = stubFetch(...answers);
  const client = createScimClient({ baseUrl: 'https://app.example.com/scim/v2', token: 't0k3n', fetch: stub.fetch });
  const result = await testConnection(client, matching, { now, probeValue: 'probe@example.invalid', ...(existingUserName ? { existingUserName } : {}) });
  return { ...result, requests: stub.requests };
};

describe('testConnection: "Save and test"', () => {
  it('reads capabilities, checks each matching filter finds nobody for a made-up value, and finds an existing user', async () => {
    const r = await run([scim(200, SPC), list(), list(), list({ id: 'r-7', userName: 'bjensen' })], ['userName', 'emails[type eq "work"].value'], 'bjensen');
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.capabilities).toEqual({ patch: true, bulk: true, bulkMaxOperations: 1000, filter: true, etag: true, checkedAt: '2026-03-01T10:00:00.000Z' });
    expect(r.requests.map((q) => decodeURIComponent(q.url))).toEqual([
      'https://app.example.com/scim/v2/ServiceProviderConfig',
      'https://app.example.com/scim/v2/Users?filter=userName eq "probe@example.invalid"&count=2',
      'https://app.example.com/scim/v2/Users?filter=emails[type eq "work" and value eq "probe@example.invalid"]&count=2',
      'https://app.example.com/scim/v2/Users?filter=userName eq "bjensen"&count=2',
    ]);
    expect(r.steps.map((s) => [s.step, s.ok])).toEqual([
      ['test_connection', true],
      ['match', true],
      ['match', true],
      ['read', true],
      ['result', true],
    ]);
    expect(r.steps[0]).toMatchObject({ httpStatus: 200, detail: expect.stringMatching(/^Connected\. PATCH supported/) });
    expect(r.steps[3]!.detail).toBe('Found bjensen on the target (id r-7).');
  });

  it('says what it will do instead when PATCH and Bulk are missing', async () => {
    const r = await run([scim(200, { patch: { supported: false }, bulk: { supported: false, maxOperations: 0 } }), list()]);
    expect(r.ok).toBe(true);
    expect(r.capabilities).toMatchObject({ patch: false, bulk: false, bulkMaxOperations: null, filter: false, etag: false });
    expect(r.steps[0]!.detail).toMatch(/PATCH not supported: updates replace the whole user \(PUT\); Bulk not supported/);
  });

  it('stops at a bad token', async () => {
    const r = await run([scimError(401, 'invalid_token')]);
    expect(r).toMatchObject({ ok: false, problems: ['The target refused the token (401): check the bearer token: invalid_token.'] });
    expect(r.requests).toHaveLength(1);
    expect(r.capabilities).toBeUndefined();
  });

  it('stops at a wrong base URL, including a web page answering 200 for every path', async () => {
    const notFound = await run([new Response('nope', { status: 404 })]);
    expect(notFound.problems[0]).toMatch(/no SCIM service at this base URL/);
    const spa = await run([new Response('<!doctype html><html></html>', { status: 200, headers: { 'content-type': 'text/html' } })]);
    expect(spa.problems[0]).toMatch(/^The base URL answered, but not with a SCIM ServiceProviderConfig: check the base URL/);
    expect(spa.requests).toHaveLength(1);
  });

  it('never echoes the body of a non-JSON answer (an internal page): status and content type only', async () => {
    const page = 'Spring Boot Actuator: env DB_PASSWORD=hunter2, heapdump at /internal/heapdump';
    const r = await run([new Response(page, { status: 403, headers: { 'content-type': 'text/plain' } })]);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(r.problems[0]).toBe('The target refused access (403): the token lacks the permission for this operation (a text/plain body, not shown).');
  });

  it('stops when the target does not answer', async () => {
    const r = await run([Object.assign(new Error('timed out'), { name: 'TimeoutError' })]);
    expect(r.problems).toEqual(['The target did not answer within 10 s.']);
  });

  it('names a matching attribute the target cannot filter on', async () => {
    const r = await run(
      [scim(200, SPC), list(), scimError(400, 'Filtering on emails is not supported', 'invalidFilter')],
      ['userName', 'emails[type eq "work"].value'],
    );
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      'The target does not support filtering on emails[type eq "work"].value, so it cannot be a matching attribute. The target rejected the request (400 invalidFilter): Filtering on emails is not supported.',
    ]);
  });

  it('catches a target that ignores the filter, which would link the wrong accounts', async () => {
    const r = await run([scim(200, SPC), list({ id: 'a' }, { id: 'b' })]);
    expect(r.problems[0]).toMatch(/returned users for a made-up userName: it ignores the filter/);
  });

  it('reports an existing user that cannot be found', async () => {
    const r = await run([scim(200, SPC), list(), list()], ['userName'], 'ghost');
    expect(r.problems).toEqual(["No user with userName ghost on the target: check the name, or the target's filtering on userName."]);
  });

  it('reports an invalid matching path without sending it', async () => {
    const r = await run([scim(200, SPC)], ['emails[type eq']);
    expect(r.problems[0]).toMatch(/^The matching attribute emails\[type eq is not a SCIM path/);
    expect(r.requests).toHaveLength(1);
  });
});
