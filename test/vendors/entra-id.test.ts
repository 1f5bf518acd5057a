/**
 * Microsoft Entra ID provisioning, one named regression test per documented request or quirk.
 * Payloads are those published by Microsoft (ids and names replaced by unique test values):
 *
 * - [Tutorial] "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
 *   (learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups),
 *   sections "User Operations", "Group Operations", "Schema discovery", "Handling provisioning
 *   and deprovisioning of users" (Examples 1–6) and "Integrate your SCIM endpoint" (Test Connection).
 * - [Known issues] "Known issues and resolutions with SCIM 2.0 protocol compliance of the
 *   Microsoft Entra user provisioning service"
 *   (learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility),
 *   section "Flags to alter the SCIM behavior" (requests without / with aadOptscim062020).
 * - [Q&A 1684621] Microsoft Q&A "Entra ID patch sending Add instead of Replace".
 * - [scimple#1242] apache/directory-scimple issue 1242: Entra sends the enterprise `manager` as a
 *   bare string.
 * - [Postman] Microsoft's reference SCIM Postman collection (AzureAD/SCIMReferenceCode, the
 *   "SCIM 2.0 validator" requests the Tutorial links to): `manager eq "<id>"` filters, removing a
 *   manager by `manager[value eq "<id>"]`, members added as bare id strings, and duplicate group
 *   displayNames answered 409 (Entra matches groups by displayName).
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE_URN, GROUP_URN, LIST_URN, USER_URN, createGroup, createUser, scim } from '../helpers/scim';
import { expectList, expectScimContentType, expectScimError, expectStatus, getGroup, getUser, qs, tag } from '../conformance/support';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MS_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

const patchOps = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
const memberIds = (g: any) => ((g.members ?? []) as any[]).map((m) => m.value).sort();

/** [Tutorial] User Operations › Create User › Request (userName / emails / externalId made unique). */
function entraCreateUser(suffix = crypto.randomUUID()) {
  return {
    schemas: [USER_URN, ENTERPRISE_URN],
    externalId: crypto.randomUUID(),
    userName: `Test_User_${suffix}`,
    active: true,
    emails: [{ primary: true, type: 'work', value: `Test_User_${suffix}@testuser.com` }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
  };
}

async function provisionedUser(): Promise<any> {
  const res = await scim('POST', '/Users', entraCreateUser());
  expectStatus(res, 201);
  return res.body;
}

describe('Entra ID: user operations ([Tutorial] User Operations)', () => {
  it('Create User: the published request with the enterprise schema and externalId is 201 with the user', async () => {
    const req = entraCreateUser();
    const res = await scim('POST', '/Users', req);
    expectStatus(res, 201);
    expectScimContentType(res);
    expect(res.body.id).toBeTruthy();
    expect(res.body.externalId).toBe(req.externalId);
    expect(res.body.userName).toBe(req.userName);
    expect(res.body.active).toBe(true);
    expect(res.body.name).toMatchObject(req.name);
    expect(res.body.emails).toEqual([expect.objectContaining(req.emails[0])]);
    expect(res.body.meta.resourceType).toBe('User');
    expect(res.body.meta.created).toBeTruthy();
    expect(res.body.meta.lastModified).toBeTruthy();
  });

  it('Get User: 200 with the user; an unknown id is 404 with a SCIM error whose status is "404"', async () => {
    const u = await provisionedUser();
    const got = await scim('GET', `/Users/${u.id}`);
    expectStatus(got, 200);
    expect(got.body.userName).toBe(u.userName);
    expectScimError(await scim('GET', '/Users/5171a35d82074e068ce2'), 404);
  });

  it('Get User by query: filter=userName eq "…" returns a ListResponse with the user', async () => {
    const u = await provisionedUser();
    const res = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${u.userName}"`)}`);
    const found = expectList(res);
    expect(res.body.schemas).toEqual([LIST_URN]);
    expect(res.body.totalResults).toBe(1);
    expect(found.map((r) => r.id)).toEqual([u.id]);
    expect(res.body.startIndex).toBe(1);
    expect(Number.isInteger(res.body.itemsPerPage)).toBe(true);
  });

  it('Get User by query - Zero results: 200 with totalResults 0', async () => {
    const res = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "non-existent user"')}`);
    expect(expectList(res)).toEqual([]);
    expect(res.body.totalResults).toBe(0);
  });

  it('Test Connection: a random GUID as userName is 200 with an empty ListResponse ([Tutorial] Integrate, note)', async () => {
    const res = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${crypto.randomUUID()}"`)}`);
    expect(expectList(res)).toEqual([]);
    expect(res.body.totalResults).toBe(0);
    const byExternalId = await scim('GET', `/Users?filter=${encodeURIComponent(`externalId eq "${crypto.randomUUID()}"`)}`);
    expect(expectList(byExternalId)).toEqual([]);
    const groups = await scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${crypto.randomUUID()}"`)}`);
    expect(expectList(groups)).toEqual([]);
  });

  it('Example 1: query by externalId, quoted and unquoted (filter=externalId eq jyoung)', async () => {
    const nick = tag('jyoung');
    const u = await createUser(`${nick}@testuser.com`, { externalId: nick });
    expect(expectList(await scim('GET', `/Users?filter=${encodeURIComponent(`externalId eq "${nick}"`)}`)).map((r) => r.id)).toEqual([u.id]);
    expect(expectList(await scim('GET', `/Users?filter=${encodeURIComponent(`externalId eq ${nick}`)}`)).map((r) => r.id)).toEqual([u.id]);
  });

  it('/Users uniqueness: emails[type eq "work"].value eq "…" is a usable query ([Tutorial] /Users)', async () => {
    const u = await provisionedUser();
    const res = await scim('GET', `/Users${qs({ filter: `emails[type eq "work"].value eq "${u.emails[0].value}"` })}`);
    expect(expectList(res).map((r) => r.id)).toEqual([u.id]);
  });

  it('Example 2: provision request with nulls, a mistyped extension URN and stray top-level attributes', async () => {
    const nick = tag('jyoung');
    const res = await scim('POST', '/Users', {
      schemas: [USER_URN, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      externalId: nick,
      userName: `${nick}@testuser.com`,
      active: true,
      addresses: null,
      displayName: 'Joy Young',
      emails: [{ type: 'work', value: `${nick}@Contoso.com`, primary: true }],
      meta: { resourceType: 'User' },
      name: { familyName: 'Young', givenName: 'Joy' },
      phoneNumbers: null,
      preferredLanguage: null,
      title: null,
      department: null,
      manager: null,
    });
    expectStatus(res, 201);
    const got = await getUser(res.body.id);
    expect(got.displayName).toBe('Joy Young');
    expect(got.emails[0].value).toBe(`${nick}@Contoso.com`);
    for (const absent of ['addresses', 'phoneNumbers']) expect(got[absent] ?? []).toEqual([]);
    for (const absent of ['preferredLanguage', 'title', 'department', 'manager']) expect(got[absent] ?? null).toBeNull();
  });

  it('Update User [Multi-valued properties]: Replace emails[type eq "work"].value and name.familyName', async () => {
    const u = await provisionedUser();
    const res = await scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOps(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ),
    );
    expectStatus(res, 200);
    const got = await getUser(u.id);
    expect(got.emails).toHaveLength(1);
    expect(got.emails[0]).toMatchObject({ value: 'updatedEmail@microsoft.com', type: 'work', primary: true });
    expect(got.name.familyName).toBe('updatedFamilyName');
    expect(got.name.givenName).toBe('givenName');
  });

  it('Update User [Single-valued properties]: Replace userName', async () => {
    const u = await provisionedUser();
    const next = `${crypto.randomUUID()}@testuser.com`;
    const res = await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Replace', path: 'userName', value: next }));
    expectStatus(res, 200);
    expect(res.body.userName).toBe(next);
  });

  it('Disable User: Replace active false; the soft-deleted user is still returned by GET and by query', async () => {
    const u = await provisionedUser();
    const res = await scim('PATCH', `/Users/${u.id}`, { Operations: [{ op: 'Replace', path: 'active', value: false }], schemas: [PATCH_OP] });
    expectStatus(res, 200);
    expect(res.body.active).toBe(false);
    expect((await getUser(u.id)).active).toBe(false);
    expect(expectList(await scim('GET', `/Users${qs({ filter: `userName eq "${u.userName}"` })}`)).map((r) => r.id)).toEqual([u.id]);
  });

  it('Delete User: 204', async () => {
    const u = await provisionedUser();
    const res = await scim('DELETE', `/Users/${u.id}`);
    expectStatus(res, 204);
    expectScimError(await scim('GET', `/Users/${u.id}`), 404);
  });
});

describe('Entra ID: PATCH without the aadOptscim062020 flag ([Known issues] Flags to alter the SCIM behavior)', () => {
  it('disable user: "op":"Replace" with the string boolean "False"', async () => {
    const u = await provisionedUser();
    const res = await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Replace', path: 'active', value: 'False' }));
    expectStatus(res, 200);
    expect(res.body.active).toBe(false);
    expect((await getUser(u.id)).active).toBe(false);
  });

  it('re-enable user: "op":"Replace" with the string boolean "True"', async () => {
    const u = await provisionedUser();
    await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Replace', path: 'active', value: 'False' }));
    const res = await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Replace', path: 'active', value: 'True' }));
    expectStatus(res, 200);
    expect((await getUser(u.id)).active).toBe(true);
  });

  it('add a single-value string attribute: "op":"Add" path nickName', async () => {
    const u = await provisionedUser();
    expectStatus(await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Add', path: 'nickName', value: 'Babs' })), 200);
    expect((await getUser(u.id)).nickName).toBe('Babs');
  });

  it('replace multiple attributes: one capitalised Replace per attribute, including a URN path', async () => {
    const u = await provisionedUser();
    const res = await scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOps(
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: 'Eqpj' },
        { op: 'Replace', path: `${ENTERPRISE_URN}:employeeNumber`, value: 'Eqpj' },
      ),
    );
    expectStatus(res, 200);
    const got = await getUser(u.id);
    expect(got.displayName).toBe('Pvlo');
    expect(got.emails.find((e: any) => e.type === 'work').value).toBe('TestBcwqnm@test.microsoft.com');
    expect(got.name).toMatchObject({ givenName: 'Gtfd', familyName: 'Pkqf' });
    expect(got.externalId).toBe('Eqpj');
    expect(got[ENTERPRISE_URN].employeeNumber).toBe('Eqpj');
  });

  it('remove a group member: "op":"Remove" path members with a value list', async () => {
    const keep = await provisionedUser();
    const drop = await provisionedUser();
    const g = await createGroup(tag('EntraRm'), { members: [{ value: keep.id }, { value: drop.id }] });
    const res = await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Remove', path: 'members', value: [{ value: drop.id }] }));
    expectStatus(res, 204);
    expect(memberIds(await getGroup(g.id))).toEqual([keep.id]);
  });
});

