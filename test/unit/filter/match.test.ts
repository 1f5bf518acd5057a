import { describe, expect, it } from 'vitest';
import type { AttrPath } from '../../../worker/src/scim/filter/ast';
import { matchesFilter, type MatchOptions } from '../../../worker/src/scim/filter/match';
import { parseFilter } from '../../../worker/src/scim/filter/parse-filter';
import { CORE_USER_URN, ENTERPRISE_URN } from './builders';

const caseIgnored: MatchOptions = { isCaseExact: () => false };
const matches = (filter: string, element: unknown, opts: MatchOptions = caseIgnored) => matchesFilter(parseFilter(filter), element, opts);

const workEmail = { type: 'work', value: 'Bjensen@Example.com', primary: true, display: '' };

describe('matchesFilter: strings (RFC 7644 §3.4.2.2)', () => {
  it('compares strings case-insensitively unless the attribute is caseExact (RFC 7643 §2.2)', () => {
    expect(matches('type eq "WORK"', workEmail)).toBe(true);
    const exactType = { isCaseExact: (p: AttrPath) => p.attr === 'type' };
    expect(matches('type eq "WORK"', workEmail, exactType)).toBe(false);
    expect(matches('type eq "work"', workEmail, exactType)).toBe(true);
  });

  it('finds attributes whatever the case of their name (RFC 7643 §2.1)', () => {
    expect(matches('Type eq "work"', workEmail)).toBe(true);
    expect(matches('type eq "work"', { TYPE: 'work' })).toBe(true);
  });

  it('evaluates co, sw and ew on strings (RFC 7644 §3.4.2.2 Table 3)', () => {
    expect(matches('value co "@example."', workEmail)).toBe(true);
    expect(matches('value sw "bjen"', workEmail)).toBe(true);
    expect(matches('value ew ".COM"', workEmail)).toBe(true);
    expect(matches('value co "@example.org"', workEmail)).toBe(false);
  });

  it('orders strings lexicographically, so ISO dateTimes order chronologically (RFC 7644 §3.4.2.2 Table 3)', () => {
    const meta = { lastModified: '2011-05-13T04:42:34Z' };
    expect(matches('lastModified gt "2011-05-13T04:42:33Z"', meta)).toBe(true);
    expect(matches('lastModified ge "2011-05-13T04:42:34Z"', meta)).toBe(true);
    expect(matches('lastModified lt "2011-05-13T04:42:34Z"', meta)).toBe(false);
    expect(matches('lastModified le "2011-05-13T04:42:34Z"', meta)).toBe(true);
    expect(matches('type lt "x"', workEmail)).toBe(true);
  });

  it('compares a bare number with a string attribute by its text (quirk unquotedValue)', () => {
    expect(matches('externalId eq 123', { externalId: '123' })).toBe(true);
  });
});

describe('matchesFilter: numbers and booleans (RFC 7644 §3.4.2.2)', () => {
  it('orders numbers numerically (RFC 7644 §3.4.2.2 Table 3)', () => {
    const el = { n: 10 };
    expect(matches('n gt 9', el)).toBe(true);
    expect(matches('n gt 10', el)).toBe(false);
    expect(matches('n ge 10', el)).toBe(true);
    expect(matches('n lt 10.5', el)).toBe(true);
    expect(matches('n le 9', el)).toBe(false);
    expect(matches('n eq 1e1', el)).toBe(true);
    expect(matches('n co 1', el)).toBe(false);
  });

  it('supports only eq and ne on booleans (RFC 7644 §3.4.2.2 Table 3)', () => {
    expect(matches('primary eq true', workEmail)).toBe(true);
    expect(matches('primary eq False', workEmail)).toBe(false);
    expect(matches('primary ne false', workEmail)).toBe(true);
    expect(matches('primary gt false', workEmail)).toBe(false);
    expect(matches('primary eq "True"', workEmail)).toBe(true);
  });
});

