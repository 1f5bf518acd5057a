/**
 * Filtering: RFC 7644 §3.4.2.2 — every operator, logical operators and grouping, value paths,
 * sub-attributes, dates, booleans, URN-qualified attributes, caseExact (RFC 7643 §2.2 / §7).
 * Every filter is and-ed with `userName sw "<tag>"` so that tests never see each other's users.
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE_URN, USER_URN, createUser, scim } from '../helpers/scim';
import { expectScimError, findUsers, qs, tag } from './support';

interface Seed {
  p: string;
  alice: any;
  bob: any;
  carol: any;
}

/** Three users with known attributes, all userNames starting with the tag `p`. */
async function seed(): Promise<Seed> {
  const p = tag('f');
  const alice = await createUser(`${p}.alice@example.com`, {
    schemas: [USER_URN, ENTERPRISE_URN],
    externalId: `Ext-${p}-A`,
    displayName: 'Alice Smith',
    title: 'Engineer',
    active: true,
    name: { givenName: 'Alice', familyName: 'Smith' },
    emails: [{ type: 'work', value: `alice.${p}@example.com`, primary: true }],
    [ENTERPRISE_URN]: { employeeNumber: `${p}-001`, department: 'R&D' },
  });
  const bob = await createUser(`${p}.bob@example.org`, {
    schemas: [USER_URN, ENTERPRISE_URN],
    externalId: `Ext-${p}-B`,
    displayName: 'Bob Jones',
    title: 'Manager',
    active: false,
    name: { givenName: 'Bob', familyName: 'Jones' },
    emails: [
      { type: 'work', value: `bob.${p}@other.com` },
      { type: 'home', value: `bob.${p}@example.com` },
    ],
    [ENTERPRISE_URN]: { employeeNumber: `${p}-002`, department: 'Sales' },
  });
  const carol = await createUser(`${p}.carol@example.com`, {
    schemas: [USER_URN, ENTERPRISE_URN],
    displayName: 'Carol Smith',
    active: true,
    name: { givenName: 'Carol', familyName: 'Smith' },
    emails: [{ type: 'home', value: `carol.${p}@example.net` }],
    [ENTERPRISE_URN]: { employeeNumber: `${p}-003` },
  });
  return { p, alice, bob, carol };
}

/** userNames matched by `userName sw p and (<filter>)`, sorted. */
async function matching(s: Seed, filter: string): Promise<string[]> {
  const found = await findUsers(`userName sw "${s.p}" and (${filter})`);
  return found.map((r) => r.userName).sort();
}

const names = (...users: any[]) => users.map((u) => u.userName).sort();

