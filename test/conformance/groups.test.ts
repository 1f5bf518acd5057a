/**
 * Groups and membership: RFC 7643 §4.2 (Group, `members`) and §4.1.2 (the User's `groups`,
 * readOnly and derived from Group membership), exercised through RFC 7644 §3.3–§3.6.
 * Design choice asserted here: PATCH on /Groups answers 204 with an ETag, or 200 with the
 * projected group when `attributes` / `excludedAttributes` is in the query.
 */
import { describe, expect, it } from 'vitest';
import { GROUP_URN, USER_URN, createGroup, createUser, scim } from '../helpers/scim';
import { expectList, expectScimContentType, expectScimError, expectStatus, getGroup, getUser, patchBody, qs, tag } from './support';

const memberIds = (group: any): string[] => ((group.members ?? []) as any[]).map((m) => m.value).sort();
const groupIds = (user: any): string[] => ((user.groups ?? []) as any[]).map((g) => g.value).sort();

describe('RFC 7643 §4.2 creating and reading groups', () => {
  it('creates a group: 201, Location = meta.location, resourceType Group, ETag = meta.version', async () => {
    const displayName = tag('Group ');
    const res = await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName });
    expectStatus(res, 201);
    expectScimContentType(res);
    expect(res.body.schemas).toContain(GROUP_URN);
    expect(res.body.displayName).toBe(displayName);
    expect(res.body.members ?? []).toEqual([]);
    expect(res.body.meta.resourceType).toBe('Group');
    expect(res.headers.get('location')).toBe(res.body.meta.location);
    expect(res.body.meta.location).toMatch(new RegExp(`/Groups/${res.body.id}$`));
    expect(res.headers.get('etag')).toBe(res.body.meta.version);
  });

  it('creates a group with members, and each member is listed by value', async () => {
    const alice = await createUser(tag('alice'));
    const bob = await createUser(tag('bob'));
    const res = await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName: tag('G'), members: [{ value: alice.id }, { value: bob.id }] });
    expectStatus(res, 201);
    expect(memberIds(res.body)).toEqual([alice.id, bob.id].sort());
    const got = await getGroup(res.body.id);
    expect(memberIds(got)).toEqual([alice.id, bob.id].sort());
    for (const m of got.members) {
      if (m.type !== undefined) expect(m.type).toBe('User');
      if (m.$ref !== undefined) expect(m.$ref).toMatch(new RegExp(`/Users/${m.value}$`));
    }
  });

  it('rejects a group without displayName: 400 invalidValue (RFC 7643 §4.2 displayName REQUIRED)', async () => {
    expectScimError(await scim('POST', '/Groups', { schemas: [GROUP_URN] }), 400, 'invalidValue');
  });

  it('lists groups and filters them by displayName (caseExact false)', async () => {
    const displayName = tag('Filtered Group ');
    const g = await createGroup(displayName);
    const list = expectList(await scim('GET', `/Groups${qs({ filter: `displayName eq "${displayName.toUpperCase()}"` })}`));
    expect(list.map((r) => r.id)).toEqual([g.id]);
    expect(list[0].displayName).toBe(displayName);
  });

  it('filters groups by members.value', async () => {
    const u = await createUser(tag('mv'));
    const g = await createGroup(tag('MV'), { members: [{ value: u.id }] });
    await createGroup(tag('MV-other'));
    const list = expectList(await scim('GET', `/Groups${qs({ filter: `members.value eq "${u.id}"` })}`));
    expect(list.map((r) => r.id)).toEqual([g.id]);
  });

  it('filters groups with a members value path', async () => {
    const u = await createUser(tag('mvp'));
    const g = await createGroup(tag('MVP'), { members: [{ value: u.id }] });
    const list = expectList(await scim('GET', `/Groups${qs({ filter: `members[value eq "${u.id}"]` })}`));
    expect(list.map((r) => r.id)).toEqual([g.id]);
  });

  it('answers an unknown group id with 404', async () => {
    expectScimError(await scim('GET', '/Groups/00000000-0000-0000-0000-000000000000'), 404);
  });
});

