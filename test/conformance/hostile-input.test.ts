/**
 * Bad input must be refused without changing stored data: RFC 7644 §3.12 (invalidSyntax,
 * invalidValue, invalidFilter, tooMany), §3.5.2 (a failed PATCH leaves the resource unchanged)
 * and §7 security considerations. After every refused request the existing resource is read back
 * and must be byte-for-byte the same, with the same meta.version.
 *
 * The corpus at the end (issue 10) is table-driven: every class of input that once produced a
 * 5xx, each case answered with a SCIM error (`schemas`, `status` as a string, `scimType`) or a
 * success, never a 5xx. It prints how many cases it tried and how many 5xx it saw (goal 0).
 */
import { SELF } from 'cloudflare:test';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../helpers/api';
import { BASE, BULK_REQUEST_URN, GROUP_URN, SEARCH_URN, TEST_TOKEN, USER_URN, createGroup, createUser, scim, type ScimResponse } from '../helpers/scim';
import { expectScimError, expectStatus, findUsers, getGroup, getUser, patchBody, qs, snapshot, tag } from './support';

async function victim(): Promise<{ user: any; before: string }> {
  const user = await createUser(tag('victim'), {
    title: 'Original',
    active: true,
    name: { givenName: 'Vic', familyName: 'Tim' },
    emails: [{ type: 'work', value: 'vic@example.com', primary: true }],
  });
  return { user, before: snapshot(await getUser(user.id)) };
}

async function expectUnchanged(v: { user: any; before: string }): Promise<void> {
  const after = await getUser(v.user.id);
  expect(after.meta.version).toBe(v.user.meta.version);
  expect(snapshot(after)).toBe(v.before);
}

function nested(depth: number, leaf: string): string {
  return '['.repeat(depth) + leaf + ']'.repeat(depth);
}

describe('malformed bodies change nothing', () => {
  it('malformed JSON on PUT: 400 invalidSyntax', async () => {
    const v = await victim();
    expectScimError(await scim('PUT', `/Users/${v.user.id}`, undefined, { raw: '{"userName": "x", "title": "Changed"' }), 400, 'invalidSyntax');
    await expectUnchanged(v);
  });

  it('malformed JSON on PATCH: 400 invalidSyntax', async () => {
    const v = await victim();
    expectScimError(
      await scim('PATCH', `/Users/${v.user.id}`, undefined, { raw: '{"Operations": [{"op": "replace", "path": "title", "value": "Changed"}' }),
      400,
      'invalidSyntax',
    );
    await expectUnchanged(v);
  });

  it('deeply nested JSON (10,000 levels): 400', async () => {
    const v = await victim();
    const raw = `{"schemas":["${USER_URN}"],"userName":"${v.user.userName}","title":${nested(10_000, '"x"')}}`;
    const put = await scim('PUT', `/Users/${v.user.id}`, undefined, { raw });
    expectScimError(put, 400);
    const patch = await scim('PATCH', `/Users/${v.user.id}`, undefined, {
      raw: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":${nested(10_000, '"x"')}}]}`,
    });
    expectScimError(patch, 400);
    await expectUnchanged(v);
  });

  it('a 2 MB body: 413 or 400, and nothing is stored', async () => {
    const v = await victim();
    const big = 'x'.repeat(2 * 1024 * 1024);
    const put = await scim('PUT', `/Users/${v.user.id}`, { schemas: [USER_URN], userName: v.user.userName, title: big });
    expect([400, 413]).toContain(put.status);
    expectScimError(put, put.status);
    await expectUnchanged(v);
    const userName = tag('huge');
    const post = await scim('POST', '/Users', { schemas: [USER_URN], userName, displayName: big });
    expect([400, 413]).toContain(post.status);
    expect(await findUsers(`userName eq "${userName}"`)).toHaveLength(0);
  });
});