describe('Entra ID: PATCH with the aadOptscim062020 flag ([Known issues] Flags to alter the SCIM behavior)', () => {
  it('disable user: lower-case replace with a JSON boolean', async () => {
    const u = await provisionedUser();
    const res = await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'replace', path: 'active', value: false }));
    expectStatus(res, 200);
    expect(res.body.active).toBe(false);
  });

  it('replace multiple attributes: a value-path replace plus a pathless replace with dotted and URN keys', async () => {
    const u = await provisionedUser();
    const res = await scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOps(
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'name.familyName': 'Unua',
            [`${ENTERPRISE_URN}:employeeNumber`]: 'Aklq',
          },
        },
      ),
    );
    expectStatus(res, 200);
    const got = await getUser(u.id);
    expect(got.displayName).toBe('Bjfe');
    expect(got.name).toMatchObject({ givenName: 'Kkom', familyName: 'Unua' });
    expect(got.name['name.givenName']).toBeUndefined();
    expect(got[ENTERPRISE_URN].employeeNumber).toBe('Aklq');
    expect(got[`${ENTERPRISE_URN}:employeeNumber`]).toBeUndefined();
    expect(got.emails.find((e: any) => e.type === 'work').value).toBe('TestMhvaes@test.microsoft.com');
  });

  it('pathless replace with dotted keys: name.givenName and enterprise department', async () => {
    const u = await provisionedUser();
    const res = await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'replace', value: { 'name.givenName': 'x', [`${ENTERPRISE_URN}:department`]: 'y' } }));
    expectStatus(res, 200);
    const got = await getUser(u.id);
    expect(got.name.givenName).toBe('x');
    expect(got.name.familyName).toBe('familyName');
    expect(got[ENTERPRISE_URN].department).toBe('y');
  });

  it('remove a group member: remove members[value eq "…"]', async () => {
    const keep = await provisionedUser();
    const drop = await provisionedUser();
    const g = await createGroup(tag('EntraRmF'), { members: [{ value: keep.id }, { value: drop.id }] });
    const res = await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'remove', path: `members[value eq "${drop.id}"]` }));
    expectStatus(res, 204);
    expect(memberIds(await getGroup(g.id))).toEqual([keep.id]);
  });
});

