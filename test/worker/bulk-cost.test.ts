/**
 * A Bulk is never a CPU or D1 amplifier (issue #11): its cost is estimated per operation before
 * anything runs, and a request that could go past the invocation's D1 queries is refused with
 * 413 and the maximum in words. maxOperations in /ServiceProviderConfig follows the profile.
 */
import { describe, expect, it } from 'vitest';
import { takeUsages } from '../../worker/src/limits/meter';
import { PROFILES } from '../../worker/src/limits/profile';
import { bulkMaxOperations } from '../../worker/src/scim/bulk-cost';
import { fetchUnderLimits } from '../helpers/limits-fetch';
import { BULK_REQUEST_URN, PATCH_URN } from '../helpers/scim';

async function call(method: string, path: string, body: unknown, limits: string) {
  takeUsages();
  const res = await fetchUnderLimits(method, `http://relay.test/scim/v2${path}`, body, limits, 'application/scim+json');
  return { status: res.status, body: (await res.json()) as any, usage: takeUsages() };
}

const bulk = (Operations: unknown[], limits = 'paid') => call('POST', '/Bulk', { schemas: [BULK_REQUEST_URN], Operations }, limits);
const createUsers = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: { userName: `${prefix}${i}@bulk-cost.test` } }));

describe('Bulk cost', () => {
  it('advertises the operations any mix of which fits one invocation of the profile', async () => {
    expect(bulkMaxOperations(PROFILES.free)).toBe(10);
    expect(bulkMaxOperations(PROFILES.paid)).toBe(248);
    expect((await call('GET', '/ServiceProviderConfig', undefined, 'free')).body.bulk.maxOperations).toBe(10);
    expect((await call('GET', '/ServiceProviderConfig', undefined, 'paid')).body.bulk.maxOperations).toBe(248);
  });

  it('refuses more operations than advertised with 413, in words, before running any', async () => {
    const res = await bulk(createUsers('over', 11), 'free');
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/at most 10 operations .*free plan.*this one has 11/);
    expect(res.usage[0]!.d1Queries).toBeLessThanOrEqual(2);
    const found = await call('GET', `/Users?filter=${encodeURIComponent('userName sw "over"')}`, undefined, 'paid');
    expect(found.body.totalResults).toBe(0);
  });

  it('50 group creates of 20 members each stay under the Paid plan’s queries; 199 groups of 91 members (995 queries at most) are refused up front', async () => {
    const users = await bulk(createUsers('gm', 200));
    expect(users.status).toBe(200);
    const ids: string[] = users.body.Operations.map((o: any) => o.location.split('/').pop());
    const groups = (n: number, size: number, tag: string) =>
      Array.from({ length: n }, (_, i) => ({
        method: 'POST',
        path: '/Groups',
        bulkId: `g${i}`,
        data: { displayName: `${tag}${i}`, members: Array.from({ length: size }, (_, k) => ({ value: ids[(i * 20 + k) % ids.length] })) },
      }));
    const res = await bulk(groups(50, 20, 'bc-small-'));
    expect(res.status).toBe(200);
    expect(res.body.Operations.every((o: any) => o.status === '201')).toBe(true);
    // the estimate (4 queries a group create, 2 for the request) bounds what it really cost: 1,349 before
    expect(res.usage[0]!.d1Queries).toBeLessThanOrEqual(50 * 4 + 2);

    const big = await bulk(
      groups(199, 20, 'bc-big-').map((op) => ({ ...op, data: { ...op.data, members: Array.from({ length: 91 }, (_, k) => ({ value: `x${k}` })) } })),
    );
    expect(big.status).toBe(413);
    expect(big.body.detail).toMatch(/could need 995 database queries .* at most 993 .*paid plan/);
  });

  it('charges member values of a PATCH', async () => {
    const ops = Array.from({ length: 7 }, () => ({
      method: 'PATCH',
      path: '/Groups/some-group',
      data: { schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: Array.from({ length: 200 }, (_, k) => ({ value: `m${k}` })) }] },
    }));
    const res = await bulk(ops, 'free');
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/could need 49 database queries/);
  });

  it('charges an Entra ID email PATCH the batch its stored body refuses: 10 of them on users with two primary emails stay within the estimate', async () => {
    const twoPrimaries = (i: number) => [
      { value: `old${i}@bulk-cost.test`, type: 'work', primary: true },
      { value: `home${i}@bulk-cost.test`, type: 'home', primary: true },
    ];
    const users = await bulk(createUsers('refused', 10).map((op, i) => ({ ...op, data: { ...op.data, emails: twoPrimaries(i) } })));
    const ids: string[] = users.body.Operations.map((o: any) => o.location.split('/').pop());
    const ops = ids.map((id, k) => ({
      method: 'PATCH',
      path: `/Users/${id}`,
      data: { schemas: [PATCH_URN], Operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: `w${k}@bulk-cost.test` }] },
    }));
    const res = await bulk(ops, 'free');
    expect(res.body.Operations.map((o: any) => o.status)).toEqual(ids.map(() => '200'));
    // the shared batch refused, the run again with their reads, then each PATCH's write — within the estimate
    expect(res.usage[0]!.d1Queries).toBe(1 + 1 + 10);
    expect(res.usage[0]!.d1Queries).toBeLessThanOrEqual(10 * 4 + 2);
    const found = await call('GET', `/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "w3@bulk-cost.test"')}`, undefined, 'paid');
    expect(found.body.Resources.map((r: any) => r.id)).toEqual([ids[3]]);
  });
});