describe("RFC 7643 §4.1.2 the user's groups attribute is derived and readOnly", () => {
  it('shows direct memberships on the user', async () => {
    const u = await createUser(tag('m'));
    const displayName = tag('Derived ');
    const g = await createGroup(displayName, { members: [{ value: u.id }] });
    const got = await getUser(u.id);
    expect(groupIds(got)).toEqual([g.id]);
    const entry = got.groups[0];
    if (entry.display !== undefined) expect(entry.display).toBe(displayName);
    if (entry.type !== undefined) expect(entry.type).toBe('direct');
    if (entry.$ref !== undefined) expect(entry.$ref).toMatch(new RegExp(`/Groups/${g.id}$`));
  });

  it("follows a group rename in the user's groups[].display", async () => {
    const u = await createUser(tag('rn'));
    const g = await createGroup(tag('Old Name '), { members: [{ value: u.id }] });
    const renamed = tag('New Name ');
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: renamed })), 204);
    const entry = (await getUser(u.id)).groups[0];
    expect(entry.value).toBe(g.id);
    if (entry.display !== undefined) expect(entry.display).toBe(renamed);
  });

  it('ignores groups sent on POST /Users', async () => {
    const g = await createGroup(tag('RO'));
    const res = await scim('POST', '/Users', { schemas: [USER_URN], userName: tag('ro'), groups: [{ value: g.id }] });
    expectStatus(res, 201);
    expect(groupIds(await getUser(res.body.id))).toEqual([]);
    expect(memberIds(await getGroup(g.id))).toEqual([]);
  });

  it('ignores groups sent on PUT /Users, and keeps existing memberships', async () => {
    const u = await createUser(tag('roput'));
    const g1 = await createGroup(tag('Keep'), { members: [{ value: u.id }] });
    const g2 = await createGroup(tag('Other'));
    const res = await scim('PUT', `/Users/${u.id}`, { schemas: [USER_URN], userName: u.userName, groups: [{ value: g2.id }] });
    expectStatus(res, 200);
    expect(groupIds(await getUser(u.id))).toEqual([g1.id]);
  });

  it('rejects PATCH of groups on a user: 400 mutability', async () => {
    const u = await createUser(tag('ropatch'));
    const g = await createGroup(tag('RP'));
    const res = await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'add', path: 'groups', value: [{ value: g.id }] }));
    expectScimError(res, 400, 'mutability');
    expect(groupIds(await getUser(u.id))).toEqual([]);
  });

  it('filters users by groups.value', async () => {
    const u = await createUser(tag('gv'));
    await createUser(tag('gv-not'));
    const g = await createGroup(tag('GV'), { members: [{ value: u.id }] });
    const list = expectList(await scim('GET', `/Users${qs({ filter: `groups.value eq "${g.id}"` })}`));
    expect(list.map((r) => r.id)).toEqual([u.id]);
  });

  it('drops the group from users when the group is deleted', async () => {
    const u = await createUser(tag('gd'));
    const g = await createGroup(tag('Doomed'), { members: [{ value: u.id }] });
    expectStatus(await scim('DELETE', `/Groups/${g.id}`), 204);
    expectScimError(await scim('GET', `/Groups/${g.id}`), 404);
    expect(groupIds(await getUser(u.id))).toEqual([]);
  });

  it('drops the user from group members when the user is deleted', async () => {
    const u = await createUser(tag('ud'));
    const keep = await createUser(tag('uk'));
    const g = await createGroup(tag('Survivor'), { members: [{ value: u.id }, { value: keep.id }] });
    expectStatus(await scim('DELETE', `/Users/${u.id}`), 204);
    expect(memberIds(await getGroup(g.id))).toEqual([keep.id]);
  });
});

