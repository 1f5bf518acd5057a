/**
 * Okta provisioning, one named regression test per documented request or quirk. Payloads are
 * those of Okta's "SCIM 2.0 Protocol Reference" (developer.okta.com/docs/reference/scim/scim-20/,
 * "Okta and SCIM Version 2.0"), with ids and names replaced by unique test values. Sections:
 * "Create Users" (Determine if the User already exists / Create the User), "Retrieve Users",
 * "Retrieve a specific User", "Update a specific User (PUT)", "Update a specific User (PATCH)",
 * "Create Groups", "Retrieve Groups", "Update a specific Group name", "Update specific Group
 * membership", "Delete a specific Group".
 */
import { describe, expect, it } from 'vitest';
import { GROUP_URN, USER_URN, createGroup, createUser, scim } from '../helpers/scim';
import { expectList, expectScimError, expectStatus, getGroup, getUser, tag } from '../conformance/support';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Okta's client identifies itself and sends SCIM JSON with a charset. */
const OKTA = { headers: { 'user-agent': 'Okta SCIM Client 1.0.0', 'content-type': 'application/scim+json; charset=utf-8' } };

const memberIds = (g: any) => ((g.members ?? []) as any[]).map((m) => m.value).sort();

/** "Create the User" request body (userName / externalId made unique). */
function oktaCreateUser(userName = `${tag('test.user')}@okta.local`) {
  return {
    schemas: [USER_URN],
    userName,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId: tag('00u'),
    groups: [],
    password: '1mz050nq',
    active: true,
  };
}

async function oktaUser(): Promise<any> {
  const res = await scim('POST', '/Users', oktaCreateUser(), OKTA);
  expectStatus(res, 201);
  return res.body;
}

describe('Okta: Create Users', () => {
  it('Determine if the User already exists: filter=userName eq "…"&startIndex=1&count=100 (URL-encoded as Okta sends it)', async () => {
    const userName = `${tag('test.user')}@okta.local`;
    const probe = `/Users?filter=userName%20eq%20%22${encodeURIComponent(userName)}%22&startIndex=1&count=100`;
    const none = await scim('GET', probe, undefined, OKTA);
    expect(expectList(none)).toEqual([]);
    expect(none.body).toMatchObject({ totalResults: 0, startIndex: 1 });
    expect(Number.isInteger(none.body.itemsPerPage)).toBe(true);
    const created = await scim('POST', '/Users', oktaCreateUser(userName), OKTA);
    expectStatus(created, 201);
    const one = await scim('GET', probe, undefined, OKTA);
    expect(expectList(one).map((r) => r.id)).toEqual([created.body.id]);
    expect(one.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
  });

  it('Create the User: password and active are accepted, the user is returned without password', async () => {
    const req = oktaCreateUser();
    const res = await scim('POST', '/Users', req, OKTA);
    expectStatus(res, 201);
    expect(res.body).toMatchObject({
      userName: req.userName,
      displayName: 'Test User',
      locale: 'en-US',
      externalId: req.externalId,
      active: true,
      name: req.name,
    });
    expect(res.body.emails).toEqual([expect.objectContaining(req.emails[0])]);
    expect(res.body.id).toBeTruthy();
    expect(res.body.password).toBeUndefined();
    expect(res.text).not.toContain('1mz050nq');
    expect(res.body.groups ?? []).toEqual([]);
    expect(res.body.meta.resourceType).toBe('User');
  });

  it('Create the User: an existing user is 409 with a SCIM error', async () => {
    const req = oktaCreateUser();
    expectStatus(await scim('POST', '/Users', req, OKTA), 201);
    expectScimError(await scim('POST', '/Users', { ...req, externalId: tag('00u') }, OKTA), 409, 'uniqueness');
  });
});

describe('Okta: Retrieve Users', () => {
  it('GET /Users?startIndex=1&count=100: integer paging values, at most 100 resources', async () => {
    await oktaUser();
    const res = await scim('GET', '/Users?startIndex=1&count=100', undefined, OKTA);
    const page = expectList(res);
    expect(page.length).toBeGreaterThan(0);
    expect(page.length).toBeLessThanOrEqual(100);
    for (const key of ['totalResults', 'startIndex', 'itemsPerPage']) expect(Number.isInteger(res.body[key]), key).toBe(true);
    expect(res.body.startIndex).toBe(1);
  });

  it('Retrieve a specific User: GET /Users/{id}', async () => {
    const u = await oktaUser();
    const res = await scim('GET', `/Users/${u.id}`, undefined, OKTA);
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ id: u.id, userName: u.userName, active: true });
    expect(res.body.password).toBeUndefined();
  });
});

