import { describe, expect, it } from 'vitest';
import type { Filter } from '../../../worker/src/scim/filter/ast';
import { parseFilter } from '../../../worker/src/scim/filter/parse-filter';
import { CORE_USER_URN, ENTERPRISE_URN, and, cmp, not, or, path, pr, vpath } from './builders';

const LAST_MODIFIED = '2011-05-13T04:42:34Z';

/** Every example filter of RFC 7644 §3.4.2.2, with the tree it must produce. */
const RFC_EXAMPLES: [string, Filter][] = [
  ['userName Eq "john"', cmp('userName', 'eq', 'john')],
  ['Username eq "john"', cmp('Username', 'eq', 'john')],
  ['userName eq "bjensen"', cmp('userName', 'eq', 'bjensen')],
  ['name.familyName co "O\'Malley"', cmp('name.familyName', 'co', "O'Malley")],
  ['userName sw "J"', cmp('userName', 'sw', 'J')],
  [`${CORE_USER_URN}:userName sw "J"`, cmp(path('userName', CORE_USER_URN), 'sw', 'J')],
  ['title pr', pr('title')],
  [`meta.lastModified gt "${LAST_MODIFIED}"`, cmp('meta.lastModified', 'gt', LAST_MODIFIED)],
  [`meta.lastModified ge "${LAST_MODIFIED}"`, cmp('meta.lastModified', 'ge', LAST_MODIFIED)],
  [`meta.lastModified lt "${LAST_MODIFIED}"`, cmp('meta.lastModified', 'lt', LAST_MODIFIED)],
  [`meta.lastModified le "${LAST_MODIFIED}"`, cmp('meta.lastModified', 'le', LAST_MODIFIED)],
  ['title pr and userType eq "Employee"', and(pr('title'), cmp('userType', 'eq', 'Employee'))],
  ['title pr or userType eq "Intern"', or(pr('title'), cmp('userType', 'eq', 'Intern'))],
  [`schemas eq "${ENTERPRISE_URN}"`, cmp('schemas', 'eq', ENTERPRISE_URN)],
  [
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    and(cmp('userType', 'eq', 'Employee'), or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org'))),
  ],
  [
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    and(cmp('userType', 'ne', 'Employee'), not(or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org')))),
  ],
  ['userType eq "Employee" and (emails.type eq "work")', and(cmp('userType', 'eq', 'Employee'), cmp('emails.type', 'eq', 'work'))],
  [
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    and(cmp('userType', 'eq', 'Employee'), vpath('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com')))),
  ],
  [
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    or(
      vpath('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
      vpath('ims', and(cmp('type', 'eq', 'xmpp'), cmp('value', 'co', '@foo.com'))),
    ),
  ],
];

describe('parseFilter: the RFC 7644 §3.4.2.2 examples', () => {
  for (const [filter, tree] of RFC_EXAMPLES) {
    it(`parses the example ${filter} (RFC 7644 §3.4.2.2)`, () => {
      expect(parseFilter(filter)).toStrictEqual(tree);
    });
  }
});

describe('parseFilter: operators and precedence', () => {
  it('accepts every comparison operator in any case (RFC 7644 §3.4.2.2 Table 3)', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const) {
      expect(parseFilter(`x ${op} "v"`)).toStrictEqual(cmp('x', op, 'v'));
      expect(parseFilter(`x ${op.toUpperCase()} "v"`)).toStrictEqual(cmp('x', op, 'v'));
    }
    expect(parseFilter('x Pr')).toStrictEqual(pr('x'));
  });

  it('binds "and" tighter than "or" (RFC 7644 §3.4.2.2 order of operations)', () => {
    expect(parseFilter('a pr or b pr and c pr')).toStrictEqual(or(pr('a'), and(pr('b'), pr('c'))));
    expect(parseFilter('a pr and b pr or c pr')).toStrictEqual(or(and(pr('a'), pr('b')), pr('c')));
  });

  it('associates chains of "and" and of "or" to the left (RFC 7644 §3.4.2.2)', () => {
    expect(parseFilter('a pr or b pr or c pr')).toStrictEqual(or(or(pr('a'), pr('b')), pr('c')));
    expect(parseFilter('a pr and b pr and c pr')).toStrictEqual(and(and(pr('a'), pr('b')), pr('c')));
  });

  it('binds "not" tighter than "and" and lets parentheses regroup (RFC 7644 §3.4.2.2)', () => {
    expect(parseFilter('not (a pr) and b pr')).toStrictEqual(and(not(pr('a')), pr('b')));
    expect(parseFilter('(a pr or b pr) and c pr')).toStrictEqual(and(or(pr('a'), pr('b')), pr('c')));
    expect(parseFilter('((a pr))')).toStrictEqual(pr('a'));
    expect(parseFilter('NOT (Not (a pr))')).toStrictEqual(not(not(pr('a'))));
  });

  it('accepts nesting up to 50 levels deep (RFC 7644 §3.4.2.2 grouping)', () => {
    const deep = `${'('.repeat(50)}a pr${')'.repeat(50)}`;
    expect(parseFilter(deep)).toStrictEqual(pr('a'));
  });

  it('allows any amount of spaces and tabs between tokens (RFC 7644 §3.4.2.2)', () => {
    expect(parseFilter('  userName \t eq\t\t"x"   and  ( title  pr )  ')).toStrictEqual(and(cmp('userName', 'eq', 'x'), pr('title')));
  });
});

