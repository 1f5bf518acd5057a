/**
 * A nearly full D1 database (issue #11 item 6): IdPs' creates and updates get a SCIM 507 that
 * says why, deletes still go through, and GET /api/v1/health says the level (ok, filling from
 * 80 %, full from 95 %) with the warning in words. The plan's
 * size comes from the profile, so a tiny `d1Bytes` stands in for a full 500 MB.
 */
import { describe, expect, it } from 'vitest';
import { fetchUnderLimits } from '../helpers/limits-fetch';
import { USER_URN } from '../helpers/scim';
import { parseLimits } from '../../worker/src/limits/profile';

const TINY = JSON.stringify({ base: 'free', d1Bytes: 4096 });

async function call(method: string, path: string, body: unknown, limits: string) {
  const res = await fetchUnderLimits(method, `http://relay.test${path}`, body, limits, 'application/json');
  return { status: res.status, headers: res.headers, body: res.status === 204 ? null : ((await res.json()) as any) };
}

describe('a nearly full database', () => {
  it('is reported by the health route with the plan size it is measured against', async () => {
    const paid = await call('GET', '/api/v1/health', undefined, 'paid');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({
      limits: 'paid',
      database: { limitBytes: 10_000_000_000, warnAtBytes: 8_000_000_000, fullAtBytes: 9_500_000_000, level: 'ok', nearlyFull: false, warning: null },
    });
    expect(paid.body.database.bytes).toBeGreaterThan(0);
    const full = await call('GET', '/api/v1/health', undefined, TINY);
    expect(full.body.database).toMatchObject({ limitBytes: 4096, warnAtBytes: 3276, fullAtBytes: 3891, level: 'full', nearlyFull: true });
    expect(full.body.database.warning).toMatch(/refused \(SCIM 507\) and imports are stopped until there is room/);
  });

  it('warns from 80 % that the database is filling, with the sizes, the full threshold and what to do', async () => {
    const { bytes } = (await call('GET', '/api/v1/health', undefined, 'paid')).body.database;
    // a plan of which the database holds 87.5 %: past the warning, short of full
    const filling = JSON.stringify({ base: 'free', d1Bytes: Math.round(bytes / 0.875) });
    const health = await call('GET', '/api/v1/health', undefined, filling);
    expect(health.body.database).toMatchObject({ level: 'filling', nearlyFull: false });
    expect(health.body.database.warning).toMatch(
      /^The relay's database holds [\d.]+ MB of the [\d.]+ MB its free\+custom plan allows \(8[78] %\)\. From [\d.]+ MB \(95 %\) identity providers' creates and updates will be refused \(SCIM 507\) and imports will stop\. To make room, delete or deprovision the users the relay no longer needs to hold, or move the relay to the Workers Paid plan \(10,000 MB\)\.$/,
    );
    // filling still takes writes
    const user = await call('POST', '/scim/v2/Users', { schemas: [USER_URN], userName: 'filling-db@example.test' }, filling);
    expect(user.status).toBe(201);
    // the Paid plan has no larger one to move to
    const paidFilling = JSON.stringify({ base: 'paid', d1Bytes: Math.round(bytes / 0.875) });
    const paid = (await call('GET', '/api/v1/health', undefined, paidFilling)).body.database;
    expect(paid.level).toBe('filling');
    expect(paid.warning).not.toContain('Paid plan');
  });

  it('refuses a profile whose warning comes after its full threshold', () => {
    expect(() => parseLimits(JSON.stringify({ base: 'free', d1WarnFraction: 0.99 }))).toThrow(
      /d1WarnFraction \(0\.99\) must not be above d1FullFraction \(0\.95\)/,
    );
    expect(parseLimits(JSON.stringify({ base: 'paid', d1WarnFraction: 0.5 }))).toMatchObject({ d1WarnFraction: 0.5, d1FullFraction: 0.95 });
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