describe('wrongly typed values: 400 invalidValue and nothing changes', () => {
  it('active: "maybe" on PUT and PATCH', async () => {
    const v = await victim();
    expectScimError(await scim('PUT', `/Users/${v.user.id}`, { schemas: [USER_URN], userName: v.user.userName, active: 'maybe' }), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'replace', path: 'active', value: 'maybe' })), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'replace', value: { active: 'maybe' } })), 400, 'invalidValue');
    await expectUnchanged(v);
  });

  it('userName: 42 on PUT and PATCH', async () => {
    const v = await victim();
    expectScimError(await scim('PUT', `/Users/${v.user.id}`, { schemas: [USER_URN], userName: 42 }), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'replace', path: 'userName', value: 42 })), 400, 'invalidValue');
    await expectUnchanged(v);
  });

  it('a complex attribute given a string, a multi-valued one given an object of the wrong shape', async () => {
    const v = await victim();
    expectScimError(await scim('PUT', `/Users/${v.user.id}`, { schemas: [USER_URN], userName: v.user.userName, name: 'Vic Tim' }), 400, 'invalidValue');
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'add', path: 'emails', value: [{ value: 7 }] })), 400, 'invalidValue');
    await expectUnchanged(v);
  });

  it('clearing the required userName (null or remove): 400', async () => {
    const v = await victim();
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'replace', path: 'userName', value: null })), 400);
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'remove', path: 'userName' })), 400);
    await expectUnchanged(v);
  });

  it('a PATCH whose Operations is not an array', async () => {
    const v = await victim();
    expectScimError(
      await scim('PATCH', `/Users/${v.user.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: { op: 'replace', path: 'title', value: 'x' },
      }),
      400,
    );
    await expectUnchanged(v);
  });

  it('a group member that is not a string', async () => {
    const g = await createGroup(tag('HG'));
    const before = snapshot(await getGroup(g.id));
    expectScimError(await scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'add', path: 'members', value: [{ value: { id: 1 } }] })), 400, 'invalidValue');
    expectScimError(await scim('PUT', `/Groups/${g.id}`, { schemas: [GROUP_URN], displayName: 12 }), 400, 'invalidValue');
    expect(snapshot(await getGroup(g.id))).toBe(before);
  });
});

describe('hostile filters are refused cleanly', () => {
  it('10,000 nested parentheses: 400 invalidFilter (or tooMany)', async () => {
    const v = await victim();
    const filter = `${'('.repeat(10_000)}userName eq "${v.user.userName}"${')'.repeat(10_000)}`;
    expectScimError(await scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter }), 400, ['invalidFilter', 'tooMany']);
    const viaGet = `${'('.repeat(2_000)}userName eq "x"${')'.repeat(2_000)}`;
    expectScimError(await scim('GET', `/Users${qs({ filter: viaGet })}`), 400, ['invalidFilter', 'tooMany']);
    await expectUnchanged(v);
  });

  it('10,000 nested not(): 400 invalidFilter (or tooMany)', async () => {
    const filter = `${'not ('.repeat(10_000)}userName pr${')'.repeat(10_000)}`;
    expectScimError(await scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter }), 400, ['invalidFilter', 'tooMany']);
  });

  it('a filter with too many terms: 400 invalidFilter or tooMany', async () => {
    const filter = Array.from({ length: 1000 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expectScimError(await scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter }), 400, ['invalidFilter', 'tooMany']);
  });

  it('a deeply nested PATCH value-path filter: 400', async () => {
    const v = await victim();
    const path = `emails[${'('.repeat(5_000)}type eq "work"${')'.repeat(5_000)}].value`;
    expectScimError(await scim('PATCH', `/Users/${v.user.id}`, patchBody({ op: 'replace', path, value: 'evil@example.com' })), 400, [
      'invalidPath',
      'invalidFilter',
      'tooMany',
    ]);
    await expectUnchanged(v);
  });

  it('SQL-looking values are just values', async () => {
    const v = await victim();
    for (const value of [`x" or "1"="1`, `'; DROP TABLE users; --`, '%', '_', '\\', '\u0000']) {
      const res = await scim('GET', `/Users${qs({ filter: `userName eq ${JSON.stringify(value)}` })}`);
      expect([200, 400]).toContain(res.status);
      if (res.status === 200) expect(res.body.totalResults).toBe(0);
    }
    await expectUnchanged(v);
    expect((await findUsers(`userName eq "${v.user.userName}"`)).map((r) => r.id)).toEqual([v.user.id]);
  });

  it('huge startIndex and count are harmless', async () => {
    const res = await scim('GET', '/Users?startIndex=1000000000000&count=1000000000000');
    expectStatus(res, 200);
    expect(res.body.Resources ?? []).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The hostile corpus of issue 10.

let tried = 0;
const fiveHundreds: string[] = [];

/** One request of the corpus: counted, and any 5xx recorded with its name before asserting. */
async function hostile(name: string, send: () => Promise<ScimResponse>): Promise<ScimResponse> {
  const res = await send();
  tried++;
  if (res.status >= 500) fiveHundreds.push(`${name}: ${res.status} ${res.text.slice(0, 200)}`);
  expect(res.status, `${name}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  return res;
}

afterAll(() => {
  console.log(`hostile corpus: ${tried} cases tried, ${fiveHundreds.length} answered 5xx${fiveHundreds.length ? `:\n${fiveHundreds.join('\n')}` : ''}`);
});

const chain = (n: number, term: string, op: 'or' | 'and') => Array.from({ length: n }, () => term).join(` ${op} `);
const nestedParens = (depth: number, inner: string) => `${'('.repeat(depth)}${inner}${')'.repeat(depth)}`;
/** `not (a or not (a or …))`: every level adds a NOT and an OR to the SQL. */
const alternating = (depth: number, term: string) => `${`not (${term} or `.repeat(depth)}${term}${')'.repeat(depth)}`;
const search = (filter: string) => scim('POST', '/Users/.search', { schemas: [SEARCH_URN], filter });

describe('hostile corpus: long and deep filters answer 200 or 400 invalidFilter, never 5xx', () => {
  it('98 `userName pr or …` terms (1,466 characters) are a working filter, not a SQLite depth error', async () => {
    const v = await victim();
    const filter = chain(98, 'userName pr', 'or');
    expect(filter.length).toBe(1466);
    const res = await hostile('98 pr-or terms', () => scim('GET', `/Users${qs({ filter, count: 1 })}`));
    expectStatus(res, 200);
    expect(res.body.totalResults).toBeGreaterThanOrEqual(1);
    const viaSearch = await hostile('98 pr-or terms via .search', () => search(`${chain(97, 'userName pr', 'or')} or userName eq "${v.user.userName}"`));
    expectStatus(viaSearch, 200);
  });

  it('chains up to the filter length cap work, with and, or and both mixed', async () => {
    const v = await victim();
    const cases: [string, string][] = [
      ['270 pr-or terms', chain(270, 'userName pr', 'or')],
      ['250 pr-and terms', chain(250, 'userName pr', 'and')],
      [
        'mixed and/or terms',
        Array.from({ length: 200 }, (_, i) => 'title pr')
          .join(' or ')
          .replace(/ or /g, (m, i) => (i % 3 ? ' and ' : m)),
      ],
      ['80 eq-or terms on an indexed column', Array.from({ length: 80 }, (_, i) => `userName eq "${i === 79 ? v.user.userName : `nobody${i}`}"`).join(' or ')],
      ['25 ew-or terms (the deepest comparison)', chain(25, 'title ew "al"', 'or')],
      ['a long chain inside a value path', `emails[${chain(25, 'value ew "example.com"', 'or')}]`],
      ['a long chain of value paths', chain(40, 'emails[type eq "work" and value pr]', 'or')],
      ['a long chain over the JSON body', chain(80, 'name.givenName pr', 'and')],
      ['a long chain on groups', chain(80, 'groups.value pr', 'or')],
    ];
    for (const [name, filter] of cases) {
      expect(filter.length).toBeLessThanOrEqual(4096);
      expectStatus(await hostile(name, () => search(filter)), 200);
    }
  });

  it('nesting at the parser limit of 50 levels is answered (200), also around long chains', async () => {
    const cases: [string, string][] = [
      ['50 nested parentheses', nestedParens(50, 'userName pr')],
      ['49 nested not()', `${'not ('.repeat(49)}userName pr${')'.repeat(49)}`],
      ['49 alternating not/or levels', alternating(49, 'userName pr')],
      ['29 alternating not/or levels of ew (90 bound values)', alternating(29, 'title ew "x"')],
      ['48 alternating levels around a value path', alternating(48, 'emails[value ew "x" or type eq "work"]')],
      ['a chain at every one of 30 levels', `${'(userName pr or userName pr or '.repeat(30)}userName pr${')'.repeat(30)}`],
      ['50 nested parentheses around a 98-term chain', nestedParens(50, chain(98, 'userName pr', 'or'))],
      // Just inside the compiler's depth budget: these must reach SQLite and come back.
      ['41 alternating levels over the JSON body', alternating(41, 'name.givenName pr')],
      ['41 alternating levels with an ew at the bottom', `${'not (userName pr or '.repeat(41)}title ew "x"${')'.repeat(41)}`],
      ['40 alternating levels of value paths', alternating(40, 'emails[value pr]')],
      ['40 alternating levels of groups', alternating(40, 'groups.value pr')],
    ];
    for (const [name, filter] of cases) {
      for (const send of [
        () => search(filter),
        () => scim('GET', `/Users${qs({ filter, cursor: true, count: 1 })}`),
        () => scim('POST', '/.search', { filter, count: 1 }),
      ]) {
        const res = await hostile(name, send);
        // 90 bound values at most: a filter of many value paths is tooMany before its depth counts.
        if (res.status !== 200) expectScimError(res, 400, ['invalidFilter', 'tooMany']);
      }
    }
  });

  it('nesting past the parser limit is 400 invalidFilter', async () => {
    for (const [name, filter] of [
      ['51 nested parentheses', nestedParens(51, 'userName pr')],
      ['100 alternating not/or levels', alternating(100, 'userName pr')],
      ['a value path nested 60 deep', `${'not ('.repeat(60)}emails[value pr]${')'.repeat(60)}`],
    ]) {
      expectScimError(await hostile(name!, () => search(filter!)), 400, 'invalidFilter');
    }
  });
});

describe('hostile corpus: every numeric parameter is clamped or refused before SQL', () => {
  it('startIndex and count of 20 digits, negative or not, are a 200 with an empty page or the first page', async () => {
    for (const resource of ['Users', 'Groups']) {
      for (const query of [
        'startIndex=99999999999999999999',
        'startIndex=-99999999999999999999',
        'count=99999999999999999999',
        'count=-99999999999999999999',
        'startIndex=99999999999999999999&count=99999999999999999999',
        'startIndex=9007199254740993&count=1',
        'startIndex=%2B5',
      ]) {
        const res = await hostile(`GET /${resource}?${query}`, () => scim('GET', `/${resource}?${query}`));
        expectStatus(res, 200);
      }
      expect((await scim('GET', `/${resource}?startIndex=99999999999999999999`)).body.Resources ?? []).toEqual([]);
    }
  });

  it('numbers that are not integers are 400 invalidValue', async () => {
    for (const query of ['startIndex=1e308', 'startIndex=2%5E64', 'count=1.5', 'startIndex=0x10', 'count=ten', 'startIndex=NaN', 'count=Infinity']) {
      expectScimError(await hostile(`GET /Users?${query}`, () => scim('GET', `/Users?${query}`)), 400, 'invalidValue');
    }
  });

  it('in a SearchRequest body, 1e308 and 2^64 as JSON numbers are clamped; "2^64", 1.5, true and [] are refused', async () => {
    const raws: [string, string, number][] = [
      ['startIndex 1e308', `{"schemas":["${SEARCH_URN}"],"startIndex":1e308}`, 200],
      ['startIndex 2^64', `{"schemas":["${SEARCH_URN}"],"startIndex":18446744073709551616}`, 200],
      ['startIndex -1e308', `{"schemas":["${SEARCH_URN}"],"startIndex":-1e308}`, 200],
      ['count 1e308', `{"schemas":["${SEARCH_URN}"],"count":1e308}`, 200],
      ['count 2^64 with startIndex 2^64', `{"schemas":["${SEARCH_URN}"],"count":18446744073709551616,"startIndex":18446744073709551616}`, 200],
      ['startIndex "2^64"', `{"schemas":["${SEARCH_URN}"],"startIndex":"2^64"}`, 400],
      ['startIndex 1.5', `{"schemas":["${SEARCH_URN}"],"startIndex":1.5}`, 400],
      ['count true', `{"schemas":["${SEARCH_URN}"],"count":true}`, 400],
      ['count []', `{"schemas":["${SEARCH_URN}"],"count":[]}`, 400],
      ['count {}', `{"schemas":["${SEARCH_URN}"],"count":{}}`, 400],
    ];
    for (const path of ['/Users/.search', '/Groups/.search', '/.search']) {
      for (const [name, raw, status] of raws) {
        const res = await hostile(`${path} ${name}`, () => scim('POST', path, undefined, { raw }));
        if (status === 200) expectStatus(res, 200);
        else expectScimError(res, 400, 'invalidValue');
      }
    }
  });

  it('a cursor carrying an out-of-range offset is 400 invalidCursor', async () => {
    // The cursor is opaque but not secret: a client can forge one with the right fingerprint.
    const first = await scim('GET', `/Users${qs({ cursor: true, count: 1, sortBy: 'userName' })}`);
    expectStatus(first, 200);
    const decoded = JSON.parse(atob(first.body.nextCursor.replace(/-/g, '+').replace(/_/g, '/')));
    const encode = (state: unknown) => btoa(JSON.stringify(state)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    for (const [name, state] of [
      ['o 1e308', { ...decoded, o: 1e308 }],
      ['o 2^64', { ...decoded, o: 2 ** 64 }],
      ['o -1', { ...decoded, o: -1 }],
      ['k as a string beside a valid o', { ...decoded, k: '5' }],
    ] as const) {
      const res = await hostile(`cursor ${name}`, () => scim('GET', `/Users${qs({ cursor: encode(state), count: 1, sortBy: 'userName' })}`));
      expectScimError(res, 400, 'invalidCursor');
    }
  });
});

const deep = (depth: number) => nested(depth, '1');

describe('hostile corpus: bodies nested 100,000 deep are 400 invalidSyntax wherever they appear', () => {
  it('inside the data of a Bulk operation, a PATCH, a SearchRequest and a create; nothing is written', async () => {
    const v = await victim();
    const userName = tag('deep');
    const bodies: [string, string, string][] = [
      [
        'Bulk data',
        '/Bulk',
        `{"schemas":["${BULK_REQUEST_URN}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"schemas":["${USER_URN}"],"userName":"${userName}"}},{"method":"PATCH","path":"/Users/${v.user.id}","data":{"Operations":[{"op":"replace","path":"title","value":${deep(100_000)}}]}}]}`,
      ],
      [
        'Bulk data (objects)',
        '/Bulk',
        `{"schemas":["${BULK_REQUEST_URN}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`,
      ],
      ['.search body', '/Users/.search', `{"schemas":["${SEARCH_URN}"],"attributes":${deep(100_000)}}`],
      ['root .search body', '/.search', `{"schemas":["${SEARCH_URN}"],"filter":${deep(100_000)}}`],
      ['group .search body', '/Groups/.search', `{"schemas":["${SEARCH_URN}"],"sortBy":${deep(100_000)}}`],
      ['create', '/Users', `{"schemas":["${USER_URN}"],"userName":"${userName}","name":${deep(100_000)}}`],
      ['33 levels, just past the limit', '/Users', `{"schemas":["${USER_URN}"],"userName":"${userName}","x":${deep(32)}}`],
    ];
    for (const [name, path, raw] of bodies) {
      expectScimError(await hostile(`deep ${name}`, () => scim('POST', path, undefined, { raw })), 400, 'invalidSyntax');
    }
    expectScimError(
      await hostile('deep PATCH', () =>
        scim('PATCH', `/Users/${v.user.id}`, undefined, {
          raw: `{"Operations":[{"op":"add","value":${'{"title":'.repeat(100_000)}"x"${'}'.repeat(100_000)}}]}`,
        }),
      ),
      400,
      'invalidSyntax',
    );
    await expectUnchanged(v);
    expect(await findUsers(`userName eq "${userName}"`)).toHaveLength(0);
  });
});

describe('hostile corpus: a Bulk always answers 200 with a status per operation', () => {
  it('a bad percent-encoding in the path of one operation is its own 400 invalidPath; the others apply', async () => {
    const v = await victim();
    const userName = tag('bulkok');
    const paths = ['/Users/%E0%A4%A', '/Users/%', '/Users/%ZZ', '/Groups/%C0%AF', '/Users/%ED%A0%80'];
    const res = await hostile('bulk with bad percent-encodings', () =>
      scim('POST', '/Bulk', {
        schemas: [BULK_REQUEST_URN],
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'first', data: { schemas: [USER_URN], userName } },
          ...paths.map((path) => ({ method: 'PATCH', path, data: patchBody({ op: 'replace', path: 'title', value: 'x' }) })),
          { method: 'PATCH', path: `/Users/${v.user.id}`, data: patchBody({ op: 'replace', path: 'title', value: 'After' }) },
        ],
      }),
    );
    expectStatus(res, 200);
    const ops = res.body.Operations as any[];
    expect(ops.map((o) => o.status)).toEqual(['201', ...paths.map(() => '400'), '200']);
    for (const op of ops.slice(1, -1)) {
      expect(op.response).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidPath' });
    }
    expect(await findUsers(`userName eq "${userName}"`)).toHaveLength(1);
    expect((await getUser(v.user.id)).title).toBe('After');
  });

  it('a batch of creates with a bad path among them still answers per operation', async () => {
    const names = [tag('run'), tag('run')];
    const res = await hostile('create run with a bad path', () =>
      scim('POST', '/Bulk', {
        schemas: [BULK_REQUEST_URN],
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER_URN], userName: names[0] } },
          { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: [USER_URN], userName: names[1] } },
          { method: 'POST', path: '/Users/%E0%A4%A', bulkId: 'c', data: { schemas: [USER_URN], userName: tag('run') } },
          { method: 'POST', path: '/Nowhere', bulkId: 'd', data: {} },
        ],
      }),
    );
    expectStatus(res, 200);
    expect((res.body.Operations as any[]).map((o) => o.status)).toEqual(['201', '201', '400', '400']);
  });
});

