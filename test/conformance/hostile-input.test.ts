/**
 * Bad input must be refused without changing stored data: RFC 7644 §3.12 (invalidSyntax,
 * invalidValue, invalidFilter, tooMany), §3.5.2 (a failed PATCH leaves the resource unchanged)
 * and §7 security considerations. After every refused request the existing resource is read back
 * and must be byte-for-byte the same, with the same meta.version.
 */
import { describe, expect, it } from 'vitest';
import { GROUP_URN, SEARCH_URN, USER_URN, createGroup, createUser, scim } from '../helpers/scim';
import { expectScimError, expectStatus, findUsers, getGroup, getUser, patchBody, qs, snapshot, tag } from './support';

async function victim(): Promise<{ user: any; before: string }> {
  const user = await createUser(tag('victim'), {
    title: 'Original',
    active: true,
    name: { givenName: 'Vic', familyName: 'Tim' },
    emails: [{ type: 'work', value: 'vic@example.com', primary: true }],
  });
  return { user, before: snapshot(await getUser(user.id)) };
}

async function expectUnchanged(v: { user: any; before: string }): Promise<void> {
  const after = await getUser(v.user.id);
  expect(after.meta.version).toBe(v.user.meta.version);
  expect(snapshot(after)).toBe(v.before);
}

function nested(depth: number, leaf: string): string {
  return '['.repeat(depth) + leaf + ']'.repeat(depth);
}

describe('malformed bodies change nothing', () => {
  it('malformed JSON on PUT: 400 invalidSyntax', async () => {
    const v = await victim();
    expectScimError(await scim('PUT', `/Users/${v.user.id}`, undefined, { raw: '{"userName": "x", "title": "Changed"' }), 400, 'invalidSyntax');
    await expectUnchanged(v);
  });

  it('malformed JSON on PATCH: 400 invalidSyntax', async () => {
    const v = await victim();
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, undefined, { raw: '{"Operations": [{"op": "replace", "path": "title", "value": "Changed"}' }), 400, 'invalidSyntax');
    await expectUnchanged(v);
  });

  it('deeply nested JSON (10,000 levels): 400', async () => {
    const v = await victim();
    const raw = `{"schemas":["${USER_URN}"],"userName":"${v.user.userName}","title":${nested(10_000, '"x"')}}`;
    const put = await scim('PUT', `/Users/${v.user.id}`, undefined, { raw });
    expectScimError(put, 400);
    const patch = await scim('PATCH', `/Users/${v.user.id}`, undefined, {
      raw: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":${nested(10_000, '"x"')}}]}`,
    });
    expectScimError(patch, 400);
    await expectUnchanged(v);
  });

  it('a 2 MB body: 413 or 400, and nothing is stored', async () => {
    const v = await victim();
    const big = 'x'.repeat(2 * 1024 * 1024);
    const put = await scim('PUT', `/Users/${v.user.id}`, { schemas: [USER_URN], userName: v.user.userName, title: big });
    expect([400, 413]).toContain(put.status);
    expectScimError(put, put.status);
    await expectUnchanged(v);
    const userName = tag('huge');
    const post = await scim('POST', '/Users', { schemas: [USER_URN], userName, displayName: big });
    expect([400, 413]).toContain(post.status);
    expect(await findUsers(`userName eq "${userName}"`)).toHaveLength(0);
  });
});

