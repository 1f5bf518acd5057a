/**
 * Sorting (RFC 7644 §3.4.2.3) and index-based paging (§3.4.2.4). Page-size limits are read from
 * /ServiceProviderConfig (RFC 9865 `pagination`) with the design defaults (100 / 1000) as fallback.
 */
import { describe, expect, it } from 'vitest';
import { createGroup, scim } from '../helpers/scim';
import { createUsers, expectList, expectScimError, expectStatus, pageSizes, qs, serviceProviderConfig, tag } from './support';

async function list(params: Record<string, string | number | boolean | undefined>) {
  const res = await scim('GET', `/Users${qs(params)}`);
  const resources = expectList(res);
  return { res, body: res.body, resources, userNames: resources.map((r) => r.userName as string) };
}

describe('RFC 7644 §3.4.2.3 sorting', () => {
  it('is advertised (sort.supported)', async () => {
    expect((await serviceProviderConfig()).sort?.supported).toBe(true);
  });

  it('sortBy=userName sorts ascending by default, case-insensitively (caseExact false)', async () => {
    const p = tag('s');
    await createUsers([`${p}-delta`, `${p}-Alpha`, `${p}-charlie`, `${p}-Bravo`]);
    const { userNames } = await list({ filter: `userName sw "${p}"`, sortBy: 'userName' });
    expect(userNames).toEqual([`${p}-Alpha`, `${p}-Bravo`, `${p}-charlie`, `${p}-delta`]);
  });

  it('sortOrder=descending reverses the order', async () => {
    const p = tag('s');
    await createUsers([`${p}-delta`, `${p}-Alpha`, `${p}-charlie`, `${p}-Bravo`]);
    const { userNames } = await list({ filter: `userName sw "${p}"`, sortBy: 'userName', sortOrder: 'descending' });
    expect(userNames).toEqual([`${p}-delta`, `${p}-charlie`, `${p}-Bravo`, `${p}-Alpha`]);
  });

  it('sorts by a sub-attribute (name.familyName)', async () => {
    const p = tag('s');
    const fam = ['Young', 'adams', 'Miller'];
    await createUsers([`${p}-1`, `${p}-2`, `${p}-3`], (_n, i) => ({ name: { familyName: fam[i] } }));
    const { resources } = await list({ filter: `userName sw "${p}"`, sortBy: 'name.familyName', sortOrder: 'ascending' });
    expect(resources.map((r) => r.name.familyName)).toEqual(['adams', 'Miller', 'Young']);
  });

  it('sorts a multi-valued attribute by its primary value, else its first value', async () => {
    const p = tag('s');
    const [a, b, c] = await createUsers(
      [`${p}-a`, `${p}-b`, `${p}-c`],
      (_n, i) =>
        [
          { emails: [{ value: 'a-other@x.example' }, { value: 'c-primary@x.example', primary: true }] },
          { emails: [{ value: 'z-other@x.example' }, { value: 'a-primary@x.example', primary: true }] },
          { emails: [{ value: 'b-only@x.example' }] },
        ][i]!,
    );
    const { resources } = await list({ filter: `userName sw "${p}"`, sortBy: 'emails' });
    expect(resources.map((r) => r.id)).toEqual([b.id, c.id, a.id]);
  });

  it('sorts by meta.created', async () => {
    const p = tag('s');
    const created = await createUsers([`${p}-first`]);
    await new Promise((r) => setTimeout(r, 1100));
    const later = await createUsers([`${p}-second`]);
    const { resources } = await list({ filter: `userName sw "${p}"`, sortBy: 'meta.created', sortOrder: 'descending' });
    expect(resources.map((r) => r.id)).toEqual([later[0].id, created[0].id]);
  });

  it('sorts groups by displayName', async () => {
    const p = tag('sg');
    await createGroup(`${p}-b`);
    await createGroup(`${p}-A`);
    await createGroup(`${p}-c`);
    const res = await scim('GET', `/Groups${qs({ filter: `displayName sw "${p}"`, sortBy: 'displayName' })}`);
    expect(expectList(res).map((g) => g.displayName)).toEqual([`${p}-A`, `${p}-b`, `${p}-c`]);
  });
});