describe('hostile corpus: odd Bulk operations each get their own 4xx status', () => {
  it('data that is not an object, unknown references, paths without ids, huge versions', async () => {
    const v = await victim();
    const ops = [
      { method: 'POST', path: '/Users', bulkId: 's', data: 'a string' },
      { method: 'POST', path: '/Users', bulkId: 'n', data: null },
      { method: 'POST', path: '/Groups', bulkId: 'a', data: [1, 2] },
      { method: 'PATCH', path: '/Users/bulkId:nowhere', data: patchBody({ op: 'replace', path: 'title', value: 'x' }) },
      { method: 'DELETE', path: '/Users' },
      { method: 'PATCH', path: `/Users/${v.user.id}`, data: { Operations: 'x' } },
      { method: 'PATCH', path: `/Users/${v.user.id}`, version: 'W/"99999999999999999999"', data: patchBody({ op: 'replace', path: 'title', value: 'x' }) },
      { method: 'PUT', path: `/Users/${v.user.id}`, data: { schemas: [USER_URN], userName: v.user.userName, title: 'x', name: { givenName: 1 } } },
      { method: 'POST', path: '/Groups', bulkId: 'm', data: { schemas: [GROUP_URN], displayName: tag('bm'), members: ['bulkId:s'] } },
    ];
    const res = await hostile('bulk of odd operations', () => scim('POST', '/Bulk', { schemas: [BULK_REQUEST_URN], Operations: ops }));
    expectStatus(res, 200);
    const statuses = (res.body.Operations as any[]).map((o) => Number(o.status));
    expect(statuses).toHaveLength(ops.length);
    for (const [i, status] of statuses.entries()) {
      expect(status, JSON.stringify(ops[i])).toBeGreaterThanOrEqual(400);
      expect(status, JSON.stringify(ops[i])).toBeLessThan(500);
    }
    await expectUnchanged(v);
  });
});

