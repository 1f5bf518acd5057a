/**
 * D1's own limits, met through the SCIM API: at most 100 bound parameters per statement and at
 * most five terms per compound SELECT. Writes of many members or many emails are chunked
 * multi-row VALUES; membership PATCHes that commute never fail each other.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PATCH_URN, createGroup, createUser, scim } from '../helpers/scim';

describe('writes that D1 must take in more than one statement', () => {
  it('adds 120 members in one PATCH', async () => {
    const users = await Promise.all(Array.from({ length: 120 }, (_, i) => createUser(`many-${i}@limits.test`)));
    const group = await createGroup('many');
    const res = await scim('PATCH', `/Groups/${group.id}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'add', path: 'members', value: users.map((u) => ({ value: u.id })) }],
    });
    expect(res.status, res.text).toBe(204);
    const got = await scim('GET', `/Groups/${group.id}`);
    expect(got.body.members).toHaveLength(120);
  });

  it('creates a group with 40 members and a user with 30 emails', async () => {
    const users = await Promise.all(Array.from({ length: 40 }, (_, i) => createUser(`forty-${i}@limits.test`)));
    const group = await createGroup('forty', { members: users.map((u) => ({ value: u.id })) });
    expect(group.members).toHaveLength(40);
    const emails = Array.from({ length: 30 }, (_, i) => ({ value: `alias${i}@limits.test`, type: i === 0 ? 'work' : 'other' }));
    const user = await createUser('aliases@limits.test', { emails });
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM user_values v JOIN users u ON u.pk = v.user_pk WHERE u.id = ? AND v.attr = 'emails'")
      .bind(user.id)
      .first<{ n: number }>();
    expect(rows!.n).toBe(30);
    const found = await scim('GET', `/Users?filter=${encodeURIComponent('emails.value eq "alias29@limits.test"')}`);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([user.id]);
  });

  it('eight concurrent membership PATCHes of one group all succeed', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => createUser(`race-${i}@limits.test`)));
    const group = await createGroup('race');
    const results = await Promise.all(
      users.map((u) => scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }] })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(204));
    const got = await scim('GET', `/Groups/${group.id}`);
    expect(got.body.members).toHaveLength(8);
    expect(got.body.meta.version).toBe('W/"9"');
  });
});