describe('RFC 7644 §3.4.2.4 index-based paging', () => {
  async function five(): Promise<string> {
    const p = tag('pg');
    await createUsers([1, 2, 3, 4, 5].map((i) => `${p}-${i}`));
    return p;
  }

  it('returns totalResults for the whole filtered set, and startIndex / itemsPerPage as integers', async () => {
    const p = await five();
    const { body, userNames } = await list({ filter: `userName sw "${p}"`, sortBy: 'userName', startIndex: 1, count: 2 });
    expect(body.totalResults).toBe(5);
    expect(body.startIndex).toBe(1);
    expect(body.itemsPerPage).toBe(2);
    expect(userNames).toEqual([`${p}-1`, `${p}-2`]);
  });

  it('startIndex is 1-based', async () => {
    const p = await five();
    const page = await list({ filter: `userName sw "${p}"`, sortBy: 'userName', startIndex: 3, count: 2 });
    expect(page.userNames).toEqual([`${p}-3`, `${p}-4`]);
    expect(page.body.startIndex).toBe(3);
    const last = await list({ filter: `userName sw "${p}"`, sortBy: 'userName', startIndex: 5, count: 2 });
    expect(last.userNames).toEqual([`${p}-5`]);
    expect(last.body.itemsPerPage).toBe(1);
    expect(last.body.totalResults).toBe(5);
  });

  it('a startIndex past the end gives an empty page with the right totalResults', async () => {
    const p = await five();
    const page = await list({ filter: `userName sw "${p}"`, startIndex: 6, count: 2 });
    expect(page.resources).toEqual([]);
    expect(page.body.totalResults).toBe(5);
  });

  it('a startIndex below 1 is treated as 1', async () => {
    const p = await five();
    for (const startIndex of [0, -4]) {
      const page = await list({ filter: `userName sw "${p}"`, sortBy: 'userName', startIndex, count: 1 });
      expect(page.userNames).toEqual([`${p}-1`]);
      expect(page.body.startIndex).toBe(1);
    }
  });

  it('count=0 returns totalResults only', async () => {
    const p = await five();
    const page = await list({ filter: `userName sw "${p}"`, count: 0 });
    expect(page.resources).toEqual([]);
    expect(page.body.totalResults).toBe(5);
    expect(page.body.itemsPerPage ?? 0).toBe(0);
  });

  it('a negative count is treated as 0', async () => {
    const p = await five();
    const page = await list({ filter: `userName sw "${p}"`, count: -1 });
    expect(page.resources).toEqual([]);
    expect(page.body.totalResults).toBe(5);
  });

  it('walking pages without sortBy returns every resource exactly once (stable order)', async () => {
    const p = await five();
    const seen: string[] = [];
    for (let startIndex = 1; startIndex <= 5; startIndex += 2) {
      seen.push(...(await list({ filter: `userName sw "${p}"`, startIndex, count: 2 })).userNames);
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5].map((i) => `${p}-${i}`));
    const again: string[] = [];
    for (let startIndex = 1; startIndex <= 5; startIndex += 2) {
      again.push(...(await list({ filter: `userName sw "${p}"`, startIndex, count: 2 })).userNames);
    }
    expect(again).toEqual(seen);
  });

  it('a page past the first by startIndex holds the same users, with their groups, as that slice of one page, in every order', async () => {
    const p = await five();
    // two members: whatever order the users were created in, one is past the first place
    const members = (await list({ filter: `userName eq "${p}-4" or userName eq "${p}-5"` })).resources.map((r) => r.id as string);
    const g = await createGroup(`${p}-group`, { members: members.map((value) => ({ value })) });
    for (const order of [{}, { sortBy: 'userName', sortOrder: 'descending' }, { sortBy: 'emails' }, { sortBy: 'meta.created' }]) {
      const whole = (await list({ filter: `userName sw "${p}"`, ...order, count: 5 })).resources;
      for (const [startIndex, count] of [
        [2, 2],
        [3, 3],
        [5, 1],
      ] as const) {
        const page = await list({ filter: `userName sw "${p}"`, ...order, startIndex, count });
        expect(page.body.totalResults).toBe(5);
        expect(page.resources).toEqual(whole.slice(startIndex - 1, startIndex - 1 + count));
      }
    }
    // the pages compared above carry the groups too (read in the same statement)
    const byPk = (await list({ filter: `userName sw "${p}"`, count: 5 })).resources.map((r) => r.id as string);
    const deepest = Math.max(...members.map((id) => byPk.indexOf(id) + 1));
    expect(deepest).toBeGreaterThan(1);
    expect((await list({ filter: `userName sw "${p}"`, startIndex: deepest, count: 1 })).resources[0]!.groups).toEqual([
      expect.objectContaining({ value: g.id }),
    ]);
  });

  it('a count above the maximum is clamped, not rejected', async () => {
    const p = await five();
    const { maxPageSize } = await pageSizes();
    const page = await list({ filter: `userName sw "${p}"`, count: maxPageSize * 10 });
    expect(page.resources).toHaveLength(5);
    expect(page.body.itemsPerPage).toBeLessThanOrEqual(maxPageSize);
  });

  it('pages groups too', async () => {
    const p = tag('pgg');
    for (const i of [1, 2, 3]) await createGroup(`${p}-${i}`);
    const res = await scim('GET', `/Groups${qs({ filter: `displayName sw "${p}"`, sortBy: 'displayName', startIndex: 2, count: 1 })}`);
    const page = expectList(res);
    expect(page.map((g) => g.displayName)).toEqual([`${p}-2`]);
    expect(res.body.totalResults).toBe(3);
  });

  it('uses the default page size when count is absent, and walks past it Okta-style (startIndex += count)', async () => {
    const { defaultPageSize } = await pageSizes();
    expect(defaultPageSize).toBe(100);
    const p = tag('big');
    const total = defaultPageSize + 5;
    await createUsers(Array.from({ length: total }, (_, i) => `${p}-${String(i).padStart(4, '0')}`));
    const first = await list({ filter: `userName sw "${p}"` });
    expect(first.body.totalResults).toBe(total);
    expect(first.resources).toHaveLength(defaultPageSize);
    const seen = new Set<string>();
    for (let startIndex = 1; startIndex <= total; startIndex += 100) {
      for (const r of (await list({ filter: `userName sw "${p}"`, startIndex, count: 100 })).resources) seen.add(r.id);
    }
    expect(seen.size).toBe(total);
  }, 30_000);

  it('answers a non-numeric count or startIndex with 400 or the default, never 500', async () => {
    for (const query of ['?count=abc', '?startIndex=abc']) {
      const res = await scim('GET', `/Users${query}`);
      if (res.status === 200) continue; // treating garbage as the default is also acceptable
      expectScimError(res, 400);
    }
  });
});

describe('RFC 7644 §3.4.2 list response shape', () => {
  it('an unfiltered list is a ListResponse', async () => {
    const res = await scim('GET', '/Users?count=1');
    expectStatus(res, 200);
    expectList(res);
    expect(res.body.itemsPerPage).toBeLessThanOrEqual(1);
  });
});