describe('hostile corpus: ambiguous and malformed text is 400 invalidSyntax, never replaced or last-one-wins', () => {
  const dupes = (userName: string): [string, string][] => [
    ['userName twice, differently cased', `{"schemas":["${USER_URN}"],"userName":"${userName}","USERNAME":"other${userName}"}`],
    ['the same key twice', `{"schemas":["${USER_URN}"],"userName":"${userName}","title":"a","title":"b"}`],
    ['a sub-attribute twice', `{"schemas":["${USER_URN}"],"userName":"${userName}","name":{"givenName":"a","GivenName":"b"}}`],
    ['a key twice inside an element', `{"schemas":["${USER_URN}"],"userName":"${userName}","emails":[{"value":"a@x","Value":"b@x"}]}`],
    [
      'an extension URN twice',
      `{"schemas":["${USER_URN}"],"userName":"${userName}","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{},"URN:ietf:params:scim:schemas:extension:enterprise:2.0:User":{}}`,
    ],
    ['an escaped duplicate', `{"schemas":["${USER_URN}"],"userName":"${userName}","user\\u004eame":"x"}`],
  ];

  it('a member name given twice (case-insensitively, at any depth) in POST, PUT, PATCH, Bulk and .search', async () => {
    const v = await victim();
    const userName = tag('dup');
    for (const [name, raw] of dupes(userName)) {
      expectScimError(await hostile(`POST ${name}`, () => scim('POST', '/Users', undefined, { raw })), 400, 'invalidSyntax');
      expectScimError(
        await hostile(`PUT ${name}`, () => scim('PUT', `/Users/${v.user.id}`, undefined, { raw: raw.replace(userName, v.user.userName) })),
        400,
        'invalidSyntax',
      );
    }
    const elsewhere: [string, string, string, string][] = [
      ['PATCH op twice', 'PATCH', `/Users/${v.user.id}`, `{"Operations":[{"op":"replace","OP":"add","path":"title","value":"x"}]}`],
      ['PATCH value keys twice', 'PATCH', `/Users/${v.user.id}`, `{"Operations":[{"op":"replace","value":{"title":"x","Title":"y"}}]}`],
      ['PATCH Operations twice', 'PATCH', `/Users/${v.user.id}`, `{"Operations":[],"operations":[{"op":"replace","path":"title","value":"x"}]}`],
      [
        'Bulk data keys twice',
        'POST',
        '/Bulk',
        `{"schemas":["${BULK_REQUEST_URN}"],"Operations":[{"method":"PATCH","path":"/Users/${v.user.id}","data":{"Operations":[{"op":"replace","path":"title","value":"x","Value":"y"}]}}]}`,
      ],
      ['.search filter twice', 'POST', '/Users/.search', `{"filter":"userName pr","Filter":"title pr"}`],
    ];
    for (const [name, method, path, raw] of elsewhere) expectScimError(await hostile(name, () => scim(method, path, undefined, { raw })), 400, 'invalidSyntax');
    await expectUnchanged(v);
    expect(await findUsers(`userName eq "${userName}"`)).toHaveLength(0);
  });

  it('lone surrogates in escapes are 400, not stored', async () => {
    const v = await victim();
    const userName = tag('sur');
    for (const [name, escape] of [
      ['a lone high surrogate', '\\ud800'],
      ['a lone low surrogate', '\\udc00'],
      ['two high surrogates', '\\ud800\\ud800'],
      ['a reversed pair', '\\udc00\\ud800'],
    ]) {
      expectScimError(
        await hostile(`POST ${name}`, () => scim('POST', '/Users', undefined, { raw: `{"schemas":["${USER_URN}"],"userName":"${userName}${escape}"}` })),
        400,
        'invalidSyntax',
      );
      expectScimError(
        await hostile(`PATCH ${name}`, () =>
          scim('PATCH', `/Users/${v.user.id}`, undefined, { raw: `{"Operations":[{"op":"replace","path":"title","value":"x${escape}"}]}` }),
        ),
        400,
        'invalidSyntax',
      );
      expectScimError(
        await hostile(`key with ${name}`, () =>
          scim('POST', '/Users', undefined, { raw: `{"schemas":["${USER_URN}"],"userName":"${userName}","a${escape}":1}` }),
        ),
        400,
        'invalidSyntax',
      );
    }
    // A proper pair is a character like any other.
    const ok = await hostile('a surrogate pair', () =>
      scim('POST', '/Users', undefined, { raw: `{"schemas":["${USER_URN}"],"userName":"${userName}\\ud83d\\ude00"}` }),
    );
    expectStatus(ok, 201);
    expect(ok.body.userName).toBe(`${userName}\u{1F600}`);
    await expectUnchanged(v);
  });

  it('bytes that are not UTF-8 are 400, not U+FFFD', async () => {
    const v = await victim();
    const userName = tag('utf');
    const send = (method: string, path: string, bytes: Uint8Array) => async (): Promise<ScimResponse> => {
      const res = await SELF.fetch(`${BASE}${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/scim+json' },
        body: bytes,
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
    };
    const withBytes = (before: string, bad: number[], after: string) =>
      new Uint8Array([...new TextEncoder().encode(before), ...bad, ...new TextEncoder().encode(after)]);
    for (const [name, bad] of [
      ['a stray continuation byte', [0x80]],
      ['a truncated sequence', [0xe0, 0xa4]],
      ['an overlong encoding', [0xc0, 0xaf]],
      ['an encoded surrogate', [0xed, 0xa0, 0x80]],
      ['a byte never valid', [0xff]],
    ] as const) {
      expectScimError(
        await hostile(`POST ${name}`, send('POST', '/Users', withBytes(`{"schemas":["${USER_URN}"],"userName":"${userName}`, [...bad], '"}'))),
        400,
        'invalidSyntax',
      );
      expectScimError(
        await hostile(
          `PATCH ${name}`,
          send('PATCH', `/Users/${v.user.id}`, withBytes('{"Operations":[{"op":"replace","path":"title","value":"', [...bad], '"}]}')),
        ),
        400,
        'invalidSyntax',
      );
      expectScimError(
        await hostile(`.search ${name}`, send('POST', '/Users/.search', withBytes('{"filter":"userName eq \\"', [...bad], '\\""}'))),
        400,
        'invalidSyntax',
      );
    }
    await expectUnchanged(v);
    expect(await findUsers(`userName sw "${userName}"`)).toHaveLength(0);
  });
});

