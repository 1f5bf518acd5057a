/**
 * PATCH: RFC 7644 §3.5.2 — add (§3.5.2.1), remove (§3.5.2.2), replace (§3.5.2.3), with and
 * without `path`, value-path filters, sub-attributes, extension URN paths, multi-valued
 * attributes, atomicity, mutability, and the PATCH-specific errors of §3.12 (noTarget,
 * invalidPath, mutability). Design choice asserted: PATCH on /Users answers 200 with the resource.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ENTERPRISE_URN, USER_URN, createGroup, createUser, scim } from '../helpers/scim';
import { expectScimContentType, expectScimError, expectStatus, getUser, patchBody, tag } from './support';

async function patchUser(id: string, ...ops: unknown[]) {
  return scim('PATCH', `/Users/${id}`, patchBody(...ops));
}

async function patched(id: string, ...ops: unknown[]): Promise<any> {
  const res = await patchUser(id, ...ops);
  expectStatus(res, 200);
  return res.body;
}

async function person(extra: Record<string, unknown> = {}): Promise<any> {
  return createUser(tag('patch'), {
    schemas: [USER_URN, ENTERPRISE_URN],
    title: 'Engineer',
    name: { givenName: 'Ann', familyName: 'Lee', middleName: 'Q' },
    emails: [
      { type: 'work', value: 'ann@work.example', primary: true },
      { type: 'home', value: 'ann@home.example' },
    ],
    [ENTERPRISE_URN]: { employeeNumber: '7', department: 'Ops' },
    ...extra,
  });
}

const emailsOf = (u: any) => ((u.emails ?? []) as any[]).map((e) => `${e.type}:${e.value}`).sort();

describe('RFC 7644 §3.5.2 response', () => {
  it('returns 200 with the full resource, a new ETag and a new meta.version', async () => {
    const u = await person();
    const res = await patchUser(u.id, { op: 'replace', path: 'title', value: 'Lead' });
    expectStatus(res, 200);
    expectScimContentType(res);
    expect(res.body.id).toBe(u.id);
    expect(res.body.userName).toBe(u.userName);
    expect(res.body.title).toBe('Lead');
    expect(res.body.meta.version).not.toBe(u.meta.version);
    expect(res.headers.get('etag')).toBe(res.body.meta.version);
    expect((await getUser(u.id)).title).toBe('Lead');
  });

  it('answers a PATCH to an unknown id with 404', async () => {
    expectScimError(await patchUser('00000000-0000-0000-0000-000000000000', { op: 'replace', path: 'title', value: 'x' }), 404);
  });
});

describe('RFC 7644 §3.5.2.1 add', () => {
  it('adds a single-valued attribute by path', async () => {
    const u = await person();
    expect((await patched(u.id, { op: 'add', path: 'nickName', value: 'Annie' })).nickName).toBe('Annie');
  });

  it('add on a single-valued attribute that has a value replaces it', async () => {
    const u = await person();
    expect((await patched(u.id, { op: 'add', path: 'title', value: 'Architect' })).title).toBe('Architect');
  });

  it('adds without path: the value is an object of attributes', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'add', value: { nickName: 'Annie', displayName: 'Ann Lee' } });
    expect(body.nickName).toBe('Annie');
    expect(body.displayName).toBe('Ann Lee');
    expect(body.title).toBe('Engineer');
  });

  it('adds to a multi-valued attribute: new values are appended', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'add', path: 'emails', value: [{ type: 'other', value: 'ann@other.example' }] });
    expect(emailsOf(body)).toEqual(['home:ann@home.example', 'other:ann@other.example', 'work:ann@work.example']);
  });

  it('adds to a complex attribute: sub-attributes merge', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'add', path: 'name', value: { honorificPrefix: 'Dr.' } });
    expect(body.name).toEqual({ givenName: 'Ann', familyName: 'Lee', middleName: 'Q', honorificPrefix: 'Dr.' });
  });

  it('adds an extension attribute by URN path', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'add', path: `${ENTERPRISE_URN}:costCenter`, value: 'CC-1' });
    expect(body[ENTERPRISE_URN]).toEqual({ employeeNumber: '7', department: 'Ops', costCenter: 'CC-1' });
  });

  it('adds an extension object without path: sub-attributes merge', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'add', value: { [ENTERPRISE_URN]: { division: 'North' } } });
    expect(body[ENTERPRISE_URN]).toEqual({ employeeNumber: '7', department: 'Ops', division: 'North' });
  });

  it('a new primary value clears primary on the others (RFC 7644 §3.5.2)', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'add', path: 'emails', value: [{ type: 'other', value: 'new@primary.example', primary: true }] });
    const primaries = (body.emails as any[]).filter((e) => e.primary === true).map((e) => e.value);
    expect(primaries).toEqual(['new@primary.example']);
  });

  it('attribute names inside a pathless value are case-insensitive (RFC 7643 §2.1)', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'replace', value: { Title: 'Boss', NAME: { FamilyName: 'Oh' } } });
    expect(body.title).toBe('Boss');
    expect(body.name.familyName).toBe('Oh');
    expect(body.Title).toBeUndefined();
  });

  it('attribute names in path are case-insensitive', async () => {
    const u = await person();
    expect((await patched(u.id, { op: 'add', path: 'NickName', value: 'Case' })).nickName).toBe('Case');
  });
});

describe('RFC 7644 §3.5.2.3 replace', () => {
  it('replaces a sub-attribute by path', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'replace', path: 'name.familyName', value: 'Park' });
    expect(body.name).toEqual({ givenName: 'Ann', familyName: 'Park', middleName: 'Q' });
  });

  it('replace of a complex attribute leaves unnamed sub-attributes unchanged', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'replace', path: 'name', value: { givenName: 'Anne' } });
    expect(body.name).toEqual({ givenName: 'Anne', familyName: 'Lee', middleName: 'Q' });
  });

  it('replaces a whole multi-valued attribute', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'replace', path: 'emails', value: [{ type: 'work', value: 'only@work.example' }] });
    expect(emailsOf(body)).toEqual(['work:only@work.example']);
  });

  it('replaces a sub-attribute of the elements selected by a value filter', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'replace', path: 'emails[type eq "work"].value', value: 'ann@new-work.example' });
    expect(emailsOf(body)).toEqual(['home:ann@home.example', 'work:ann@new-work.example']);
  });

  it('replaces the elements selected by a value filter', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'replace', path: 'emails[type eq "home"]', value: { type: 'home', value: 'ann@new-home.example' } });
    expect(emailsOf(body)).toEqual(['home:ann@new-home.example', 'work:ann@work.example']);
  });

  it('replace with a value filter that matches nothing: 400 noTarget', async () => {
    const u = await person();
    expectScimError(await patchUser(u.id, { op: 'replace', path: 'emails[type eq "pager"].value', value: 'x@y.example' }), 400, 'noTarget');
  });

  it('replaces without path: several attributes at once', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'replace', value: { title: 'CTO', active: false, name: { familyName: 'Kim' } } });
    expect(body.title).toBe('CTO');
    expect(body.active).toBe(false);
    expect(body.name).toEqual({ givenName: 'Ann', familyName: 'Kim', middleName: 'Q' });
  });

  it('replaces an extension attribute by URN path', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'replace', path: `${ENTERPRISE_URN}:department`, value: 'Finance' });
    expect(body[ENTERPRISE_URN].department).toBe('Finance');
    expect(body[ENTERPRISE_URN].employeeNumber).toBe('7');
  });

  it('replaces the enterprise manager by sub-attribute path', async () => {
    const boss = await createUser(tag('boss'));
    const u = await person();
    const body = await patched(u.id, { op: 'replace', path: `${ENTERPRISE_URN}:manager.value`, value: boss.id });
    expect(body[ENTERPRISE_URN].manager.value).toBe(boss.id);
  });

  it('replace on an unassigned attribute adds it', async () => {
    const u = await person();
    expect((await patched(u.id, { op: 'replace', path: 'profileUrl', value: 'https://example.com/ann' })).profileUrl).toBe('https://example.com/ann');
  });

  it("changing userName to another user's (case-insensitively) is 409 uniqueness", async () => {
    const other = await createUser(tag('Taken'));
    const u = await person();
    expectScimError(await patchUser(u.id, { op: 'replace', path: 'userName', value: other.userName.toUpperCase() }), 409, 'uniqueness');
  });
});

describe('RFC 7644 §3.5.2.2 remove', () => {
  it('removes a single-valued attribute', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'remove', path: 'title' });
    expect(body.title).toBeUndefined();
    expect((await getUser(u.id)).title).toBeUndefined();
  });

  it('removes a sub-attribute', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'remove', path: 'name.middleName' });
    expect(body.name).toEqual({ givenName: 'Ann', familyName: 'Lee' });
  });

  it('removes the values matched by a value filter, keeping the others', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'remove', path: 'emails[type eq "home"]' });
    expect(emailsOf(body)).toEqual(['work:ann@work.example']);
  });

  it('removes values matched by a complex value filter', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'remove', path: 'emails[type eq "work" and value ew "@work.example"]' });
    expect(emailsOf(body)).toEqual(['home:ann@home.example']);
  });

  it('removes a whole multi-valued attribute', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'remove', path: 'emails' });
    expect(body.emails ?? []).toEqual([]);
  });

  it('removing the last matching value leaves the attribute unassigned', async () => {
    const u = await createUser(tag('lastmail'), { emails: [{ type: 'work', value: 'solo@example.com' }] });
    const body = await patched(u.id, { op: 'remove', path: 'emails[value eq "solo@example.com"]' });
    expect(body.emails ?? []).toEqual([]);
  });

  it('removes an extension attribute by URN path', async () => {
    const u = await person();
    const body = await patched(u.id, { op: 'remove', path: `${ENTERPRISE_URN}:department` });
    expect(body[ENTERPRISE_URN]).toEqual({ employeeNumber: '7' });
  });

  it('remove without path: 400 noTarget', async () => {
    const u = await person();
    expectScimError(await patchUser(u.id, { op: 'remove' }), 400, 'noTarget');
  });

  it('remove with a value filter that matches nothing: 400 noTarget (RFC 7644 §3.12 Table 9)', async () => {
    const u = await person();
    expectScimError(await patchUser(u.id, { op: 'remove', path: 'emails[type eq "pager"]' }), 400, 'noTarget');
    expect(emailsOf(await getUser(u.id))).toEqual(['home:ann@home.example', 'work:ann@work.example']);
  });
});

describe('RFC 7644 §3.5.2 operations in sequence and atomically', () => {
  it('applies operations in order', async () => {
    const u = await person();
    const body = await patched(
      u.id,
      { op: 'remove', path: 'emails' },
      { op: 'add', path: 'emails', value: [{ type: 'work', value: 'a@x.example' }] },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'b@x.example' },
    );
    expect(emailsOf(body)).toEqual(['work:b@x.example']);
  });

  it('is atomic: one failing operation leaves the resource and its version unchanged', async () => {
    const u = await person();
    const res = await patchUser(u.id, { op: 'replace', path: 'title', value: 'Changed' }, { op: 'replace', path: 'emails[type eq "pager"].value', value: 'x' });
    expectScimError(res, 400, 'noTarget');
    const after = await getUser(u.id);
    expect(after.title).toBe('Engineer');
    expect(after.meta.version).toBe(u.meta.version);
  });
});

describe('RFC 7644 §3.5.2 / §3.12 errors', () => {
  it('replacing id (readOnly) is 400 mutability', async () => {
    const u = await person();
    expectScimError(await patchUser(u.id, { op: 'replace', path: 'id', value: 'other' }), 400, 'mutability');
    expect((await getUser(u.id)).id).toBe(u.id);
  });

  it('replacing meta.created (readOnly) is 400 mutability', async () => {
    const u = await person();
    expectScimError(await patchUser(u.id, { op: 'replace', path: 'meta.created', value: '1999-01-01T00:00:00Z' }), 400, 'mutability');
  });

  it('a malformed path is 400 invalidPath', async () => {
    const u = await person();
    for (const path of ['emails[type eq "work"', 'name..givenName', 'emails[type eq "work"]]']) {
      expectScimError(await patchUser(u.id, { op: 'replace', path, value: 'x' }), 400, 'invalidPath');
    }
  });

  it('an unknown op is 400 (invalidSyntax or invalidValue)', async () => {
    const u = await person();
    expectScimError(await patchUser(u.id, { op: 'move', path: 'title', value: 'x' }), 400, ['invalidSyntax', 'invalidValue']);
  });

  it('a body without Operations is 400 (invalidSyntax or invalidValue)', async () => {
    const u = await person();
    const res = await scim('PATCH', `/Users/${u.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] });
    expectScimError(res, 400, ['invalidSyntax', 'invalidValue']);
  });

  it('add without a value is 400 (invalidSyntax or invalidValue)', async () => {
    const u = await person();
    expectScimError(await patchUser(u.id, { op: 'add', path: 'title' }), 400, ['invalidSyntax', 'invalidValue']);
  });
});

/** Change rows the directory wrote for one resource (what provisioning pushes to targets). */
async function changeCount(id: string): Promise<number> {
  return (await env.DB.prepare('SELECT count(*) AS n FROM changes WHERE resource_id = ?').bind(id).first<{ n: number }>())!.n;
}