describe('parseFilter: values', () => {
  it('decodes JSON string escapes (RFC 7644 §3.4.2.2, RFC 8259 §7)', () => {
    expect(parseFilter('x eq "a\\"b"')).toStrictEqual(cmp('x', 'eq', 'a"b'));
    expect(parseFilter('x eq "caf\\u00e9"')).toStrictEqual(cmp('x', 'eq', 'café'));
    expect(parseFilter('x eq "a\\\\b\\/c\\n\\t"')).toStrictEqual(cmp('x', 'eq', 'a\\b/c\n\t'));
    expect(parseFilter('x eq "a ) ] ( [ and"')).toStrictEqual(cmp('x', 'eq', 'a ) ] ( [ and'));
    expect(parseFilter('x eq ""')).toStrictEqual(cmp('x', 'eq', ''));
  });

  it('reads JSON numbers: integers, decimals, negatives and exponents (RFC 7644 §3.4.2.2)', () => {
    expect(parseFilter('x eq 42')).toStrictEqual(cmp('x', 'eq', 42));
    expect(parseFilter('x gt -7')).toStrictEqual(cmp('x', 'gt', -7));
    expect(parseFilter('x lt 3.14')).toStrictEqual(cmp('x', 'lt', 3.14));
    expect(parseFilter('x ge 1e3')).toStrictEqual(cmp('x', 'ge', 1000));
    expect(parseFilter('x le -2.5E-2')).toStrictEqual(cmp('x', 'le', -0.025));
  });

  it('reads true, false and null (RFC 7644 §3.4.2.2 compValue)', () => {
    expect(parseFilter('active eq true')).toStrictEqual(cmp('active', 'eq', true));
    expect(parseFilter('active eq false')).toStrictEqual(cmp('active', 'eq', false));
    expect(parseFilter('title eq null')).toStrictEqual(cmp('title', 'eq', null));
  });
});

describe('parseFilter: attribute paths', () => {
  it('splits an extension URN from its attribute at the last colon (RFC 7644 §3.10)', () => {
    expect(parseFilter(`${ENTERPRISE_URN}:employeeNumber eq "701984"`)).toStrictEqual(cmp(path('employeeNumber', ENTERPRISE_URN), 'eq', '701984'));
    expect(parseFilter(`${ENTERPRISE_URN}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toStrictEqual(
      cmp(path('manager.value', ENTERPRISE_URN), 'eq', '26118915-6090-4610-87e4-49d8ca9f808d'),
    );
    expect(parseFilter(`${CORE_USER_URN}:name.givenName sw "Ba"`)).toStrictEqual(cmp(path('name.givenName', CORE_USER_URN), 'sw', 'Ba'));
  });

  it('accepts ATTRNAME characters and $ref (RFC 7643 §2.1, §2.3.7)', () => {
    expect(parseFilter('x-custom_Attr2 pr')).toStrictEqual(pr('x-custom_Attr2'));
    expect(parseFilter('members.$ref pr')).toStrictEqual(pr('members.$ref'));
    expect(parseFilter('members[$ref eq "https://x/Users/1"]')).toStrictEqual(vpath('members', cmp('$ref', 'eq', 'https://x/Users/1')));
  });

  it('parses a URN-qualified value path and parentheses inside the brackets (RFC 7644 §3.4.2.2 valFilter)', () => {
    expect(parseFilter(`${CORE_USER_URN}:emails[not (type eq "home")]`)).toStrictEqual(vpath(path('emails', CORE_USER_URN), not(cmp('type', 'eq', 'home'))));
    expect(parseFilter('emails[(type eq "work" or type eq "home") and primary eq true]')).toStrictEqual(
      vpath('emails', and(or(cmp('type', 'eq', 'work'), cmp('type', 'eq', 'home')), cmp('primary', 'eq', true))),
    );
  });
});