describe('RFC 7644 §3.5.2 membership changes with PATCH on /Groups', () => {
  it('adds members: 204 with an ETag that advances, and the user sees the group', async () => {
    const u = await createUser(tag('pa'));
    const g = await createGroup(tag('PA'));
    const res = await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: u.id }] }));
    expectStatus(res, 204);
    expect(res.text).toBe('');
    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(etag).not.toBe(g.meta.version);
    const got = await getGroup(g.id);
    expect(got.meta.version).toBe(etag);
    expect(memberIds(got)).toEqual([u.id]);
    expect(groupIds(await getUser(u.id))).toEqual([g.id]);
  });

  it('adding an existing member does not duplicate it', async () => {
    const u = await createUser(tag('dup'));
    const g = await createGroup(tag('Dup'), { members: [{ value: u.id }] });
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: u.id }] })), 204);
    expect(memberIds(await getGroup(g.id))).toEqual([u.id]);
  });

  it('removes one member with members[value eq "…"]', async () => {
    const a = await createUser(tag('ra'));
    const b = await createUser(tag('rb'));
    const g = await createGroup(tag('RM'), { members: [{ value: a.id }, { value: b.id }] });
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: `members[value eq "${a.id}"]` })), 204);
    expect(memberIds(await getGroup(g.id))).toEqual([b.id]);
    expect(groupIds(await getUser(a.id))).toEqual([]);
  });

  it('removes several members with one value filter (or)', async () => {
    const a = await createUser(tag('ora'));
    const b = await createUser(tag('orb'));
    const c = await createUser(tag('orc'));
    const g = await createGroup(tag('OR'), { members: [{ value: a.id }, { value: b.id }, { value: c.id }] });
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: `members[value eq "${a.id}" or value eq "${c.id}"]` })), 204);
    expect(memberIds(await getGroup(g.id))).toEqual([b.id]);
  });

  it('a pathless add of members appends to the member list (§3.5.2.1)', async () => {
    const a = await createUser(tag('pla'));
    const b = await createUser(tag('plb'));
    const g = await createGroup(tag('PL'), { members: [{ value: a.id }] });
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', value: { members: [{ value: b.id }] } })), 204);
    expect(memberIds(await getGroup(g.id))).toEqual([a.id, b.id].sort());
  });

  it('a pathless replace of members replaces the member list (§3.5.2.3)', async () => {
    const a = await createUser(tag('pra'));
    const b = await createUser(tag('prb'));
    const g = await createGroup(tag('PR'), { members: [{ value: a.id }] });
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', value: { members: [{ value: b.id }] } })), 204);
    expect(memberIds(await getGroup(g.id))).toEqual([b.id]);
  });

  it('removes all members with path "members"', async () => {
    const a = await createUser(tag('all'));
    const g = await createGroup(tag('All'), { members: [{ value: a.id }] });
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: 'members' })), 204);
    expect(memberIds(await getGroup(g.id))).toEqual([]);
  });

  it('replaces the member list', async () => {
    const a = await createUser(tag('rpa'));
    const b = await createUser(tag('rpb'));
    const c = await createUser(tag('rpc'));
    const g = await createGroup(tag('RP'), { members: [{ value: a.id }, { value: b.id }] });
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'members', value: [{ value: b.id }, { value: c.id }] })), 204);
    expect(memberIds(await getGroup(g.id))).toEqual([b.id, c.id].sort());
    expect(groupIds(await getUser(a.id))).toEqual([]);
  });

  it('replaces displayName', async () => {
    const g = await createGroup(tag('Before'));
    const after = tag('After');
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'replace', path: 'displayName', value: after })), 204);
    expect((await getGroup(g.id)).displayName).toBe(after);
  });

  it('returns 200 with the group when attributes is in the query (design choice)', async () => {
    const u = await createUser(tag('pq'));
    const g = await createGroup(tag('PQ'));
    const res = await scim('PATCH', `/Groups/${g.id}?attributes=members`, patchBody({ op: 'add', path: 'members', value: [{ value: u.id }] }));
    expectStatus(res, 200);
    expectScimContentType(res);
    expect(res.body.id).toBe(g.id);
    expect(memberIds(res.body)).toEqual([u.id]);
    expect(res.headers.get('etag')).toBeTruthy();
  });

  it('returns 200 with the projected group when excludedAttributes is in the query (design choice)', async () => {
    const u = await createUser(tag('pe'));
    const g = await createGroup(tag('PE'));
    const res = await scim('PATCH', `/Groups/${g.id}?excludedAttributes=members`, patchBody({ op: 'add', path: 'members', value: [{ value: u.id }] }));
    expectStatus(res, 200);
    expect(res.body.id).toBe(g.id);
    expect(res.body.displayName).toBe(g.displayName);
    expect(res.body.members).toBeUndefined();
    expect(memberIds(await getGroup(g.id))).toEqual([u.id]);
  });
});

describe('RFC 7644 §3.5.1 / §3.6 PUT and DELETE on groups', () => {
  it('PUT replaces displayName and members', async () => {
    const a = await createUser(tag('pga'));
    const b = await createUser(tag('pgb'));
    const g = await createGroup(tag('PutG'), { members: [{ value: a.id }] });
    const name = tag('PutG2');
    const res = await scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP_URN], displayName: name, members: [{ value: b.id }] });
    expectStatus(res, 200);
    expect(res.body.displayName).toBe(name);
    expect(memberIds(res.body)).toEqual([b.id]);
    expect(memberIds(await getGroup(g.id))).toEqual([b.id]);
  });

  it('DELETE returns 204 and a second DELETE 404', async () => {
    const g = await createGroup(tag('Del'));
    const res = await scim('DELETE', `/Groups/${g.id}`);
    expectStatus(res, 204);
    expect(res.text).toBe('');
    expectScimError(await scim('DELETE', `/Groups/${g.id}`), 404);
  });
});

describe('RFC 7643 §2.5 empty multi-valued attributes', () => {
  it('are left out the same way for Users (groups) and Groups (members), on create, read and list', async () => {
    const user = await createUser(tag('alone'));
    const created = await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName: tag('Empty '), members: [] });
    expectStatus(created, 201);
    expect('groups' in user).toBe(false);
    expect('members' in created.body).toBe(false);
    expect('groups' in (await getUser(user.id))).toBe(false);
    expect('members' in (await getGroup(created.body.id))).toBe(false);
    const listed = expectList(await scim('GET', `/Groups${qs({ filter: `id eq "${created.body.id}"` })}`));
    expect('members' in listed[0]).toBe(false);
    // A group emptied by PATCH reads the same as one created empty.
    const g = await createGroup(tag('Emptied '), { members: [{ value: user.id }] });
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: 'members' })), 204);
    expect('members' in (await getGroup(g.id))).toBe(false);
  });
});

describe('RFC 7644 §3.5.2 membership operations apply in order', () => {
  it('removing members by a filter and then adding one of them back leaves that one a member', async () => {
    const a = await createUser(tag('ra'));
    const b = await createUser(tag('rb'));
    const g = await createGroup(tag('Order '), { members: [{ value: a.id }, { value: b.id }] });
    const res = await scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchBody({ op: 'remove', path: 'members[type eq "User"]' }, { op: 'add', path: 'members', value: [{ value: a.id }] }),
    );
    expectStatus(res, 204);
    expect(memberIds(await getGroup(g.id))).toEqual([a.id]);
  });
});
