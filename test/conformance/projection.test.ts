/**
 * Projection: RFC 7644 §3.4.2.5 (`attributes`, `excludedAttributes`) and §3.9 (the same
 * parameters on POST / PUT / PATCH responses), with RFC 7643 §7 `returned` semantics:
 * `always` (id) is returned whatever is asked, `never` (password) is never returned.
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE_URN, USER_URN, createGroup, createUser, scim } from '../helpers/scim';
import { expectList, expectStatus, getGroup, getUser, patchBody, qs, tag } from './support';

async function richUser(): Promise<any> {
  return createUser(tag('proj'), {
    schemas: [USER_URN, ENTERPRISE_URN],
    displayName: 'Proj User',
    title: 'Analyst',
    name: { givenName: 'Pat', familyName: 'Roe' },
    emails: [{ type: 'work', value: 'pat@example.com', primary: true }],
    password: 'n3ver-Returned',
    [ENTERPRISE_URN]: { employeeNumber: '42', department: 'Ops' },
  });
}

describe('RFC 7644 §3.4.2.5 attributes', () => {
  it('returns only the requested attributes plus id and schemas', async () => {
    const u = await richUser();
    const got = await getUser(u.id, '?attributes=userName');
    expect(got.id).toBe(u.id);
    expect(got.schemas).toContain(USER_URN);
    expect(got.userName).toBe(u.userName);
    for (const absent of ['displayName', 'title', 'name', 'emails', 'active', ENTERPRISE_URN, 'password']) expect(got[absent], absent).toBeUndefined();
  });

  it('accepts several attributes, case-insensitively', async () => {
    const u = await richUser();
    const got = await getUser(u.id, '?attributes=USERNAME,Title');
    expect(got.userName).toBe(u.userName);
    expect(got.title).toBe('Analyst');
    expect(got.displayName).toBeUndefined();
  });

  it('a sub-attribute returns only that part of the complex attribute', async () => {
    const u = await richUser();
    const got = await getUser(u.id, '?attributes=name.givenName');
    expect(got.name).toEqual({ givenName: 'Pat' });
    const emails = await getUser(u.id, '?attributes=emails.value');
    expect(emails.emails).toEqual([{ value: 'pat@example.com' }]);
  });

  it('a URN-qualified extension attribute', async () => {
    const u = await richUser();
    const one = await getUser(u.id, `?attributes=${encodeURIComponent(`${ENTERPRISE_URN}:employeeNumber`)}`);
    expect(one[ENTERPRISE_URN]).toEqual({ employeeNumber: '42' });
    expect(one.userName).toBeUndefined();
    const whole = await getUser(u.id, `?attributes=${encodeURIComponent(ENTERPRISE_URN)}`);
    expect(whole[ENTERPRISE_URN]).toEqual({ employeeNumber: '42', department: 'Ops' });
  });

  it('applies to every resource of a list', async () => {
    const u = await richUser();
    const res = await scim('GET', `/Users${qs({ filter: `id eq "${u.id}"`, attributes: 'displayName' })}`);
    const [only] = expectList(res);
    expect(only.id).toBe(u.id);
    expect(only.displayName).toBe('Proj User');
    expect(only.userName).toBeUndefined();
    expect(only.title).toBeUndefined();
  });

  it('never returns password, even when asked for (returned: never)', async () => {
    const u = await richUser();
    const got = await scim('GET', `/Users/${u.id}?attributes=password`);
    expectStatus(got, 200);
    expect(got.body.password).toBeUndefined();
    expect(got.body.id).toBe(u.id);
    expect(got.text).not.toContain('n3ver-Returned');
  });
});

describe('RFC 7644 §3.4.2.5 excludedAttributes', () => {
  it('leaves out the named attributes and keeps the rest', async () => {
    const u = await richUser();
    const got = await getUser(u.id, '?excludedAttributes=emails,title');
    expect(got.emails).toBeUndefined();
    expect(got.title).toBeUndefined();
    expect(got.userName).toBe(u.userName);
    expect(got.displayName).toBe('Proj User');
  });

  it('cannot exclude id (returned: always)', async () => {
    const u = await richUser();
    const got = await getUser(u.id, '?excludedAttributes=id,userName');
    expect(got.id).toBe(u.id);
    expect(got.userName).toBeUndefined();
  });

  it('excludes a sub-attribute only', async () => {
    const u = await richUser();
    const got = await getUser(u.id, '?excludedAttributes=name.familyName');
    expect(got.name).toEqual({ givenName: 'Pat' });
  });

  it('excludes an extension attribute by URN', async () => {
    const u = await richUser();
    const got = await getUser(u.id, `?excludedAttributes=${encodeURIComponent(`${ENTERPRISE_URN}:department`)}`);
    expect(got[ENTERPRISE_URN]).toEqual({ employeeNumber: '42' });
  });

  it("excludes a user's groups", async () => {
    const u = await createUser(tag('xg'));
    await createGroup(tag('XG'), { members: [{ value: u.id }] });
    expect((await getUser(u.id)).groups).toHaveLength(1);
    const got = await getUser(u.id, '?excludedAttributes=groups');
    expect(got.groups).toBeUndefined();
  });

  it("excludes a group's members (on GET and on list)", async () => {
    const u = await createUser(tag('xm'));
    const g = await createGroup(tag('XM'), { members: [{ value: u.id }] });
    const got = await getGroup(g.id, '?excludedAttributes=members');
    expect(got.members).toBeUndefined();
    expect(got.displayName).toBe(g.displayName);
    const listed = expectList(await scim('GET', `/Groups${qs({ filter: `id eq "${g.id}"`, excludedAttributes: 'members' })}`));
    expect(listed[0].members).toBeUndefined();
    expect(listed[0].displayName).toBe(g.displayName);
  });
});

describe('RFC 7644 §3.9 projection of write responses', () => {
  it('POST /Users?attributes=userName returns only userName and id', async () => {
    const res = await scim('POST', '/Users?attributes=userName', { schemas: [USER_URN], userName: tag('pp'), title: 'Hidden' });
    expectStatus(res, 201);
    expect(res.body.id).toBeTruthy();
    expect(res.body.userName).toBeTruthy();
    expect(res.body.title).toBeUndefined();
  });

  it('PUT with excludedAttributes', async () => {
    const u = await richUser();
    const res = await scim('PUT', `/Users/${u.id}?excludedAttributes=name`, {
      schemas: [USER_URN],
      userName: u.userName,
      name: { givenName: 'X' },
      title: 'T',
    });
    expectStatus(res, 200);
    expect(res.body.name).toBeUndefined();
    expect(res.body.title).toBe('T');
  });

  it('PATCH /Users with attributes', async () => {
    const u = await richUser();
    const res = await scim('PATCH', `/Users/${u.id}?attributes=title`, patchBody({ op: 'replace', path: 'title', value: 'Lead' }));
    expectStatus(res, 200);
    expect(res.body.title).toBe('Lead');
    expect(res.body.displayName).toBeUndefined();
  });
});
