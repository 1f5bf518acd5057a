/**
 * Discovery: RFC 7644 §4 endpoints, with the documents of RFC 7643 §5 (ServiceProviderConfig),
 * §6 (ResourceType) and §7 (Schema). Every advertised feature is checked against behaviour.
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE_URN, GROUP_URN, USER_URN, createUser, scim } from '../helpers/scim';
import { expectList, expectScimContentType, expectScimError, expectStatus, patchBody, serviceProviderConfig, tag } from './support';

const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary'];
const MUTABILITY = ['readOnly', 'readWrite', 'immutable', 'writeOnly'];
const RETURNED = ['always', 'never', 'default', 'request'];

function attr(schema: any, name: string): any {
  const found = (schema.attributes as any[]).find((a) => a.name === name);
  expect(found, `attribute ${name} in ${schema.id}`).toBeDefined();
  return found;
}

/** RFC 7643 §7: every attribute definition carries its characteristics, recursively. */
function checkAttributes(attrs: any[], where: string): void {
  for (const a of attrs) {
    const at = `${where}.${a.name}`;
    expect(typeof a.name, at).toBe('string');
    expect(TYPES, at).toContain(a.type);
    expect(typeof a.multiValued, at).toBe('boolean');
    expect(typeof a.required, at).toBe('boolean');
    expect(MUTABILITY, at).toContain(a.mutability);
    expect(RETURNED, at).toContain(a.returned);
    if (a.type === 'string') {
      expect(typeof a.caseExact, at).toBe('boolean');
      expect(['none', 'server', 'global'], at).toContain(a.uniqueness ?? 'none');
    }
    if (a.type === 'complex') {
      expect(Array.isArray(a.subAttributes), at).toBe(true);
      checkAttributes(a.subAttributes, at);
    }
  }
}

