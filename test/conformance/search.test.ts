/**
 * Querying with POST: RFC 7644 §3.4.3 — `/.search` on a resource endpoint and on the server root,
 * with a SearchRequest carrying the same parameters as a GET query.
 */
import { describe, expect, it } from 'vitest';
import { GROUP_URN, SEARCH_URN, USER_URN, createGroup, createUser, scim } from '../helpers/scim';
import { createUsers, expectList, expectScimContentType, expectScimError, tag } from './support';

describe('RFC 7644 §3.4.3 POST /Users/.search', () => {
  it('filters, projects, sorts and pages like GET', async () => {
    const p = tag('srch');
    await createUsers([`${p}-c`, `${p}-a`, `${p}-b`, `${p}-d`], () => ({ title: 'T', displayName: 'D' }));
    const res = await scim('POST', '/Users/.search', {
      schemas: [SEARCH_URN],
      filter: `userName sw "${p}"`,
      attributes: ['userName', 'displayName'],
      sortBy: 'userName',
      sortOrder: 'ascending',
      startIndex: 2,
      count: 2,
    });
    const resources = expectList(res);
    expectScimContentType(res);
    expect(res.body.totalResults).toBe(4);
    expect(res.body.startIndex).toBe(2);
    expect(resources.map((r) => r.userName)).toEqual([`${p}-b`, `${p}-c`]);
    for (const r of resources) {
      expect(r.id).toBeTruthy();
      expect(r.displayName).toBe('D');
      expect(r.title).toBeUndefined();
    }
  });

  it('honours excludedAttributes', async () => {
    const u = await createUser(tag('sx'), { title: 'Hidden', displayName: 'Shown' });
    const res = await scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter: `id eq "${u.id}"`, excludedAttributes: ['title'] });
    const [only] = expectList(res);
    expect(only.title).toBeUndefined();
    expect(only.displayName).toBe('Shown');
  });

  it('count 0 returns totalResults only', async () => {
    const p = tag('sz');
    await createUsers([`${p}-1`, `${p}-2`]);
    const res = await scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter: `userName sw "${p}"`, count: 0 });
    expect(expectList(res)).toEqual([]);
    expect(res.body.totalResults).toBe(2);
  });

  it('an invalid filter is 400 invalidFilter', async () => {
    expectScimError(await scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter: 'userName eq' }), 400, 'invalidFilter');
  });

  it('a malformed body is 400 invalidSyntax', async () => {
    expectScimError(await scim('POST', '/Users/.search', undefined, { raw: '{"schemas": [' }), 400, 'invalidSyntax');
  });
});

describe('RFC 7644 §3.4.3 POST /Groups/.search', () => {
  it('finds groups by displayName', async () => {
    const name = tag('SG ');
    const g = await createGroup(name);
    const res = await scim('POST', '/Groups/.search', { schemas: [SEARCH_URN], filter: `displayName eq "${name}"`, excludedAttributes: ['members'] });
    const resources = expectList(res);
    expect(resources.map((r) => r.id)).toEqual([g.id]);
    expect(resources[0].schemas).toContain(GROUP_URN);
  });
});

describe('RFC 7644 §3.4.3 POST /.search at the server root', () => {
  it('searches across resource types; each result carries its meta.resourceType', async () => {
    const p = tag('root');
    const u = await createUser(`${p}-user`, { externalId: `${p}-ext-user` });
    const g = await createGroup(`${p}-group`, { externalId: `${p}-ext-group` });
    const res = await scim('POST', '/.search', { schemas: [SEARCH_URN], filter: `externalId sw "${p}-ext"` });
    const resources = expectList(res);
    expect(res.body.totalResults).toBe(2);
    const byId = new Map(resources.map((r) => [r.id, r]));
    expect(byId.get(u.id)?.meta?.resourceType).toBe('User');
    expect(byId.get(u.id)?.schemas).toContain(USER_URN);
    expect(byId.get(g.id)?.meta?.resourceType).toBe('Group');
    expect(byId.get(g.id)?.schemas).toContain(GROUP_URN);
  });

  it('pages root results', async () => {
    const p = tag('rootp');
    await createUser(`${p}-u1`, { externalId: `${p}-1` });
    await createUser(`${p}-u2`, { externalId: `${p}-2` });
    await createGroup(`${p}-g`, { externalId: `${p}-3` });
    const res = await scim('POST', '/.search', { schemas: [SEARCH_URN], filter: `externalId sw "${p}"`, count: 2 });
    expect(expectList(res).length).toBeLessThanOrEqual(2);
    expect(res.body.totalResults).toBe(3);
  });
});
