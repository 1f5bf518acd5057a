/**
 * A group of 50,000 members: membership PATCHes are deltas over indexed rows, so adding and
 * removing one member is correct and idempotent however large the group is, and the group is
 * never re-read into memory (the PATCH answers 204). Users and memberships are seeded with SQL
 * for speed; everything under test goes through the SCIM API. Storage is shared by the tests of
 * this file, so counts are taken relative to the state each test starts from.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { PATCH_URN, createGroup, createUser, scim } from '../helpers/scim';

const SIZE = 50_000;
let group: { id: string };

async function memberCount(groupId: string): Promise<number> {
  const row = await env.DB.prepare('SELECT count(*) AS n FROM group_members m JOIN groups g ON g.pk = m.group_pk WHERE g.id = ?')
    .bind(groupId)
    .first<{ n: number }>();
  return row!.n;
}

beforeAll(async () => {
  group = await createGroup('everyone');
  // 50,000 users and their memberships, generated inside SQLite.
  await env.DB.batch([
    env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO users (id, user_name, user_name_lower, active, created, last_modified, version, data)
       SELECT 'seed-' || i, 'seed' || i || '@example.com', 'seed' || i || '@example.com', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1,
              json_object('userName', 'seed' || i || '@example.com', 'active', json('true'))
         FROM n`,
    ).bind(SIZE),
    env.DB.prepare(
      `INSERT INTO group_members (group_pk, member_id, member_type)
       SELECT (SELECT pk FROM groups WHERE id = ?), id, 'User' FROM users WHERE id LIKE 'seed-%'`,
    ).bind(group.id),
  ]);
});

const patch = (ops: unknown[], query = '') => scim('PATCH', `/Groups/${group.id}${query}`, { schemas: [PATCH_URN], Operations: ops });

describe('a group of 50,000 members', () => {
  it('adds one member with a PATCH delta, idempotently, answering 204 with the new ETag', async () => {
    const user = await createUser('newcomer@example.com');
    expect(await memberCount(group.id)).toBe(SIZE);
    const first = await patch([{ op: 'add', path: 'members', value: [{ value: user.id }] }]);
    expect(first.status).toBe(204);
    expect(first.headers.get('etag')).toMatch(/^W\/"\d+"$/);
    expect(await memberCount(group.id)).toBe(SIZE + 1);
    const again = await patch([{ op: 'add', path: 'members', value: [{ value: user.id }] }]);
    expect(again.status).toBe(204);
    expect(await memberCount(group.id)).toBe(SIZE + 1);
    const fetched = await scim('GET', `/Users/${user.id}`);
    expect(fetched.body.groups).toEqual([expect.objectContaining({ value: group.id, display: 'everyone' })]);
  });

  it('removes one member by value filter and by value list (Entra ID), idempotently', async () => {
    const start = await memberCount(group.id);
    const byFilter = await patch([{ op: 'remove', path: 'members[value eq "seed-17"]' }]);
    expect(byFilter.status).toBe(204);
    expect(await memberCount(group.id)).toBe(start - 1);
    const byList = await patch([{ op: 'Remove', path: 'members', value: [{ value: 'seed-18' }] }]);
    expect(byList.status).toBe(204);
    expect(await memberCount(group.id)).toBe(start - 2);
    const again = await patch([{ op: 'Remove', path: 'members', value: [{ value: 'seed-18' }] }]);
    expect(again.status).toBe(204);
    expect(await memberCount(group.id)).toBe(start - 2);
  });

  it('lists the group without members when asked (excludedAttributes=members)', async () => {
    const res = await scim('GET', `/Groups/${group.id}?excludedAttributes=members`);
    expect(res.status).toBe(200);
    expect(res.body.members).toBeUndefined();
    expect(res.body.displayName).toBe('everyone');
  });

  it('returns every member on a full GET', async () => {
    const res = await scim('GET', `/Groups/${group.id}`);
    expect(res.status).toBe(200);
    expect(res.body.members).toHaveLength(await memberCount(group.id));
    expect(res.body.members.length).toBeGreaterThanOrEqual(SIZE - 2);
    expect(res.body.members[0]).toEqual(expect.objectContaining({ value: 'seed-1', type: 'User', display: 'seed1@example.com' }));
  });

  it('finds the group by one member in a filter, through the membership index', async () => {
    const res = await scim('GET', `/Groups?filter=${encodeURIComponent('members[value eq "seed-49999"]')}&excludedAttributes=members`);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(group.id);
  });

  it('rejects adding a member that does not exist, and changes nothing', async () => {
    const before = await scim('GET', `/Groups/${group.id}?attributes=displayName`);
    const res = await patch([{ op: 'add', path: 'members', value: [{ value: 'no-such-user' }] }]);
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidValue');
    const count = await memberCount(group.id);
    const res2 = await patch([{ op: 'add', path: 'members', value: [{ value: 'seed-1' }, { value: 'no-such-user' }] }]);
    expect(res2.status).toBe(400);
    const after = await scim('GET', `/Groups/${group.id}?attributes=displayName`);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(await memberCount(group.id)).toBe(count);
  });
});