describe('Entra ID: other observed requests', () => {
  it('"op":"Add" on emails[type eq "work"].value changes the existing work email ([Q&A 1684621])', async () => {
    const u = await provisionedUser();
    const res = await scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOps({ op: 'Replace', path: 'title', value: 'tester' }, { op: 'Add', path: 'emails[type eq "work"].value', value: 'changed@joe.com' }),
    );
    expectStatus(res, 200);
    const got = await getUser(u.id);
    expect(got.title).toBe('tester');
    const work = (got.emails as any[]).filter((e) => e.type === 'work');
    expect(work).toHaveLength(1);
    expect(work[0].value).toBe('changed@joe.com');
  });

  it('Example 5: "op":"Add" path manager with a [{"$ref","value"}] list sets the enterprise manager', async () => {
    const boss = await provisionedUser();
    const u = await provisionedUser();
    const res = await scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOps({ op: 'Add', path: 'manager', value: [{ $ref: `http://relay.test/scim/v2/Users/${boss.id}`, value: boss.id }] }),
    );
    expectStatus(res, 200);
    expect((await getUser(u.id))[ENTERPRISE_URN]?.manager?.value).toBe(boss.id);
  });

  it('enterprise manager sent as a bare string on the URN path ([scimple#1242])', async () => {
    const boss = await provisionedUser();
    const u = await provisionedUser();
    const res = await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Add', path: `${ENTERPRISE_URN}:manager`, value: boss.id }));
    expectStatus(res, 200);
    expect((await getUser(u.id))[ENTERPRISE_URN]?.manager?.value).toBe(boss.id);
  });

  it('"op":"Remove" is also accepted capitalised on a user attribute', async () => {
    const u = await provisionedUser();
    await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Add', path: 'nickName', value: 'Babs' }));
    expectStatus(await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Remove', path: 'nickName' })), 200);
    expect((await getUser(u.id)).nickName).toBeUndefined();
  });
});