describe('Okta: Update a specific User (PUT)', () => {
  it('PUT of the whole fetched user, id, meta and groups included, is 200 with the updated user', async () => {
    const u = await oktaUser();
    const fetched = await getUser(u.id);
    const body = { ...fetched, name: { ...fetched.name, givenName: 'Another', middleName: 'Excited' } };
    const res = await scim('PUT', `/Users/${u.id}`, body, OKTA);
    expectStatus(res, 200);
    expect(res.body.id).toBe(u.id);
    expect(res.body.name).toMatchObject({ givenName: 'Another', middleName: 'Excited', familyName: 'User' });
    expect(res.body.meta.created).toBe(fetched.meta.created);
    expect(res.body.meta.version).not.toBe(fetched.meta.version);
  });

  it('PUT with "groups": [] does not drop the memberships of the user (groups is readOnly)', async () => {
    const u = await oktaUser();
    const g = await createGroup(tag('OktaKeep'), { members: [{ value: u.id }] });
    const fetched = await getUser(u.id);
    const res = await scim('PUT', `/Users/${u.id}`, { ...fetched, groups: [], meta: { resourceType: 'User' } }, OKTA);
    expectStatus(res, 200);
    expect(memberIds(await getGroup(g.id))).toEqual([u.id]);
    expect((await getUser(u.id)).groups.map((x: any) => x.value)).toEqual([g.id]);
  });

  it('AIW integrations deactivate by PUT with active false', async () => {
    const u = await oktaUser();
    const fetched = await getUser(u.id);
    const res = await scim('PUT', `/Users/${u.id}`, { ...fetched, active: false }, OKTA);
    expectStatus(res, 200);
    expect((await getUser(u.id)).active).toBe(false);
  });

  it('PUT with the published GET body verbatim ("middleName": "" and emails[].display)', async () => {
    const u = await oktaUser();
    const res = await scim(
      'PUT',
      `/Users/${u.id}`,
      {
        schemas: [USER_URN],
        id: u.id,
        userName: u.userName,
        name: { givenName: 'Another', middleName: '', familyName: 'User' },
        emails: [{ primary: true, value: u.userName, type: 'work', display: u.userName }],
        active: true,
        groups: [],
        meta: { resourceType: 'User' },
      },
      OKTA,
    );
    expectStatus(res, 200);
    expect(res.body.name.givenName).toBe('Another');
  });
});

describe('Okta: Update a specific User (PATCH)', () => {
  it('deactivate: {"op":"replace","value":{"active":false}} is 200 with the updated user', async () => {
    const u = await oktaUser();
    const res = await scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }, OKTA);
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ id: u.id, userName: u.userName, active: false });
    expect((await getUser(u.id)).active).toBe(false);
  });

  it('reactivate: {"op":"replace","value":{"active":true}}', async () => {
    const u = await oktaUser();
    await scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }, OKTA);
    const res = await scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }, OKTA);
    expectStatus(res, 200);
    expect(res.body.active).toBe(true);
  });

  it('sync password: {"op":"replace","value":{"password":"…"}} is accepted and not echoed', async () => {
    const u = await oktaUser();
    const res = await scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { password: 'n3wPassw0rd' } }] }, OKTA);
    expectStatus(res, 200);
    expect(res.body.password).toBeUndefined();
    expect(res.text).not.toContain('n3wPassw0rd');
  });

  it('a stray "id" equal to the resource id inside a pathless value is tolerated', async () => {
    const u = await oktaUser();
    const res = await scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: u.id, active: false } }] }, OKTA);
    expectStatus(res, 200);
    expect(res.body.id).toBe(u.id);
    expect(res.body.active).toBe(false);
  });

  it('null values mean absent: {"op":"replace","value":{"title":null}} clears title', async () => {
    const u = await createUser(tag('okta.null'), { title: 'Manager', nickName: 'Nick' });
    const res = await scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { title: null } }] }, OKTA);
    expectStatus(res, 200);
    expect(res.body.title ?? null).toBeNull();
    expect(res.body.nickName).toBe('Nick');
  });

  it('null values mean absent on PUT and POST', async () => {
    const created = await scim('POST', '/Users', { ...oktaCreateUser(), title: null, nickName: null }, OKTA);
    expectStatus(created, 201);
    expect(created.body.title ?? null).toBeNull();
    const fetched = await getUser(created.body.id);
    const res = await scim('PUT', `/Users/${fetched.id}`, { ...fetched, displayName: null }, OKTA);
    expectStatus(res, 200);
    expect(res.body.displayName ?? null).toBeNull();
  });
});