describe('wrongly typed values: 400 invalidValue and nothing changes', () => {
  it('active: "maybe" on PUT and PATCH', async () => {
    const v = await victim();
    expectScimError(await scim('PUT', `/Users/${v.user.id}`, { schemas: [USER_URN], userName: v.user.userName, active: 'maybe' }), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'replace', path: 'active', value: 'maybe' })), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'replace', value: { active: 'maybe' } })), 400, 'invalidValue');
    await expectUnchanged(v);
  });

  it('userName: 42 on PUT and PATCH', async () => {
    const v = await victim();
    expectScimError(await scim('PUT', `/Users/${v.user.id}`, { schemas: [USER_URN], userName: 42 }), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'replace', path: 'userName', value: 42 })), 400, 'invalidValue');
    await expectUnchanged(v);
  });

  it('a complex attribute given a string, a multi-valued one given an object of the wrong shape', async () => {
    const v = await victim();
    expectScimError(await scim('PUT', `/Users/${v.user.id}`, { schemas: [USER_URN], userName: v.user.userName, name: 'Vic Tim' }), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'add', path: 'emails', value: [{ value: 7 }] })), 400, 'invalidValue');
    await expectUnchanged(v);
  });

  it('clearing the required userName (null or remove): 400', async () => {
    const v = await victim();
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'replace', path: 'userName', value: null })), 400);
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'remove', path: 'userName' })), 400);
    await expectUnchanged(v);
  });

  it('a PATCH whose Operations is not an array', async () => {
    const v = await victim();
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: { op: 'replace', path: 'title', value: 'x' } }), 400);
    await expectUnchanged(v);
  });

  it('a group member that is not a string', async () => {
    const g = await createGroup(tag('HG'));
    const before = snapshot(await getGroup(g.id));
    expectScimError(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: { id: 1 } }] })), 400, 'invalidValue');
    expectScimError(await scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP_URN], displayName: 12 }), 400, 'invalidValue');
    expect(snapshot(await getGroup(g.id))).toBe(before);
  });
});

describe('hostile filters are refused cleanly', () => {
  it('10,000 nested parentheses: 400 invalidFilter (or tooMany)', async () => {
    const v = await victim();
    const filter = `${'('.repeat(10_000)}userName eq "${v.user.userName}"${')'.repeat(10_000)}`;
    expectScimError(await scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter }), 400, ['invalidFilter', 'tooMany']);
    const viaGet = `${'('.repeat(2_000)}userName eq "x"${')'.repeat(2_000)}`;
    expectScimError(await scim('GET', `/Users${qs({ filter: viaGet })}`), 400, ['invalidFilter', 'tooMany']);
    await expectUnchanged(v);
  });

  it('10,000 nested not(): 400 invalidFilter (or tooMany)', async () => {
    const filter = `${'not ('.repeat(10_000)}userName pr${')'.repeat(10_000)}`;
    expectScimError(await scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter }), 400, ['invalidFilter', 'tooMany']);
  });

  it('a filter with too many terms: 400 invalidFilter or tooMany', async () => {
    const filter = Array.from({ length: 1000 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expectScimError(await scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter }), 400, ['invalidFilter', 'tooMany']);
  });

  it('a deeply nested PATCH value-path filter: 400', async () => {
    const v = await victim();
    const path = `emails[${'('.repeat(5_000)}type eq "work"${')'.repeat(5_000)}].value`;
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'replace', path, value: 'evil@example.com' })), 400, ['invalidPath', 'invalidFilter', 'tooMany']);
    await expectUnchanged(v);
  });

  it('SQL-looking values are just values', async () => {
    const v = await victim();
    for (const value of [`x" or "1"="1`, `'; DROP TABLE users; --`, '%', '_', '\\', '\u0000']) {
      const res = await scim('GET', `/Users${qs({ filter: `userName eq ${JSON.stringify(value)}` })}`);
      expect([200, 400]).toContain(res.status);
      if (res.status === 200) expect(res.body.totalResults).toBe(0);
    }
    await expectUnchanged(v);
    expect((await findUsers(`userName eq "${v.user.userName}"`)).map((r) => r.id)).toEqual([v.user.id]);
  });

  it('huge startIndex and count are harmless', async () => {
    const res = await scim('GET', '/Users?startIndex=1000000000000&count=1000000000000');
    expectStatus(res, 200);
    expect(res.body.Resources ?? []).toEqual([]);
  });
});