describe('matchesFilter: presence and missing attributes (RFC 7644 §3.4.2.2)', () => {
  it('treats "pr" as present and non-empty (RFC 7644 §3.4.2.2 Table 3)', () => {
    expect(matches('type pr', workEmail)).toBe(true);
    expect(matches('display pr', workEmail)).toBe(false);
    expect(matches('missing pr', workEmail)).toBe(false);
    expect(matches('x pr', { x: null })).toBe(false);
    expect(matches('x pr', { x: [] })).toBe(false);
    expect(matches('x pr', { x: {} })).toBe(false);
    expect(matches('x pr', { x: false })).toBe(true);
    expect(matches('x pr', { x: 0 })).toBe(true);
  });

  it('makes "ne" true on a missing attribute and every other operator false (RFC 7644 §3.4.2.2)', () => {
    expect(matches('missing ne "x"', workEmail)).toBe(true);
    expect(matches('missing eq "x"', workEmail)).toBe(false);
    expect(matches('missing gt "x"', workEmail)).toBe(false);
    expect(matches('type ne "work"', workEmail)).toBe(false);
    expect(matches('type ne "home"', workEmail)).toBe(true);
  });

  it('reads "eq null" as absent and "ne null" as present (RFC 7643 §2.5 unassigned)', () => {
    expect(matches('missing eq null', workEmail)).toBe(true);
    expect(matches('type eq null', workEmail)).toBe(false);
    expect(matches('type ne null', workEmail)).toBe(true);
    expect(matches('type gt null', workEmail)).toBe(false);
  });
});

describe('matchesFilter: multi-valued and complex attributes (RFC 7644 §3.4.2.2)', () => {
  const user = {
    userName: 'bjensen',
    schemas: [CORE_USER_URN, ENTERPRISE_URN],
    emails: [workEmail, { type: 'home', value: 'babs@jensen.org' }],
    [ENTERPRISE_URN]: { employeeNumber: '701984', manager: { value: '26118915' } },
  };

  it('matches a multi-valued sub-attribute when any element matches (RFC 7644 §3.4.2.2)', () => {
    expect(matches('emails.value co "jensen.org"', user)).toBe(true);
    expect(matches('emails.type eq "other"', user)).toBe(false);
    expect(matches(`schemas eq "${ENTERPRISE_URN}"`, user)).toBe(true);
  });

  it('compares a complex multi-valued attribute by its "value" (RFC 7644 §3.4.2.2 example emails co)', () => {
    expect(matches('emails co "example.com"', user)).toBe(true);
  });

  it('requires one element to satisfy the whole value path (RFC 7644 §3.4.2.2 valuePath)', () => {
    expect(matches('emails[type eq "work" and value co "@example.com"]', user)).toBe(true);
    expect(matches('emails[type eq "home" and value co "@example.com"]', user)).toBe(false);
    expect(matches('emails[type eq "home"].value ew ".org"', user)).toBe(true);
  });

  it('reads URN-qualified paths from the extension object or the top level (RFC 7644 §3.10)', () => {
    expect(matches(`${ENTERPRISE_URN}:employeeNumber eq "701984"`, user)).toBe(true);
    expect(matches(`${ENTERPRISE_URN}:manager.value eq "26118915"`, user)).toBe(true);
    expect(matches(`${CORE_USER_URN}:userName eq "BJENSEN"`, user)).toBe(true);
  });

  it('combines and, or and not (RFC 7644 §3.4.2.2 logical operators)', () => {
    expect(matches('type eq "work" and primary eq true', workEmail)).toBe(true);
    expect(matches('type eq "home" or primary eq true', workEmail)).toBe(true);
    expect(matches('not (type eq "work")', workEmail)).toBe(false);
    expect(matches('type eq "home" and primary eq true', workEmail)).toBe(false);
  });

  it('never matches a non-object element (RFC 7644 §3.5.2 value selection)', () => {
    expect(matches('type eq "work"', 'work')).toBe(false);
    expect(matches('type ne "work"', null)).toBe(true);
  });
});