describe('RFC 7644 §3.5.2.1 a PATCH that changes nothing', () => {
  it('keeps meta.version and writes no change row: a value set to what it is, re-added, or removed when absent', async () => {
    const user = await createUser(tag('same'), {
      title: 'Engineer',
      emails: [{ type: 'work', value: 'same@example.com', primary: true }],
      name: { givenName: 'Ada' },
    });
    const changes = await changeCount(user.id);
    for (const ops of [
      [{ op: 'replace', path: 'title', value: 'Engineer' }],
      [{ op: 'add', path: 'title', value: 'Engineer' }],
      [{ op: 'replace', value: { title: 'Engineer', name: { givenName: 'Ada' } } }],
      [{ op: 'add', path: 'emails', value: [{ type: 'work', value: 'same@example.com' }] }],
      [{ op: 'remove', path: 'nickName' }],
      [
        { op: 'replace', path: 'title', value: 'Other' },
        { op: 'replace', path: 'title', value: 'Engineer' },
      ],
    ]) {
      const res = await patchUser(user.id, ...ops);
      expectStatus(res, 200);
      expect(res.body.meta.version, JSON.stringify(ops)).toBe(user.meta.version);
      expect(res.headers.get('etag')).toBe(user.meta.version);
    }
    expect(await changeCount(user.id)).toBe(changes);
    // A real change still counts.
    expect((await patched(user.id, { op: 'replace', path: 'title', value: 'Lead' })).meta.version).not.toBe(user.meta.version);
    expect(await changeCount(user.id)).toBe(changes + 1);
  });

  it('a group: adding a member it has or removing one it lacks keeps its version and writes no change row', async () => {
    const member = await createUser(tag('m'));
    const outsider = await createUser(tag('o'));
    const group = await createGroup(tag('G'), { members: [{ value: member.id }] });
    const changes = await changeCount(group.id);
    for (const op of [
      { op: 'add', path: 'members', value: [{ value: member.id }] },
      { op: 'remove', path: `members[value eq "${outsider.id}"]` },
      { op: 'replace', path: 'displayName', value: group.displayName },
    ]) {
      const res = await scim('PATCH', `/Groups/${group.id}`, patchBody(op));
      expectStatus(res, 204);
      expect(res.headers.get('etag'), JSON.stringify(op)).toBe(group.meta.version);
    }
    expect(await changeCount(group.id)).toBe(changes);
  });
});
