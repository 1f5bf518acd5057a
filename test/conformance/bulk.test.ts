/**
 * Bulk: RFC 7644 §3.7 — BulkRequest / BulkResponse, bulkId references (§3.7.2), failOnErrors and
 * per-operation status (§3.7.3), maxOperations / maxPayloadSize (§3.7.4) as advertised in
 * /ServiceProviderConfig (RFC 7643 §5).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseLimits } from '../../worker/src/limits/profile';
import { bulkMaxOperations } from '../../worker/src/scim/bulk-cost';
import { BULK_REQUEST_URN, BULK_RESPONSE_URN, ERROR_URN, GROUP_URN, USER_URN, createUser, scim } from '../helpers/scim';
import { expectScimContentType, expectScimError, expectStatus, findUsers, getGroup, getUser, serviceProviderConfig, tag } from './support';

async function bulk(Operations: unknown[], extra: Record<string, unknown> = {}) {
  return scim('POST', '/Bulk', { schemas: [BULK_REQUEST_URN], Operations, ...extra });
}

const status = (op: any) => String(op.status);

describe('RFC 7644 §3.7 bulk operations', () => {
  it('is advertised with numeric limits (what one invocation of the limits profile fits, 1 MiB)', async () => {
    const spc = await serviceProviderConfig();
    expect(spc.bulk.supported).toBe(true);
    expect(spc.bulk.maxOperations).toBe(bulkMaxOperations(parseLimits(env.RELAY_LIMITS)));
    expect(spc.bulk.maxPayloadSize).toBe(1048576);
  });

  it('creates users and reports each operation: method, bulkId, status 201, location', async () => {
    const a = tag('ba');
    const b = tag('bb');
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'one', data: { schemas: [USER_URN], userName: a } },
      { method: 'POST', path: '/Users', bulkId: 'two', data: { schemas: [USER_URN], userName: b } },
    ]);
    expectStatus(res, 200);
    expectScimContentType(res);
    expect(res.body.schemas).toContain(BULK_RESPONSE_URN);
    const ops = res.body.Operations as any[];
    expect(ops).toHaveLength(2);
    expect(ops.map((o) => o.bulkId)).toEqual(['one', 'two']);
    for (const op of ops) {
      expect(op.method).toBe('POST');
      expect(status(op)).toBe('201');
      expect(op.location).toMatch(/\/Users\/[^/]+$/);
      const got = await scim('GET', op.location);
      expectStatus(got, 200);
      if (op.version !== undefined) expect(op.version).toBe(got.body.meta.version);
    }
    expect(await findUsers(`userName eq "${a}" or userName eq "${b}"`)).toHaveLength(2);
  });

  it('resolves bulkId references: a user created and added to a new group in the same request', async () => {
    const userName = tag('bref');
    const displayName = tag('BRG');
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_URN], userName } },
      { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: { schemas: [GROUP_URN], displayName, members: [{ type: 'User', value: 'bulkId:qwerty' }] } },
    ]);
    expectStatus(res, 200);
    const [userOp, groupOp] = res.body.Operations as any[];
    expect(status(userOp)).toBe('201');
    expect(status(groupOp)).toBe('201');
    const userId = userOp.location.split('/').pop();
    const groupId = groupOp.location.split('/').pop();
    const group = await getGroup(groupId);
    expect(group.members.map((m: any) => m.value)).toEqual([userId]);
    expect((await getUser(userId)).groups.map((g: any) => g.value)).toEqual([groupId]);
  });

  it('resolves a bulkId that is defined by a later operation (RFC 7644 §3.7.1: MUST try to resolve cross-references)', async () => {
    const userName = tag('bfwd');
    const res = await bulk([
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'grp',
        data: { schemas: [GROUP_URN], displayName: tag('BFWD'), members: [{ type: 'User', value: 'bulkId:later' }] },
      },
      { method: 'POST', path: '/Users', bulkId: 'later', data: { schemas: [USER_URN], userName } },
    ]);
    expectStatus(res, 200);
    const byBulkId = new Map((res.body.Operations as any[]).map((o) => [o.bulkId, o]));
    expect(status(byBulkId.get('grp'))).toBe('201');
    expect(status(byBulkId.get('later'))).toBe('201');
    const userId = byBulkId.get('later').location.split('/').pop();
    const groupId = byBulkId.get('grp').location.split('/').pop();
    expect((await getGroup(groupId)).members.map((m: any) => m.value)).toEqual([userId]);
  });

  it('resolves bulkId references inside a PATCH of an existing group', async () => {
    const g = await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName: tag('BPG') });
    expectStatus(g, 201);
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'newbie', data: { schemas: [USER_URN], userName: tag('bp') } },
      {
        method: 'PATCH',
        path: `/Groups/${g.body.id}`,
        data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:newbie' }] }] },
      },
    ]);
    expectStatus(res, 200);
    const [userOp, patchOp] = res.body.Operations as any[];
    expect(status(userOp)).toBe('201');
    expect(['200', '204']).toContain(status(patchOp));
    const userId = userOp.location.split('/').pop();
    expect((await getGroup(g.body.id)).members.map((m: any) => m.value)).toEqual([userId]);
  });

  it('runs PUT, PATCH and DELETE operations and reports their statuses', async () => {
    const u1 = await createUser(tag('bput'));
    const u2 = await createUser(tag('bpatch'));
    const u3 = await createUser(tag('bdel'));
    const res = await bulk([
      { method: 'PUT', path: `/Users/${u1.id}`, data: { schemas: [USER_URN], userName: u1.userName, title: 'Put' } },
      {
        method: 'PATCH',
        path: `/Users/${u2.id}`,
        data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Patched' }] },
      },
      { method: 'DELETE', path: `/Users/${u3.id}` },
    ]);
    expectStatus(res, 200);
    const ops = res.body.Operations as any[];
    expect(ops.map(status)).toEqual(['200', '200', '204']);
    expect((await getUser(u1.id)).title).toBe('Put');
    expect((await getUser(u2.id)).title).toBe('Patched');
    expectStatus(await scim('GET', `/Users/${u3.id}`), 404);
  });

  it('honours version (If-Match) on a bulk operation: stale → 412 for that operation', async () => {
    const u = await createUser(tag('bver'));
    const res = await bulk([{ method: 'PUT', path: `/Users/${u.id}`, version: 'W/"987654"', data: { schemas: [USER_URN], userName: u.userName, title: 'x' } }]);
    expectStatus(res, 200);
    expect(status(res.body.Operations[0])).toBe('412');
    expect((await getUser(u.id)).title).toBeUndefined();
  });

  it('reports a failed operation with its status and a SCIM error response, and continues without failOnErrors', async () => {
    const existing = await createUser(tag('bdup'));
    const fresh = tag('bfresh');
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'dup', data: { schemas: [USER_URN], userName: existing.userName } },
      { method: 'POST', path: '/Users', bulkId: 'ok', data: { schemas: [USER_URN], userName: fresh } },
    ]);
    expectStatus(res, 200);
    const [dup, ok] = res.body.Operations as any[];
    expect(status(dup)).toBe('409');
    expect(dup.response.schemas).toContain(ERROR_URN);
    expect(dup.response.scimType).toBe('uniqueness');
    expect(String(dup.response.status)).toBe('409');
    expect(status(ok)).toBe('201');
    expect(await findUsers(`userName eq "${fresh}"`)).toHaveLength(1);
  });

  it('failOnErrors: 1 stops after the first error; later operations are not performed', async () => {
    const existing = await createUser(tag('bfoe'));
    const first = tag('bfoe1');
    const never = tag('bfoe3');
    const res = await bulk(
      [
        { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER_URN], userName: first } },
        { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: [USER_URN], userName: existing.userName } },
        { method: 'POST', path: '/Users', bulkId: 'c', data: { schemas: [USER_URN], userName: never } },
      ],
      { failOnErrors: 1 },
    );
    expectStatus(res, 200);
    const ops = res.body.Operations as any[];
    expect(ops.map(status)).toEqual(['201', '409']);
    expect(await findUsers(`userName eq "${first}"`)).toHaveLength(1);
    expect(await findUsers(`userName eq "${never}"`)).toHaveLength(0);
  });

  it('an operation whose bulkId reference cannot be resolved fails instead of storing the reference (§3.7.2)', async () => {
    const existing = await createUser(tag('bunres'));
    const res = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'failed', data: { schemas: [USER_URN], userName: existing.userName } },
      { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: [GROUP_URN], displayName: tag('BU1'), members: [{ value: 'bulkId:failed' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'g2', data: { schemas: [GROUP_URN], displayName: tag('BU2'), members: [{ value: 'bulkId:neverDefined' }] } },
    ]);
    expectStatus(res, 200);
    const byBulkId = new Map((res.body.Operations as any[]).map((o) => [o.bulkId, o]));
    expect(status(byBulkId.get('failed'))).toBe('409');
    for (const id of ['g1', 'g2']) {
      const op = byBulkId.get(id);
      expect(Number(op.status), `${id}: ${JSON.stringify(op)}`).toBeGreaterThanOrEqual(400);
      if (op.response) expect(op.response.schemas).toContain(ERROR_URN);
    }
  });

  it('an operation on an unknown id reports 404 for that operation', async () => {
    const res = await bulk([{ method: 'DELETE', path: '/Users/00000000-0000-0000-0000-000000000000' }]);
    expectStatus(res, 200);
    expect(status(res.body.Operations[0])).toBe('404');
  });
});

describe('RFC 7644 §3.7.4 limits', () => {
  it('more than maxOperations operations: 413 with a SCIM error, nothing performed', async () => {
    const { bulk: limits } = await serviceProviderConfig();
    const p = tag('bmax');
    const ops = Array.from({ length: limits.maxOperations + 1 }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `b${i}`,
      data: { schemas: [USER_URN], userName: `${p}-${i}` },
    }));
    const res = await bulk(ops);
    expectScimError(res, 413);
    const total = await scim('GET', `/Users?filter=${encodeURIComponent(`userName sw "${p}"`)}&count=0`);
    expect(total.body.totalResults).toBe(0);
  }, 30_000);

  it('exactly maxOperations operations are accepted', async () => {
    const { bulk: limits } = await serviceProviderConfig();
    const p = tag('bok');
    const ops = Array.from({ length: limits.maxOperations }, (_, i) => ({
      method: 'DELETE',
      path: `/Users/missing-${p}-${i}`,
    }));
    const res = await bulk(ops);
    expectStatus(res, 200);
    expect(res.body.Operations.length).toBe(limits.maxOperations);
  }, 30_000);

  it('a payload larger than maxPayloadSize: 413 with a SCIM error', async () => {
    const { bulk: limits } = await serviceProviderConfig();
    const userName = tag('bbig');
    const pad = 'x'.repeat(limits.maxPayloadSize + 1024);
    const res = await bulk([{ method: 'POST', path: '/Users', bulkId: 'big', data: { schemas: [USER_URN], userName, title: pad } }]);
    expectScimError(res, 413);
    expect(await findUsers(`userName eq "${userName}"`)).toHaveLength(0);
  });

  it('a malformed BulkRequest is 400 invalidSyntax', async () => {
    expectScimError(
      await scim('POST', '/Bulk', undefined, { raw: '{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[' }),
      400,
      'invalidSyntax',
    );
  });
});