describe('RFC 7644 §3.4.2.2 attribute operators', () => {
  it('eq on userName', async () => {
    const s = await seed();
    const found = await findUsers(`userName eq "${s.alice.userName}"`);
    expect(found.map((r) => r.id)).toEqual([s.alice.id]);
  });

  it('eq on userName is case-insensitive and returns the stored case (caseExact false)', async () => {
    const p = tag('Case');
    const stored = `${p}alice@X.example`;
    const u = await createUser(stored);
    const found = await findUsers(`userName eq "${p.toUpperCase()}ALICE@x.EXAMPLE"`);
    expect(found.map((r) => r.id)).toEqual([u.id]);
    expect(found[0].userName).toBe(stored);
  });

  it('eq on id is caseExact', async () => {
    const s = await seed();
    expect((await findUsers(`id eq "${s.alice.id}"`)).map((r) => r.id)).toEqual([s.alice.id]);
    const upper = s.alice.id.toUpperCase();
    if (upper !== s.alice.id) expect(await findUsers(`id eq "${upper}"`)).toEqual([]);
  });

  it('eq on externalId is caseExact (RFC 7643 §3.1)', async () => {
    const s = await seed();
    expect(await matching(s, `externalId eq "Ext-${s.p}-A"`)).toEqual(names(s.alice));
    expect(await matching(s, `externalId eq "EXT-${s.p.toUpperCase()}-A"`)).toEqual([]);
  });

  it('ne', async () => {
    const s = await seed();
    expect(await matching(s, 'name.familyName ne "Smith"')).toEqual(names(s.bob));
  });

  it('co, case-insensitive for caseExact false attributes', async () => {
    const s = await seed();
    expect(await matching(s, 'name.familyName co "mit"')).toEqual(names(s.alice, s.carol));
    expect(await matching(s, 'name.familyName co "MIT"')).toEqual(names(s.alice, s.carol));
  });

  it('co with a value longer than 50 bytes', async () => {
    const p = tag('long');
    const userName = `${p}-${'x'.repeat(60)}-${'y'.repeat(20)}@example.com`;
    const u = await createUser(userName);
    expect((await findUsers(`userName co "${userName.slice(1)}"`)).map((r) => r.id)).toEqual([u.id]);
    expect((await findUsers(`userName sw "${userName.slice(0, -1)}"`)).map((r) => r.id)).toEqual([u.id]);
  });

  it('caseExact false folds non-ASCII case too (RFC 7643 §2.2)', async () => {
    const p = tag('uni');
    const u = await createUser(`${p}-José.Åström@Example.com`);
    expect((await findUsers(`userName eq "${p.toUpperCase()}-JOSÉ.ÅSTRÖM@EXAMPLE.COM"`)).map((r) => r.id)).toEqual([u.id]);
    expect((await findUsers(`userName sw "${p}" and userName co "josé.åström"`)).map((r) => r.id)).toEqual([u.id]);
  });

  it('co / sw / ew with multi-byte values longer than 50 bytes', async () => {
    const p = tag('mb');
    const middle = 'é'.repeat(40);
    const u = await createUser(`${p}-${middle}-ü@example.com`);
    expect((await findUsers(`userName co "${'é'.repeat(30)}"`)).map((r) => r.id)).toContain(u.id);
    expect((await findUsers(`userName sw "${p}-${'é'.repeat(35)}"`)).map((r) => r.id)).toEqual([u.id]);
    expect((await findUsers(`userName sw "${p}" and userName ew "${'é'.repeat(30)}-ü@example.com"`)).map((r) => r.id)).toEqual([u.id]);
  });

  it('sw', async () => {
    const s = await seed();
    expect(await matching(s, `userName sw "${s.p}.a"`)).toEqual(names(s.alice));
    expect(await matching(s, `userName sw "${s.p.toUpperCase()}.A"`)).toEqual(names(s.alice));
  });

  it('ew', async () => {
    const s = await seed();
    expect(await matching(s, 'userName ew "@example.org"')).toEqual(names(s.bob));
    expect(await matching(s, 'userName ew "@EXAMPLE.COM"')).toEqual(names(s.alice, s.carol));
  });

  it('pr', async () => {
    const s = await seed();
    expect(await matching(s, 'title pr')).toEqual(names(s.alice, s.bob));
    expect(await matching(s, 'externalId pr')).toEqual(names(s.alice, s.bob));
  });

  it('pr on a complex and a multi-valued attribute', async () => {
    const s = await seed();
    const bare = await createUser(`${s.p}.dave@example.com`);
    expect(await matching(s, 'emails pr')).toEqual(names(s.alice, s.bob, s.carol));
    expect(await matching(s, 'not (name pr)')).toEqual(names(bare));
  });

  it('gt, ge, lt, le on strings (lexicographic)', async () => {
    const s = await seed();
    expect(await matching(s, `userName gt "${s.p}.b"`)).toEqual(names(s.bob, s.carol));
    expect(await matching(s, `userName ge "${s.bob.userName}"`)).toEqual(names(s.bob, s.carol));
    expect(await matching(s, `userName lt "${s.p}.b"`)).toEqual(names(s.alice));
    expect(await matching(s, `userName le "${s.bob.userName}"`)).toEqual(names(s.alice, s.bob));
  });

  it('operators and attribute names are case-insensitive', async () => {
    const s = await seed();
    const found = await findUsers(`USERNAME EQ "${s.alice.userName}"`);
    expect(found.map((r) => r.id)).toEqual([s.alice.id]);
    expect(await matching(s, 'Name.FamilyName Co "mit"')).toEqual(names(s.alice, s.carol));
  });

  it('treats %, _ and quotes in values literally', async () => {
    const p = tag('lit');
    const pct = await createUser(`${p}-pct`, { title: '100%_done' });
    await createUser(`${p}-plain`, { title: '100 done' });
    const quoted = await createUser(`${p}-quote`, { displayName: 'Dara "Dee" O\'Brien' });
    const only = async (filter: string) => (await findUsers(`userName sw "${p}" and (${filter})`)).map((r) => r.id);
    expect(await only('title co "%"')).toEqual([pct.id]);
    expect(await only('title co "%_d"')).toEqual([pct.id]);
    expect(await only('title sw "100%"')).toEqual([pct.id]);
    expect(await only('displayName eq "Dara \\"Dee\\" O\'Brien"')).toEqual([quoted.id]);
    expect(await only('displayName eq "\' OR 1=1 --"')).toEqual([]);
  });
});

