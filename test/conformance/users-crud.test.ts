/**
 * Users: create (RFC 7644 §3.3), retrieve (§3.4.1), replace (§3.5.1), delete (§3.6), plus the
 * User schema rules of RFC 7643 §3.1 / §4.1 that those operations depend on.
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE_URN, USER_URN, createUser, scim } from '../helpers/scim';
import { expectScimContentType, expectScimError, expectStatus, findUsers, getUser, tag } from './support';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function fullUser(userName: string): Record<string, unknown> {
  return {
    schemas: [USER_URN, ENTERPRISE_URN],
    userName,
    externalId: `ext-${userName}`,
    displayName: 'Barbara Jensen',
    nickName: 'Babs',
    title: 'Tour Guide',
    userType: 'Employee',
    preferredLanguage: 'en-US',
    locale: 'en-US',
    timezone: 'America/Los_Angeles',
    active: true,
    name: {
      formatted: 'Ms. Barbara J Jensen III',
      familyName: 'Jensen',
      givenName: 'Barbara',
      middleName: 'Jane',
      honorificPrefix: 'Ms.',
      honorificSuffix: 'III',
    },
    emails: [
      { value: `${userName}@example.com`, type: 'work', primary: true },
      { value: `${userName}@jensen.org`, type: 'home' },
    ],
    phoneNumbers: [{ value: '555-555-5555', type: 'work' }],
    addresses: [
      { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', primary: true },
    ],
    [ENTERPRISE_URN]: {
      employeeNumber: '701984',
      costCenter: '4130',
      organization: 'Universal Studios',
      division: 'Theme Park',
      department: 'Tour Operations',
    },
  };
}

describe('RFC 7644 §3.3 creating users', () => {
  it('returns 201 with the created resource, Location = meta.location, and meta filled in', async () => {
    const userName = tag('create');
    const res = await scim('POST', '/Users', { schemas: [USER_URN], userName });
    expectStatus(res, 201);
    expectScimContentType(res);
    const body = res.body;
    expect(body.schemas).toContain(USER_URN);
    expect(typeof body.id).toBe('string');
    expect(body.id.length).toBeGreaterThan(0);
    expect(body.userName).toBe(userName);
    expect(body.meta.resourceType).toBe('User');
    expect(body.meta.created).toMatch(ISO_DATE);
    expect(body.meta.lastModified).toMatch(ISO_DATE);
    expect(body.meta.location).toMatch(new RegExp(`/Users/${body.id}$`));
    expect(res.headers.get('location')).toBe(body.meta.location);
    expect(res.headers.get('etag')).toBe(body.meta.version);
  });

  it('stores every submitted core and enterprise attribute and returns them unchanged', async () => {
    const userName = tag('full');
    const input = fullUser(userName);
    const res = await scim('POST', '/Users', input);
    expectStatus(res, 201);
    const got = await getUser(res.body.id);
    for (const body of [res.body, got]) {
      expect(body.schemas).toEqual(expect.arrayContaining([USER_URN, ENTERPRISE_URN]));
      for (const key of ['userName', 'externalId', 'displayName', 'nickName', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active']) {
        expect(body[key], key).toEqual(input[key]);
      }
      expect(body.name).toEqual(input.name);
      expect(body.emails).toEqual(expect.arrayContaining((input.emails as any[]).map((e) => expect.objectContaining(e))));
      expect(body.emails).toHaveLength(2);
      expect(body.phoneNumbers).toEqual([expect.objectContaining({ value: '555-555-5555', type: 'work' })]);
      expect(body.addresses).toEqual([expect.objectContaining((input.addresses as any[])[0])]);
      expect(body[ENTERPRISE_URN]).toEqual(expect.objectContaining(input[ENTERPRISE_URN] as object));
    }
  });

  it('stores the enterprise manager reference (RFC 7643 §4.3)', async () => {
    const manager = await createUser(tag('mgr'));
    const res = await scim('POST', '/Users', {
      schemas: [USER_URN, ENTERPRISE_URN],
      userName: tag('emp'),
      [ENTERPRISE_URN]: { manager: { value: manager.id } },
    });
    expectStatus(res, 201);
    const got = await getUser(res.body.id);
    expect(got[ENTERPRISE_URN].manager.value).toBe(manager.id);
  });

  it('rejects a user without userName: 400 invalidValue (RFC 7643 §4.1 userName REQUIRED)', async () => {
    const res = await scim('POST', '/Users', { schemas: [USER_URN], displayName: 'No Name' });
    expectScimError(res, 400, 'invalidValue');
  });

  it('rejects an empty userName: 400 invalidValue', async () => {
    const res = await scim('POST', '/Users', { schemas: [USER_URN], userName: '' });
    expectScimError(res, 400, 'invalidValue');
  });

  it('rejects a duplicate userName, compared case-insensitively: 409 uniqueness (RFC 7643 §4.1 uniqueness server, caseExact false)', async () => {
    const base = tag('Dup');
    await createUser(`${base}@Example.com`);
    const res = await scim('POST', '/Users', { schemas: [USER_URN], userName: `${base.toLowerCase()}@EXAMPLE.COM` });
    expectScimError(res, 409, 'uniqueness');
  });

  it('ignores a client-supplied id (RFC 7643 §3.1: id is assigned by the service provider, readOnly)', async () => {
    const res = await scim('POST', '/Users', { schemas: [USER_URN], userName: tag('id'), id: 'client-chosen-id' });
    expectStatus(res, 201);
    expect(res.body.id).not.toBe('client-chosen-id');
  });

  it('ignores client-supplied meta (readOnly)', async () => {
    const res = await scim('POST', '/Users', {
      schemas: [USER_URN],
      userName: tag('meta'),
      meta: { resourceType: 'User', created: '1999-01-01T00:00:00Z', version: 'W/"999"' },
    });
    expectStatus(res, 201);
    expect(res.body.meta.created).not.toBe('1999-01-01T00:00:00Z');
    expect(res.body.meta.version).not.toBe('W/"999"');
  });

  it('reads attribute names case-insensitively and answers in the schema spelling (RFC 7643 §2.1)', async () => {
    const userName = tag('ci');
    const res = await scim('POST', '/Users', {
      schemas: [USER_URN],
      USERNAME: userName,
      Name: { GivenName: 'Ada', FAMILYNAME: 'Lovelace' },
      DisplayName: 'Ada L',
    });
    expectStatus(res, 201);
    expect(res.body.userName).toBe(userName);
    expect(res.body.name).toEqual({ givenName: 'Ada', familyName: 'Lovelace' });
    expect(res.body.displayName).toBe('Ada L');
    expect(res.body.USERNAME).toBeUndefined();
  });

  it('ignores unknown attributes (design choice: not stored, not an error)', async () => {
    const res = await scim('POST', '/Users', { schemas: [USER_URN], userName: tag('unk'), favouriteColour: 'blue' });
    expectStatus(res, 201);
    expect(res.body.favouriteColour).toBeUndefined();
    expect((await getUser(res.body.id)).favouriteColour).toBeUndefined();
  });

  it('tolerates unknown schema URIs in schemas (design choice)', async () => {
    const res = await scim('POST', '/Users', { schemas: [USER_URN, 'urn:example:params:scim:schemas:unknown:1.0:User'], userName: tag('uri') });
    expectStatus(res, 201);
  });

  it('treats null and empty arrays as unassigned (RFC 7643 §2.5)', async () => {
    const res = await scim('POST', '/Users', { schemas: [USER_URN], userName: tag('null'), title: null, phoneNumbers: [], emails: null });
    expectStatus(res, 201);
    const got = await getUser(res.body.id);
    expect(got.title ?? null).toBeNull();
    expect(got.phoneNumbers ?? []).toEqual([]);
    expect(got.emails ?? []).toEqual([]);
  });
});

describe('RFC 7644 §3.4.1 retrieving a known user', () => {
  it('returns 200 with the same representation as the create response', async () => {
    const created = await createUser(tag('get'), { title: 'Pilot' });
    const res = await scim('GET', `/Users/${created.id}`);
    expectStatus(res, 200);
    expectScimContentType(res);
    expect(res.body.id).toBe(created.id);
    expect(res.body.userName).toBe(created.userName);
    expect(res.body.title).toBe('Pilot');
    expect(res.body.meta.version).toBe(created.meta.version);
    expect(res.headers.get('etag')).toBe(created.meta.version);
  });

  it('serves the resource at its meta.location', async () => {
    const created = await createUser(tag('loc'));
    const res = await scim('GET', created.meta.location);
    expectStatus(res, 200);
    expect(res.body.id).toBe(created.id);
  });

  it('answers an unknown id with 404 and a SCIM error', async () => {
    expectScimError(await scim('GET', '/Users/00000000-0000-0000-0000-000000000000'), 404);
  });
});

describe('RFC 7644 §3.5.1 replacing a user with PUT', () => {
  it('replaces the whole resource: attributes left out are cleared, userName can change', async () => {
    const created = await createUser(tag('put'), { title: 'Old', nickName: 'Nick', name: { givenName: 'A', familyName: 'B' } });
    const newName = tag('put2');
    const res = await scim('PUT', `/Users/${created.id}`, { schemas: [USER_URN], userName: newName, name: { givenName: 'C' } });
    expectStatus(res, 200);
    expectScimContentType(res);
    expect(res.body.id).toBe(created.id);
    expect(res.body.userName).toBe(newName);
    expect(res.body.title).toBeUndefined();
    expect(res.body.nickName).toBeUndefined();
    expect(res.body.name).toEqual({ givenName: 'C' });
    const got = await getUser(created.id);
    expect(got.userName).toBe(newName);
    expect(got.title).toBeUndefined();
  });

  it('keeps id and meta.created, advances meta.version and meta.lastModified', async () => {
    const created = await createUser(tag('putmeta'));
    const res = await scim('PUT', `/Users/${created.id}`, { schemas: [USER_URN], userName: created.userName, title: 'New' });
    expectStatus(res, 200);
    expect(res.body.meta.created).toBe(created.meta.created);
    expect(res.body.meta.version).not.toBe(created.meta.version);
    expect(Date.parse(res.body.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(created.meta.lastModified));
    expect(res.headers.get('etag')).toBe(res.body.meta.version);
  });

  it('ignores readOnly values in the body (id, meta)', async () => {
    const created = await createUser(tag('putro'));
    const res = await scim('PUT', `/Users/${created.id}`, {
      schemas: [USER_URN],
      id: created.id,
      userName: created.userName,
      meta: { resourceType: 'User', created: '1999-01-01T00:00:00Z' },
    });
    expectStatus(res, 200);
    expect(res.body.meta.created).toBe(created.meta.created);
  });

  it('rejects a PUT without userName: 400 invalidValue', async () => {
    const created = await createUser(tag('putreq'));
    expectScimError(await scim('PUT', `/Users/${created.id}`, { schemas: [USER_URN], title: 'x' }), 400, 'invalidValue');
  });

  it("rejects a PUT that takes another user's userName: 409 uniqueness", async () => {
    const a = await createUser(tag('puta'));
    const b = await createUser(tag('putb'));
    const res = await scim('PUT', `/Users/${b.id}`, { schemas: [USER_URN], userName: a.userName.toUpperCase() });
    expectScimError(res, 409, 'uniqueness');
    expect((await getUser(b.id)).userName).toBe(b.userName);
  });

  it('answers a PUT to an unknown id with 404', async () => {
    expectScimError(await scim('PUT', '/Users/00000000-0000-0000-0000-000000000000', { schemas: [USER_URN], userName: tag('ghost') }), 404);
  });
});

describe('RFC 7644 §3.6 deleting a user', () => {
  it('returns 204 with no body, then the user is gone (404 on GET, DELETE, PUT)', async () => {
    const created = await createUser(tag('del'));
    const res = await scim('DELETE', `/Users/${created.id}`);
    expectStatus(res, 204);
    expect(res.text).toBe('');
    expectScimError(await scim('GET', `/Users/${created.id}`), 404);
    expectScimError(await scim('DELETE', `/Users/${created.id}`), 404);
    expect(await findUsers(`userName eq "${created.userName}"`)).toHaveLength(0);
  });
});

describe('RFC 7643 §4.1 password (mutability writeOnly, returned never)', () => {
  it('accepts a password on create and never returns it', async () => {
    const res = await scim('POST', '/Users', { schemas: [USER_URN], userName: tag('pw'), password: 't1meMa$heen' });
    expectStatus(res, 201);
    expect(res.body.password).toBeUndefined();
    expect(res.text).not.toContain('t1meMa$heen');
    const id = res.body.id;
    for (const query of ['', '?attributes=password', '?attributes=userName,password']) {
      const got = await scim('GET', `/Users/${id}${query}`);
      expectStatus(got, 200);
      expect(got.body.password, query).toBeUndefined();
      expect(got.text).not.toContain('t1meMa$heen');
    }
    const list = await scim('GET', `/Users?filter=${encodeURIComponent(`id eq "${id}"`)}&attributes=password`);
    expectStatus(list, 200);
    expect(list.body.Resources[0].password).toBeUndefined();
    expect(list.text).not.toContain('t1meMa$heen');
  });

  it('accepts a password on PUT and does not return it', async () => {
    const created = await createUser(tag('pwput'));
    const res = await scim('PUT', `/Users/${created.id}`, { schemas: [USER_URN], userName: created.userName, password: 'An0ther$ecret' });
    expectStatus(res, 200);
    expect(res.body.password).toBeUndefined();
    expect(res.text).not.toContain('An0ther$ecret');
  });
});