describe('Okta: Group Push', () => {
  it('Create Groups: POST /Groups with "members": [] is 201 with the group', async () => {
    const displayName = tag('Test SCIMv2 ');
    const res = await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName, members: [] }, OKTA);
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ displayName, schemas: [GROUP_URN] });
    expect(res.body.id).toBeTruthy();
    expect(res.body.members ?? []).toEqual([]);
    expect(res.body.meta.resourceType).toBe('Group');
  });

  it('Create Groups with members (value and display)', async () => {
    const u = await oktaUser();
    const res = await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName: tag('Okta Push '), members: [{ value: u.id, display: u.userName }] }, OKTA);
    expectStatus(res, 201);
    expect(memberIds(res.body)).toEqual([u.id]);
  });

  it('Retrieve Groups: GET /Groups?startIndex=1&count=100 with integer paging values', async () => {
    await createGroup(tag('OktaList'));
    const res = await scim('GET', '/Groups?startIndex=1&count=100', undefined, OKTA);
    expect(expectList(res).length).toBeGreaterThan(0);
    for (const key of ['totalResults', 'startIndex', 'itemsPerPage']) expect(Number.isInteger(res.body[key]), key).toBe(true);
  });

  it('Retrieve specific Groups: GET /Groups/{id} lists members', async () => {
    const u = await oktaUser();
    const g = await createGroup(tag('OktaGet'), { members: [{ value: u.id }] });
    const got = await scim('GET', `/Groups/${g.id}`, undefined, OKTA);
    expectStatus(got, 200);
    expect(memberIds(got.body)).toEqual([u.id]);
  });

  it('Update a specific Group name: pathless replace carrying a stray "id" is 204', async () => {
    const g = await createGroup(tag('Test SCIMv2 '));
    const next = tag('Test SCIMv20 ');
    const res = await scim('PATCH', `/Groups/${g.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: g.id, displayName: next } }] }, OKTA);
    expectStatus(res, 204);
    const got = await getGroup(g.id);
    expect(got.id).toBe(g.id);
    expect(got.displayName).toBe(next);
  });

  it('Update specific Group membership: remove members[value eq "…"] and add members in one PATCH', async () => {
    const leaving = await oktaUser();
    const joining = await oktaUser();
    const g = await createGroup(tag('OktaMembers'), { members: [{ value: leaving.id }] });
    const res = await scim(
      'PATCH',
      `/Groups/${g.id}`,
      {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'remove', path: `members[value eq "${leaving.id}"]` },
          { op: 'add', path: 'members', value: [{ value: joining.id, display: joining.userName }] },
        ],
      },
      OKTA,
    );
    expectStatus(res, 204);
    expect(memberIds(await getGroup(g.id))).toEqual([joining.id]);
  });

  it('full push of the membership: replace members with the supplied list', async () => {
    const a = await oktaUser();
    const b = await oktaUser();
    const c = await oktaUser();
    const g = await createGroup(tag('OktaFull'), { members: [{ value: a.id }] });
    const res = await scim(
      'PATCH',
      `/Groups/${g.id}`,
      {
        schemas: [PATCH_OP],
        Operations: [
          {
            op: 'replace',
            path: 'members',
            value: [
              { value: b.id, display: b.userName },
              { value: c.id, display: c.userName },
            ],
          },
        ],
      },
      OKTA,
    );
    expectStatus(res, 204);
    expect(memberIds(await getGroup(g.id))).toEqual([b.id, c.id].sort());
  });

  it('replace members with [] empties the group', async () => {
    const a = await oktaUser();
    const g = await createGroup(tag('OktaEmpty'), { members: [{ value: a.id }] });
    const res = await scim('PATCH', `/Groups/${g.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: [] }] }, OKTA);
    expectStatus(res, 204);
    expect(memberIds(await getGroup(g.id))).toEqual([]);
    expect((await getUser(a.id)).groups ?? []).toEqual([]);
  });

  it('AIW integrations update a group with PUT (name and members)', async () => {
    const a = await oktaUser();
    const g = await createGroup(tag('OktaPut'));
    const next = tag('OktaPut2 ');
    const res = await scim(
      'PUT',
      `/Groups/${g.id}`,
      { schemas: [GROUP_URN], id: g.id, displayName: next, members: [{ value: a.id, display: a.userName }], meta: { resourceType: 'Group' } },
      OKTA,
    );
    expectStatus(res, 200);
    expect(res.body.displayName).toBe(next);
    expect(memberIds(await getGroup(g.id))).toEqual([a.id]);
  });

  it('PUT of a group with "members": null clears the members (null means absent)', async () => {
    const a = await oktaUser();
    const g = await createGroup(tag('OktaNull'), { members: [{ value: a.id }] });
    const res = await scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP_URN], displayName: g.displayName, members: null }, OKTA);
    expectStatus(res, 200);
    expect(memberIds(await getGroup(g.id))).toEqual([]);
  });

  it('Delete a specific Group: 204 with an empty body', async () => {
    const g = await createGroup(tag('OktaDel'));
    const res = await scim('DELETE', `/Groups/${g.id}`, undefined, OKTA);
    expectStatus(res, 204);
    expect(res.text).toBe('');
  });
});