describe('RFC 7644 §3.4.2.2 dates and booleans', () => {
  it('compares meta.lastModified and meta.created as dates', async () => {
    const s = await seed();
    const all = names(s.alice, s.bob, s.carol);
    expect(await matching(s, 'meta.lastModified gt "2000-01-01T00:00:00Z"')).toEqual(all);
    expect(await matching(s, 'meta.lastModified lt "2000-01-01T00:00:00Z"')).toEqual([]);
    expect(await matching(s, 'meta.created gt "2999-12-31T23:59:59Z"')).toEqual([]);
    expect(await matching(s, `meta.created ge "${s.alice.meta.created}"`)).toContain(s.alice.userName);
    expect(await matching(s, `meta.lastModified le "${s.carol.meta.lastModified}"`)).toContain(s.carol.userName);
  });

  it('finds a user modified after a given instant', async () => {
    const s = await seed();
    const before = new Date(Date.parse(s.carol.meta.lastModified) - 1000).toISOString();
    const later = await scim('PATCH', `/Users/${s.alice.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'Staff Engineer' }],
    });
    expect(later.status).toBe(200);
    const after = new Date(Date.parse(later.body.meta.lastModified) + 60_000).toISOString();
    expect(await matching(s, `meta.lastModified gt "${before}"`)).toContain(s.alice.userName);
    expect(await matching(s, `meta.lastModified gt "${after}"`)).toEqual([]);
  });

  it('compares dates as instants, whatever the offset they are written with', async () => {
    const s = await seed();
    const modified = Date.parse(s.alice.meta.lastModified);
    // one hour after alice's lastModified, written at UTC-05:00: a string comparison gets this wrong
    const later =
      new Date(modified + 3600_000 - 5 * 3600_000)
        .toISOString()
        .replace(/\.\d+Z$/, '')
        .replace('Z', '') + '-05:00';
    const earlier =
      new Date(modified - 3600_000 + 5 * 3600_000)
        .toISOString()
        .replace(/\.\d+Z$/, '')
        .replace('Z', '') + '+05:00';
    expect(await matching(s, `userName eq "${s.alice.userName}" and meta.lastModified gt "${later}"`)).toEqual([]);
    expect(await matching(s, `userName eq "${s.alice.userName}" and meta.lastModified lt "${later}"`)).toEqual(names(s.alice));
    expect(await matching(s, `userName eq "${s.alice.userName}" and meta.lastModified gt "${earlier}"`)).toEqual(names(s.alice));
  });

  it('boolean sub-attribute in a value path: emails[primary eq true]', async () => {
    const s = await seed();
    expect(await matching(s, 'emails[primary eq true]')).toEqual(names(s.alice));
  });

  it('active eq true / false', async () => {
    const s = await seed();
    expect(await matching(s, 'active eq true')).toEqual(names(s.alice, s.carol));
    expect(await matching(s, 'active eq false')).toEqual(names(s.bob));
  });

  it('rejects gt on a boolean: 400 invalidFilter', async () => {
    expectScimError(await scim('GET', `/Users${qs({ filter: 'active gt true' })}`), 400, 'invalidFilter');
  });
});

describe('RFC 7644 §3.4.2.2 logical operators and grouping', () => {
  it('and / or', async () => {
    const s = await seed();
    expect(await matching(s, 'title eq "Engineer" or title eq "Manager"')).toEqual(names(s.alice, s.bob));
    expect(await matching(s, 'name.familyName eq "Smith" and active eq true')).toEqual(names(s.alice, s.carol));
  });

  it('not ( … )', async () => {
    const s = await seed();
    expect(await matching(s, 'not (title pr)')).toEqual(names(s.carol));
    expect(await matching(s, 'not (name.familyName eq "Smith")')).toEqual(names(s.bob));
  });

  it('and binds tighter than or; parentheses regroup', async () => {
    const s = await seed();
    const loose = await findUsers(`userName eq "${s.alice.userName}" or userName eq "${s.bob.userName}" and title eq "Engineer"`);
    expect(loose.map((r) => r.id)).toEqual([s.alice.id]);
    const grouped = await findUsers(`(userName eq "${s.alice.userName}" or userName eq "${s.bob.userName}") and title eq "Manager"`);
    expect(grouped.map((r) => r.id)).toEqual([s.bob.id]);
  });

  it('nested grouping', async () => {
    const s = await seed();
    expect(await matching(s, '((title eq "Engineer") or (not (title pr) and active eq true))')).toEqual(names(s.alice, s.carol));
  });
});

describe('RFC 7644 §3.4.2.2 complex and multi-valued attributes', () => {
  it('value path: both conditions must hold for the same element', async () => {
    const s = await seed();
    expect(await matching(s, 'emails[type eq "work" and value co "@example.com"]')).toEqual(names(s.alice));
  });

  it('value path followed by a sub-attribute: emails[type eq "work"].value eq "…"', async () => {
    const s = await seed();
    expect(await matching(s, `emails[type eq "work"].value eq "bob.${s.p}@other.com"`)).toEqual(names(s.bob));
    expect(await matching(s, `emails[type eq "home"].value eq "bob.${s.p}@other.com"`)).toEqual([]);
  });

  it('sub-attribute of a multi-valued attribute matches any element', async () => {
    const s = await seed();
    expect(await matching(s, `emails.value eq "bob.${s.p}@example.com"`)).toEqual(names(s.bob));
    expect(await matching(s, `emails.value eq "BOB.${s.p.toUpperCase()}@EXAMPLE.COM"`)).toEqual(names(s.bob));
    expect(await matching(s, 'emails.type eq "home"')).toEqual(names(s.bob, s.carol));
    expect(await matching(s, 'emails.value co "@example.com"')).toEqual(names(s.alice, s.bob));
  });

  it('sub-attribute of a singular complex attribute', async () => {
    const s = await seed();
    expect(await matching(s, 'name.givenName eq "bob"')).toEqual(names(s.bob));
  });

  it('value path combined with other terms', async () => {
    const s = await seed();
    expect(await matching(s, 'emails[type eq "home"] and active eq false')).toEqual(names(s.bob));
    expect(await matching(s, 'emails[type eq "home" or value ew ".org"] and not (active eq false)')).toEqual(names(s.carol));
  });
});

describe('RFC 7644 §3.10 URN-qualified attributes in filters', () => {
  it('enterprise extension attribute', async () => {
    const s = await seed();
    const found = await findUsers(`${ENTERPRISE_URN}:employeeNumber eq "${s.p}-002"`);
    expect(found.map((r) => r.id)).toEqual([s.bob.id]);
    expect(await matching(s, `${ENTERPRISE_URN}:department eq "R&D"`)).toEqual(names(s.alice));
  });

  it('fully qualified core attribute', async () => {
    const s = await seed();
    const found = await findUsers(`${USER_URN}:userName eq "${s.carol.userName}"`);
    expect(found.map((r) => r.id)).toEqual([s.carol.id]);
    expect(await matching(s, `${USER_URN}:name.familyName eq "Jones"`)).toEqual(names(s.bob));
  });
});

describe('RFC 7644 §3.4.2.2 invalid filters: 400 invalidFilter', () => {
  const bad = [
    ['unknown attribute', 'favouriteColour eq "blue"'],
    ['missing value', 'userName eq'],
    ['unknown operator', 'userName xx "a"'],
    ['unbalanced parenthesis', '(userName eq "a"'],
    ['unterminated string', 'userName eq "abc'],
    ['unclosed value path', 'emails[type eq "work"'],
    ['dangling logical operator', 'userName eq "a" and'],
    ['empty parentheses', '()'],
  ] as const;
  for (const [what, filter] of bad) {
    it(`${what}: ${filter}`, async () => {
      expectScimError(await scim('GET', `/Users${qs({ filter })}`), 400, 'invalidFilter');
    });
  }
});