describe('hostile corpus: bad percent-encoding in a URL', () => {
  it('in a path segment or a query parameter is a 4xx, never a URIError', async () => {
    const v = await victim();
    for (const [method, path] of [
      ['GET', '/Users/%E0%A4%A'],
      ['GET', '/Groups/%ZZ'],
      ['DELETE', '/Users/%E0%A4%A'],
      ['PATCH', '/Users/%'],
      ['GET', '/Users?filter=userName%20eq%20%22%E0%A4%A%22'],
      ['GET', '/Users?filter=%ZZ'],
      ['GET', '/Users?attributes=%E0%A4%A'],
      ['GET', '/Users?startIndex=%E0'],
      ['GET', `/Users/${v.user.id}?excludedAttributes=%ZZ`],
      ['GET', '/Schemas/%E0%A4%A'],
      ['GET', '/ResourceTypes/%'],
    ] as const) {
      const res = await hostile(`${method} ${path}`, () =>
        scim(method, path, method === 'PATCH' ? patchBody({ op: 'replace', path: 'title', value: 'x' }) : undefined),
      );
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(200);
      if (res.status >= 400) expect(res.body?.status, `${method} ${path}: ${res.text}`).toBe(String(res.status));
    }
    await expectUnchanged(v);
  });
});

describe('hostile corpus: known paths with a wrong method', () => {
  it('are 405 with an Allow header, for every discovery and resource path', async () => {
    const v = await victim();
    const g = await createGroup(tag('405'));
    const paths: [string, string[]][] = [
      ['/ServiceProviderConfig', ['GET']],
      ['/ResourceTypes', ['GET']],
      ['/ResourceTypes/User', ['GET']],
      ['/Schemas', ['GET']],
      [`/Schemas/${USER_URN}`, ['GET']],
      ['/Users', ['GET', 'POST']],
      ['/Groups', ['GET', 'POST']],
      [`/Users/${v.user.id}`, ['GET', 'PUT', 'PATCH', 'DELETE']],
      [`/Groups/${g.id}`, ['GET', 'PUT', 'PATCH', 'DELETE']],
      ['/Users/.search', ['POST']],
      ['/Groups/.search', ['POST']],
      ['/.search', ['POST']],
      ['/Bulk', ['POST']],
    ];
    for (const [path, allowed] of paths) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        if (allowed.includes(method)) continue;
        const res = await hostile(`${method} ${path}`, () =>
          scim(method, path, method === 'GET' || method === 'DELETE' ? undefined : { schemas: [USER_URN], userName: tag('x') }),
        );
        expectScimError(res, 405);
        const allow = (res.headers.get('allow') ?? '').split(/,\s*/);
        for (const m of allowed) expect(allow, `${method} ${path}`).toContain(m);
        expect(allow, `${method} ${path}`).not.toContain(method);
      }
    }
    await expectUnchanged(v);
    expect((await getGroup(g.id)).displayName).toBe(g.displayName);
    // HEAD goes with GET.
    for (const path of ['/ServiceProviderConfig', '/Users', `/Groups/${g.id}`]) expect((await scim('HEAD', path)).status, `HEAD ${path}`).toBe(200);
  });

  it('/Me is 501 Not Implemented for every method (RFC 7644 §3.11)', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      // 501 is the answer RFC 7644 §3.11 asks for, so it is not counted as a failure of the corpus.
      expectScimError(await scim(method, '/Me', method === 'GET' || method === 'DELETE' ? undefined : { schemas: [USER_URN] }), 501);
    }
  });

  it('a scim:read token writing to a .search path is 403 before any handler', async () => {
    const reader = await createApiToken(['scim:read']);
    for (const path of ['/Users/.search', '/Groups/.search', '/.search']) {
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const res = await hostile(`read token ${method} ${path}`, () =>
          scim(method, path, method === 'DELETE' ? undefined : { schemas: [USER_URN], userName: tag('r') }, { token: reader }),
        );
        expectScimError(res, 403);
      }
      expectStatus(await hostile(`read token POST ${path}`, () => scim('POST', path, { schemas: [SEARCH_URN], count: 1 }, { token: reader })), 200);
    }
  });
});
