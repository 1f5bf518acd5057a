/**
 * Cursor-based paging, RFC 9865: the `cursor` query parameter (empty or bare for the first page),
 * `nextCursor` on every page but the last (§2), the `invalidCursor` error (§2.2), sorting of
 * cursor pages (§2.3), POST /.search with `cursor` (§3) and the `pagination` block of
 * /ServiceProviderConfig (§4).
 */
import { describe, expect, it } from 'vitest';
import { SEARCH_URN, createGroup, scim } from '../helpers/scim';
import { createUsers, expectList, expectScimError, expectStatus, serviceProviderConfig, tag } from './support';

const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;

async function seed(n: number): Promise<{ p: string; ids: string[] }> {
  const p = tag('cur');
  const users = await createUsers(Array.from({ length: n }, (_, i) => `${p}-${String(i).padStart(2, '0')}`));
  return { p, ids: users.map((u) => u.id).sort() };
}

const filterParam = (p: string) => `filter=${encodeURIComponent(`userName sw "${p}"`)}`;

/** Follow nextCursor from the first page; returns every page's body. */
async function walk(path: string, query: string, firstCursor: string): Promise<any[]> {
  const pages: any[] = [];
  let cursor = firstCursor;
  for (let guard = 0; guard < 50; guard++) {
    const res = await scim('GET', `${path}?${query}&${cursor}`);
    expectList(res);
    pages.push(res.body);
    if (res.body.nextCursor === undefined || res.body.nextCursor === null) return pages;
    cursor = `cursor=${encodeURIComponent(res.body.nextCursor)}`;
  }
  throw new Error('cursor walk did not terminate');
}

describe('RFC 9865 §4 advertising cursor paging', () => {
  it('ServiceProviderConfig has pagination.cursor and pagination.index true', async () => {
    const spc = await serviceProviderConfig();
    expect(spc.pagination?.cursor).toBe(true);
    expect(spc.pagination?.index).toBe(true);
    for (const key of ['defaultPageSize', 'maxPageSize', 'cursorTimeout']) {
      if (spc.pagination[key] !== undefined) expect(Number.isInteger(spc.pagination[key]) && spc.pagination[key] > 0, key).toBe(true);
    }
  });
});

describe('RFC 9865 §2 cursor query parameter and nextCursor', () => {
  it('a bare `cursor` starts cursor paging: the first page carries nextCursor', async () => {
    const { p } = await seed(5);
    const res = await scim('GET', `/Users?${filterParam(p)}&cursor&count=2`);
    const resources = expectList(res);
    expect(resources.length).toBeLessThanOrEqual(2);
    expect(resources.length).toBeGreaterThan(0);
    expect(typeof res.body.nextCursor).toBe('string');
    expect(res.body.nextCursor).toMatch(UNRESERVED);
    if (res.body.totalResults !== undefined) expect(res.body.totalResults).toBe(5);
  });

  it('an empty `cursor=` value also starts cursor paging', async () => {
    const { p } = await seed(3);
    const res = await scim('GET', `/Users?${filterParam(p)}&cursor=&count=2`);
    expectList(res);
    expect(typeof res.body.nextCursor).toBe('string');
  });

  it('walking nextCursor returns every matching resource exactly once; the last page has no nextCursor', async () => {
    const { p, ids } = await seed(7);
    const pages = await walk('/Users', `${filterParam(p)}&count=2`, 'cursor=');
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.length).toBeLessThanOrEqual(5);
    const seen = pages.flatMap((b) => (b.Resources ?? []).map((r: any) => r.id));
    expect(seen).toHaveLength(7);
    expect([...seen].sort()).toEqual(ids);
    for (const page of pages) expect((page.Resources ?? []).length).toBeLessThanOrEqual(2);
    for (const page of pages.slice(0, -1)) expect(page.nextCursor).toMatch(UNRESERVED);
    expect(pages.at(-1).nextCursor ?? undefined).toBeUndefined();
  });

  it('a single page that holds everything has no nextCursor', async () => {
    const { p } = await seed(2);
    const res = await scim('GET', `/Users?${filterParam(p)}&cursor&count=10`);
    expect(expectList(res)).toHaveLength(2);
    expect(res.body.nextCursor ?? undefined).toBeUndefined();
  });

  it('keeps sortBy order across cursor pages (§2.3)', async () => {
    const { p } = await seed(5);
    const pages = await walk('/Users', `${filterParam(p)}&count=2&sortBy=userName&sortOrder=descending`, 'cursor');
    const userNames = pages.flatMap((b) => (b.Resources ?? []).map((r: any) => r.userName));
    expect(userNames).toEqual([4, 3, 2, 1, 0].map((i) => `${p}-0${i}`));
  });

  it('pages groups with a cursor', async () => {
    const p = tag('curg');
    const made = [];
    for (const i of [1, 2, 3]) made.push((await createGroup(`${p}-${i}`)).id);
    const pages = await walk('/Groups', `filter=${encodeURIComponent(`displayName sw "${p}"`)}&count=1`, 'cursor');
    const seen = pages.flatMap((b) => (b.Resources ?? []).map((r: any) => r.id));
    expect([...seen].sort()).toEqual(made.sort());
  });

  it('if previousCursor is offered, it leads back to the previous page', async () => {
    const { p } = await seed(4);
    const first = await scim('GET', `/Users?${filterParam(p)}&count=2&sortBy=userName&cursor`);
    expectStatus(first, 200);
    const second = await scim('GET', `/Users?${filterParam(p)}&count=2&sortBy=userName&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expectStatus(second, 200);
    if (second.body.previousCursor === undefined) return; // previousCursor is OPTIONAL
    const back = await scim('GET', `/Users?${filterParam(p)}&count=2&sortBy=userName&cursor=${encodeURIComponent(second.body.previousCursor)}`);
    expectStatus(back, 200);
    expect(back.body.Resources.map((r: any) => r.id)).toEqual(first.body.Resources.map((r: any) => r.id));
  });
});

describe('RFC 9865 §2.2 pagination errors', () => {
  it('an unknown cursor value: 400 invalidCursor', async () => {
    expectScimError(await scim('GET', '/Users?cursor=notARealCursor123&count=2'), 400, 'invalidCursor');
  });
});

describe('RFC 9865 §3 cursor paging through POST /.search', () => {
  it('accepts cursor "" in a SearchRequest and returns nextCursor', async () => {
    const { p, ids } = await seed(3);
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    for (let guard = 0; guard < 10; guard++) {
      const res = await scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter: `userName sw "${p}"`, cursor, count: 2 });
      seen.push(...expectList(res).map((r) => r.id));
      pages++;
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(seen.sort()).toEqual(ids);
  });
});
