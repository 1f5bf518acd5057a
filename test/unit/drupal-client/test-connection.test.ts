/**
 * Save-and-test branches a well-behaved site does not take (the fake Drupal site covers the rest
 * end to end): a site that accepts a nameless user, a 200 that is not JSON:API, a site whose
 * user resource is disabled.
 */
import { describe, expect, it } from 'vitest';
import { drupalTargetOptionsSchema } from '../../../shared/src/drupal-target';
import { testDrupalConnection } from '../../../worker/src/provisioning/drupal-client';
import { stubFetch, type Answer } from '../scim-client/stub-fetch';
import { ENTRY_POINT, jsonapi, many, one } from './helpers';

const ADMIN = { uuid: 'ab4c8bad-aa6f-4043-a2a3-f7c02028edd1', uid: 1, name: 'admin' };
const test = (...answers: Answer[]) => {
  const stub = stubFetch(...answers);
  const conn = { baseUrl: 'https://site.example', token: 'relay:pw', options: drupalTargetOptionsSchema.parse({}), fetch: stub.fetch };
  return { run: () => testDrupalConnection(conn, ['userName'], { probeValue: 'nobody@example.invalid' }), requests: stub.requests };
};

describe('testDrupalConnection', () => {
  it('removes a nameless user a lax site accepted during the write probe, and still reports writes as working', async () => {
    const probe = { uuid: '0b0b0b0b-0000-4000-8000-000000000000', uid: 99, name: '' };
    const t = test(jsonapi(200, ENTRY_POINT), many(ADMIN), many(), one(probe, 201), new Response(null, { status: 204 }));
    const r = await t.run();
    expect(r.ok).toBe(true);
    expect(t.requests.map((q) => q.method)).toEqual(['GET', 'GET', 'GET', 'POST', 'DELETE']);
    expect(t.requests[4]!.url).toBe(`https://site.example/jsonapi/user/user/${probe.uuid}`);
    expect(r.steps.find((s) => s.detail.includes('removed it again'))).toBeDefined();
  });

  it('a 200 that is not JSON:API at the address points at the base URL', async () => {
    const t = test(new Response('<html>Welcome to Drupal</html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    const r = await t.run();
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/not with JSON:API: check the base URL/);
    expect(t.requests).toHaveLength(1);
  });

  it('a JSON:API without user--user says the resource is disabled', async () => {
    const t = test(jsonapi(200, { ...ENTRY_POINT, links: { self: { href: 'x' } } }));
    const r = await t.run();
    expect(r.problems[0]).toContain('no user--user resources');
  });
});

describe('testDrupalConnection: one login per test', () => {
  it('a wrong password (Drupal answers as anonymous) is named, with flood control, after one request', async () => {
    const t = test(jsonapi(200, { ...ENTRY_POINT, meta: undefined }));
    const r = await t.run();
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^Wrong user name or password: .*drush sql:query "DELETE FROM flood"/);
    expect(t.requests).toHaveLength(1);
  });

  it('a non-JSON answer is described by its status and content type, never by its body', async () => {
    const t = test(
      new Response('<html>Internal wiki: root password is hunter2</html>', { status: 500, headers: { 'content-type': 'text/html; charset=utf-8' } }),
    );
    const r = await t.run();
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(r.problems[0]).toContain('(500): a text/html body, not shown');
  });
});