describe('RFC 7643 §5 /ServiceProviderConfig', () => {
  it('describes the supported features with the right types', async () => {
    const res = await scim('GET', '/ServiceProviderConfig');
    expectStatus(res, 200);
    expectScimContentType(res);
    const spc = res.body;
    expect(spc.schemas).toContain(SPC_URN);
    expect(spc.patch.supported).toBe(true);
    expect(spc.bulk.supported).toBe(true);
    expect(Number.isInteger(spc.bulk.maxOperations)).toBe(true);
    expect(Number.isInteger(spc.bulk.maxPayloadSize)).toBe(true);
    expect(spc.filter.supported).toBe(true);
    expect(Number.isInteger(spc.filter.maxResults)).toBe(true);
    expect(typeof spc.changePassword.supported).toBe('boolean');
    expect(spc.sort.supported).toBe(true);
    expect(spc.etag.supported).toBe(true);
    expect(Array.isArray(spc.authenticationSchemes)).toBe(true);
    expect(spc.authenticationSchemes.length).toBeGreaterThan(0);
    const bearer = spc.authenticationSchemes.find((s: any) => s.type === 'oauthbearertoken');
    expect(bearer, 'an oauthbearertoken scheme').toBeDefined();
    expect(typeof bearer.name).toBe('string');
    expect(typeof bearer.description).toBe('string');
  });

  it('advertises the design page sizes (default 100, max 1000) consistently', async () => {
    const spc = await serviceProviderConfig();
    if (spc.pagination) {
      expect(spc.pagination.defaultPageSize).toBe(100);
      expect(spc.pagination.maxPageSize).toBe(1000);
    }
    expect(spc.filter.maxResults).toBe(1000);
  });

  it('patch.supported: PATCH works', async () => {
    const u = await createUser(tag('disc'));
    expectStatus(await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'title', value: 'x' })), 200);
  });

  it('changePassword.supported matches behaviour', async () => {
    const spc = await serviceProviderConfig();
    const u = await createUser(tag('cpw'));
    const res = await scim('PATCH', `/Users/${u.id}`, patchBody({ op: 'replace', path: 'password', value: 'N3w-pass' }));
    if (spc.changePassword.supported) {
      expectStatus(res, 200);
      expect(res.body.password).toBeUndefined();
    } else {
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('SHOULD refuse a filter on a discovery endpoint with 403 (RFC 7644 §4)', async () => {
    const res = await scim('GET', `/ServiceProviderConfig?filter=${encodeURIComponent('patch.supported eq false')}`);
    expectScimError(res, 403);
  });
});

describe('RFC 7643 §6 /ResourceTypes', () => {
  it('lists User and Group', async () => {
    const res = await scim('GET', '/ResourceTypes');
    const types = expectList(res);
    expectScimContentType(res);
    const user = types.find((t) => t.id === 'User' || t.name === 'User');
    const group = types.find((t) => t.id === 'Group' || t.name === 'Group');
    expect(user).toBeDefined();
    expect(group).toBeDefined();
    for (const t of [user, group]) expect(t.schemas).toContain(RESOURCE_TYPE_URN);
    expect(user.endpoint).toBe('/Users');
    expect(user.schema).toBe(USER_URN);
    expect(user.schemaExtensions).toEqual(expect.arrayContaining([expect.objectContaining({ schema: ENTERPRISE_URN, required: false })]));
    expect(group.endpoint).toBe('/Groups');
    expect(group.schema).toBe(GROUP_URN);
  });

  it('serves /ResourceTypes/User and /ResourceTypes/Group', async () => {
    const user = await scim('GET', '/ResourceTypes/User');
    expectStatus(user, 200);
    expect(user.body.name).toBe('User');
    expect(user.body.endpoint).toBe('/Users');
    expect(user.body.schema).toBe(USER_URN);
    const group = await scim('GET', '/ResourceTypes/Group');
    expectStatus(group, 200);
    expect(group.body.schema).toBe(GROUP_URN);
  });

  it('an unknown resource type is 404', async () => {
    expectScimError(await scim('GET', '/ResourceTypes/Printer'), 404);
  });
});

describe('RFC 7643 §7 /Schemas', () => {
  it('lists the core User, Enterprise User and Group schemas with full attribute definitions', async () => {
    const res = await scim('GET', '/Schemas');
    const schemas = expectList(res);
    expectScimContentType(res);
    const ids = schemas.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining([USER_URN, ENTERPRISE_URN, GROUP_URN]));
    for (const s of schemas) {
      expect(Array.isArray(s.attributes), s.id).toBe(true);
      checkAttributes(s.attributes, s.id);
      if (s.schemas) expect(s.schemas).toContain(SCHEMA_URN);
    }
  });

  it('the User schema states the characteristics the protocol relies on', async () => {
    const res = await scim('GET', `/Schemas/${USER_URN}`);
    expectStatus(res, 200);
    const user = res.body;
    expect(user.id).toBe(USER_URN);
    checkAttributes(user.attributes, 'User');
    const userName = attr(user, 'userName');
    expect(userName).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite' });
    expect(attr(user, 'password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(attr(user, 'groups')).toMatchObject({ multiValued: true, mutability: 'readOnly' });
    expect(attr(user, 'active')).toMatchObject({ type: 'boolean' });
    const emails = attr(user, 'emails');
    expect(emails).toMatchObject({ type: 'complex', multiValued: true });
    expect(emails.subAttributes.map((s: any) => s.name)).toEqual(expect.arrayContaining(['value', 'type', 'primary']));
    const name = attr(user, 'name');
    expect(name.subAttributes.map((s: any) => s.name)).toEqual(expect.arrayContaining(['givenName', 'familyName']));
  });

  it('the Enterprise User schema', async () => {
    const res = await scim('GET', `/Schemas/${ENTERPRISE_URN}`);
    expectStatus(res, 200);
    expect(res.body.id).toBe(ENTERPRISE_URN);
    for (const n of ['employeeNumber', 'costCenter', 'organization', 'division', 'department']) expect(attr(res.body, n).type).toBe('string');
    const manager = attr(res.body, 'manager');
    expect(manager.type).toBe('complex');
    expect(manager.subAttributes.map((s: any) => s.name)).toContain('value');
  });

  it('the Group schema', async () => {
    const res = await scim('GET', `/Schemas/${GROUP_URN}`);
    expectStatus(res, 200);
    expect(res.body.id).toBe(GROUP_URN);
    expect(attr(res.body, 'displayName').type).toBe('string');
    const members = attr(res.body, 'members');
    expect(members).toMatchObject({ type: 'complex', multiValued: true });
    expect(members.subAttributes.map((s: any) => s.name)).toContain('value');
  });

  it('an unknown schema is 404', async () => {
    expectScimError(await scim('GET', '/Schemas/urn:example:params:scim:schemas:nope'), 404);
  });

  it('every advertised User attribute can be written and read back (advertise only what works)', async () => {
    const res = await scim('GET', `/Schemas/${USER_URN}`);
    const simple = (res.body.attributes as any[]).filter(
      (a) => a.type === 'string' && !a.multiValued && a.mutability === 'readWrite' && a.returned !== 'never' && a.name !== 'userName',
    );
    expect(simple.length).toBeGreaterThan(3);
    const body: Record<string, unknown> = { schemas: [USER_URN], userName: tag('adv') };
    const sample: Record<string, string> = { locale: 'en-US', preferredLanguage: 'en-US', timezone: 'America/Los_Angeles' };
    for (const a of simple) body[a.name] = sample[a.name] ?? `v-${a.name}`;
    const created = await scim('POST', '/Users', body);
    expectStatus(created, 201);
    for (const a of simple) expect(created.body[a.name], a.name).toBe(body[a.name]);
  });
});