describe('Entra ID: group operations ([Tutorial] Group Operations)', () => {
  it('Create Group: the published request with the Microsoft ADSCIM schema URI is 201, with an empty member list', async () => {
    const displayName = tag('displayName');
    const externalId = crypto.randomUUID();
    const res = await scim('POST', '/Groups', { schemas: [GROUP_URN, MS_GROUP_SCHEMA], externalId, displayName, meta: { resourceType: 'Group' } });
    expectStatus(res, 201);
    expect(res.body.id).toBeTruthy();
    expect(res.body.externalId).toBe(externalId);
    expect(res.body.displayName).toBe(displayName);
    expect(res.body.members ?? []).toEqual([]);
    expect(res.body.meta.resourceType).toBe('Group');
  });

  it('Get Group: excludedAttributes=members leaves members out', async () => {
    const u = await provisionedUser();
    const g = await createGroup(tag('EntraGet'), { members: [{ value: u.id }], externalId: crypto.randomUUID() });
    const res = await scim('GET', `/Groups/${g.id}?excludedAttributes=members`);
    expectStatus(res, 200);
    expect(res.body.members).toBeUndefined();
    expect(res.body).toMatchObject({ id: g.id, displayName: g.displayName, externalId: g.externalId });
  });

  it('Get Group by displayName: excludedAttributes=members&filter=displayName eq "…"', async () => {
    const u = await provisionedUser();
    const g = await createGroup(tag('EntraByName'), { members: [{ value: u.id }] });
    const res = await scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${g.displayName}"`)}`);
    const found = expectList(res);
    expect(res.body.totalResults).toBe(1);
    expect(found[0].id).toBe(g.id);
    expect(found[0].members).toBeUndefined();
  });

  it('membership check: filter=id eq "…" and members.value eq "…" ([Tutorial] Group provisioning: requests about the members attribute)', async () => {
    const member = await provisionedUser();
    const stranger = await provisionedUser();
    const g = await createGroup(tag('EntraCheck'), { members: [{ value: member.id }] });
    const check = async (userId: string) =>
      expectList(await scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${g.id}" and members.value eq "${userId}"`)}`));
    expect((await check(member.id)).map((r) => r.id)).toEqual([g.id]);
    expect(await check(stranger.id)).toEqual([]);
  });

  it('Update Group [Non-member attributes]: Replace displayName is 204', async () => {
    const g = await createGroup(tag('EntraOld'));
    const next = `${crypto.randomUUID()}updatedDisplayName`;
    const res = await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Replace', path: 'displayName', value: next }));
    expectStatus(res, 204);
    expect((await getGroup(g.id)).displayName).toBe(next);
  });

  it('Update Group [Add Members]: "op":"Add" path members with "$ref": null is 204', async () => {
    const u = await provisionedUser();
    const g = await createGroup(tag('EntraAdd'));
    const res = await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Add', path: 'members', value: [{ $ref: null, value: u.id }] }));
    expectStatus(res, 204);
    expect(memberIds(await getGroup(g.id))).toEqual([u.id]);
    expect((await getUser(u.id)).groups.map((x: any) => x.value)).toEqual([g.id]);
  });

  it('Update Group [Remove Members]: "op":"Remove" path members with a value list and "$ref": null is 204', async () => {
    const u = await provisionedUser();
    const g = await createGroup(tag('EntraRemove'), { members: [{ value: u.id }] });
    const res = await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Remove', path: 'members', value: [{ $ref: null, value: u.id }] }));
    expectStatus(res, 204);
    expect(memberIds(await getGroup(g.id))).toEqual([]);
  });

  it('multiple group memberships in a single PATCH ([Tutorial] Gallery onboarding checklist)', async () => {
    const users = [await provisionedUser(), await provisionedUser(), await provisionedUser()];
    const g = await createGroup(tag('EntraMany'));
    const res = await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Add', path: 'members', value: users.map((u) => ({ value: u.id })) }));
    expectStatus(res, 204);
    expect(memberIds(await getGroup(g.id))).toEqual(users.map((u) => u.id).sort());
  });

  it('Delete Group: 204', async () => {
    const g = await createGroup(tag('EntraDel'));
    expectStatus(await scim('DELETE', `/Groups/${g.id}`), 204);
    expectScimError(await scim('GET', `/Groups/${g.id}`), 404);
  });
});

describe('Entra ID: schema discovery and transport ([Tutorial] Schema discovery, General)', () => {
  it('Discover schema: GET /Schemas is a ListResponse with User, Group and Enterprise User', async () => {
    const res = await scim('GET', '/Schemas');
    const ids = expectList(res).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining([USER_URN, GROUP_URN, ENTERPRISE_URN]));
  });

  it('/Schemas sends no null values and camel-cased characteristics ([Tutorial] /Schemas (Schema discovery))', async () => {
    const res = await scim('GET', '/Schemas');
    expectStatus(res, 200);
    expect(res.text).not.toMatch(/:\s*null\b/);
    const mutability = new Set<string>();
    const walk = (attrs: any[]) =>
      attrs.forEach((a) => {
        mutability.add(a.mutability);
        if (a.subAttributes) walk(a.subAttributes);
      });
    for (const schema of res.body.Resources) walk(schema.attributes);
    for (const m of mutability) expect(['readOnly', 'readWrite', 'immutable', 'writeOnly']).toContain(m);
  });

  it('every response is Content-Type application/scim+json, errors included', async () => {
    const u = await provisionedUser();
    expectScimContentType(await scim('GET', `/Users/${u.id}`));
    expectScimContentType(await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${u.userName}"`)}`));
    expectScimContentType(await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Replace', path: 'title', value: 'x' })));
    expectScimContentType(await scim('GET', '/Users/5171a35d82074e068ce2'));
  });
});

describe('Entra ID: requests from the reference collection ([Postman], issue 10)', () => {
  const setManager = (userId: string, bossId: string) =>
    scim('PATCH', `/Users/${userId}`, patchOps({ op: 'Add', path: 'manager', value: [{ value: bossId }] }));

  it('PATCH remove manager[value eq "<id>"] removes the manager when it matches, and is a no-op when it does not', async () => {
    const boss = await provisionedUser();
    const other = await provisionedUser();
    const u = await provisionedUser();
    expectStatus(await setManager(u.id, boss.id), 200);
    const miss = await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Remove', path: `manager[value eq "${other.id}"]` }));
    expectStatus(miss, 200);
    expect((await getUser(u.id))[ENTERPRISE_URN]?.manager?.value).toBe(boss.id);
    const hit = await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Remove', path: `manager[value eq "${boss.id}"]` }));
    expectStatus(hit, 200);
    expect((await getUser(u.id))[ENTERPRISE_URN]?.manager).toBeUndefined();
    // The URN-qualified form means the same.
    expectStatus(await setManager(u.id, boss.id), 200);
    expectStatus(await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Remove', path: `${ENTERPRISE_URN}:manager[value eq "${boss.id}"]` })), 200);
    expect((await getUser(u.id))[ENTERPRISE_URN]?.manager).toBeUndefined();
    // A filter on a single-valued complex attribute only selects it for removal.
    expectScimError(
      await scim('PATCH', `/Users/${u.id}`, patchOps({ op: 'Replace', path: `manager[value eq "${boss.id}"]`, value: { value: other.id } })),
      400,
      'invalidPath',
    );
  });

  it('filter manager eq "<id>" (quoted or not) compares the manager\'s value', async () => {
    const boss = await provisionedUser();
    const u = await provisionedUser();
    await provisionedUser();
    expectStatus(await setManager(u.id, boss.id), 200);
    for (const filter of [`manager eq "${boss.id}"`, `manager eq ${boss.id}`, `${ENTERPRISE_URN}:manager eq "${boss.id}"`]) {
      const found = expectList(await scim('GET', `/Users${qs({ filter })}`));
      expect(
        found.map((r) => r.id),
        filter,
      ).toEqual([u.id]);
    }
    expect(expectList(await scim('GET', `/Users${qs({ filter: `manager eq "${crypto.randomUUID()}"` })}`))).toEqual([]);
  });

  it('POST /Groups with a displayName another group has (in any case) is 409 uniqueness', async () => {
    const displayName = tag('Entra Group ');
    await createGroup(displayName);
    for (const name of [displayName, displayName.toUpperCase(), displayName.toLowerCase()]) {
      expectScimError(await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName: name }), 409, 'uniqueness');
    }
    const found = expectList(await scim('GET', `/Groups${qs({ filter: `displayName eq "${displayName}"` })}`));
    expect(found).toHaveLength(1);
  });

  it("renaming a group onto another group's displayName with PUT or PATCH is 409 uniqueness and changes nothing", async () => {
    const taken = tag('Taken ');
    await createGroup(taken);
    const g = await createGroup(tag('Mine '));
    expectScimError(await scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP_URN], displayName: taken.toUpperCase() }), 409, 'uniqueness');
    expectScimError(await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Replace', path: 'displayName', value: taken })), 409, 'uniqueness');
    expectScimError(await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Replace', value: { displayName: taken.toLowerCase() } })), 409, 'uniqueness');
    expect((await getGroup(g.id)).displayName).toBe(g.displayName);
    // Its own name in another case is a rename, not a conflict.
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Replace', path: 'displayName', value: g.displayName.toUpperCase() })), 204);
  });

  it('concurrent creates of one displayName: exactly one is 201, the rest 409', async () => {
    const displayName = tag('Race ');
    const results = await Promise.all(Array.from({ length: 6 }, () => scim('POST', '/Groups', { schemas: [GROUP_URN], displayName })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it('PATCH add of members whose value is a bare id string (or a list of them) adds those members', async () => {
    const a = await provisionedUser();
    const b = await provisionedUser();
    const c = await provisionedUser();
    const g = await createGroup(tag('Bare '));
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Add', path: 'members', value: a.id })), 204);
    expectStatus(await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Add', path: 'members', value: [b.id, { value: c.id }] })), 204);
    expect(memberIds(await getGroup(g.id))).toEqual([a.id, b.id, c.id].sort());
    expectScimError(await scim('PATCH', `/Groups/${g.id}`, patchOps({ op: 'Add', path: 'members', value: crypto.randomUUID() })), 400, 'invalidValue');
  });
});
