/**
 * A nearly full D1 database (issue #11 item 6): IdPs' creates and updates get a SCIM 507 that
 * says why, deletes still go through, and GET /api/v1/health carries the warning. The plan's
 * size comes from the profile, so a tiny `d1Bytes` stands in for a full 500 MB.
 */
import { describe, expect, it } from 'vitest';
import { fetchUnderLimits } from '../helpers/limits-fetch';
import { USER_URN } from '../helpers/scim';

const TINY = JSON.stringify({ base: 'free', d1Bytes: 4096 });

async function call(method: string, path: string, body: unknown, limits: string) {
  const res = await fetchUnderLimits(method, `http://relay.test${path}`, body, limits, 'application/json');
  return { status: res.status, headers: res.headers, body: res.status === 204 ? null : ((await res.json()) as any) };
}

describe('a nearly full database', () => {
  it('is reported by the health route with the plan size it is measured against', async () => {
    const paid = await call('GET', '/api/v1/health', undefined, 'paid');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ limits: 'paid', database: { limitBytes: 10_000_000_000, nearlyFull: false, warning: null } });
    expect(paid.body.database.bytes).toBeGreaterThan(0);
    const full = await call('GET', '/api/v1/health', undefined, TINY);
    expect(full.body.database).toMatchObject({ limitBytes: 4096, fullAtBytes: 3891, nearlyFull: true });
    expect(full.body.database.warning).toMatch(/refused \(SCIM 507\)/);
  });

  it("answers an IdP's create and update with SCIM 507, lets reads and deletes through", async () => {
    const user = await call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'full-db@example.test' }, 'paid');
    expect(user.status).toBe(201);
    await call('GET', '/api/v1/health', undefined, TINY);
    const refused = await call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'full-db-2@example.test' }, TINY);
    expect(refused.status).toBe(507);
    expect(refused.body.detail).toMatch(/database holds .* MB of the 0 MB its free\+custom plan allows/);
    expect(refused.headers.get('retry-after')).toBe('3600');
    const patched = await call('PATCH', `/scim/v2/Users/${user.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [] }, TINY);
    expect(patched.status).toBe(507);
    expect((await call('GET', `/scim/v2/Users/${user.body.id}`, undefined, TINY)).status).toBe(200);
    expect((await call('DELETE', `/scim/v2/Users/${user.body.id}`, undefined, TINY)).status).toBe(204);
  });
});
