import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../worker/src/scim/filter/parse-filter';
import { parsePatchPath } from '../../../worker/src/scim/filter/parse-path';
import { GRAMMAR_QUIRKS } from '../../../worker/src/scim/filter/quirks';
import { and, cmp, not, or, pr, vpath } from './builders';

describe('grammar quirks: every documented example parses', () => {
  for (const [name, quirk] of Object.entries(GRAMMAR_QUIRKS)) {
    it(`accepts the ${name} example ${quirk.example}`, () => {
      const parse = quirk.input === 'filter' ? parseFilter : parsePatchPath;
      expect(() => parse(quirk.example)).not.toThrow();
    });
  }
});

describe('quirk unquotedValue: bare values after an operator are strings', () => {
  it('reads an unquoted e-mail address, Okta id and UUID as strings (RFC 7644 §3.4.2.2 deviation)', () => {
    expect(parseFilter('userName eq john@example.com')).toStrictEqual(cmp('userName', 'eq', 'john@example.com'));
    expect(parseFilter('externalId eq 00u1abc')).toStrictEqual(cmp('externalId', 'eq', '00u1abc'));
    expect(parseFilter('id eq 2819c223-7f76-453a-919d-413861904646')).toStrictEqual(cmp('id', 'eq', '2819c223-7f76-453a-919d-413861904646'));
  });

  it('ends an unquoted value at whitespace, ")" or "]" (RFC 7644 §3.4.2.2 deviation)', () => {
    expect(parseFilter('(userName eq john) or userName eq jane')).toStrictEqual(or(cmp('userName', 'eq', 'john'), cmp('userName', 'eq', 'jane')));
    expect(parseFilter('members[value eq 2819c223]')).toStrictEqual(vpath('members', cmp('value', 'eq', '2819c223')));
  });

  it('keeps a number-looking bare token a number and anything else a string (RFC 8259 §6)', () => {
    expect(parseFilter('externalId eq 123')).toStrictEqual(cmp('externalId', 'eq', 123));
    expect(parseFilter('externalId eq 00123')).toStrictEqual(cmp('externalId', 'eq', '00123'));
    expect(parseFilter('externalId eq 1.')).toStrictEqual(cmp('externalId', 'eq', '1.'));
  });
});

describe('quirk anyCaseLiterals: operators, keywords and literals in any case', () => {
  it('reads capitalised operators and logical keywords (RFC 7644 §3.4.2.2: case-insensitive)', () => {
    expect(parseFilter('title PR AND userType Eq "x" OR NOT (userName Sw "a")')).toStrictEqual(
      or(and(pr('title'), cmp('userType', 'eq', 'x')), not(cmp('userName', 'sw', 'a'))),
    );
  });

  it('reads True, False and NULL as literals (Entra ID quirk)', () => {
    expect(parseFilter('active eq False')).toStrictEqual(cmp('active', 'eq', false));
    expect(parseFilter('active eq TRUE')).toStrictEqual(cmp('active', 'eq', true));
    expect(parseFilter('title eq NULL')).toStrictEqual(cmp('title', 'eq', null));
  });
});

describe('quirk valuePathSubAttrCompare: emails[…].value eq "x"', () => {
  it('parses a value path with a sub-attribute comparison into one element (RFC 7644 §3.4.2.2, Entra ID quirk)', () => {
    expect(parseFilter('emails[type eq "work"].value eq "x@y"')).toStrictEqual(vpath('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x@y'))));
  });

  it('parses a value path with a trailing "pr" (RFC 7644 §3.4.2.2, Entra ID quirk)', () => {
    expect(parseFilter('emails[type eq "work"].value pr')).toStrictEqual(vpath('emails', and(cmp('type', 'eq', 'work'), pr('value'))));
  });

  it('keeps the whole inner filter as the left operand and continues with "and"/"or" after it (RFC 7644 §3.4.2.2)', () => {
    expect(parseFilter('emails[type eq "work" or primary eq true].value co "@x" and active eq true')).toStrictEqual(
      and(vpath('emails', and(or(cmp('type', 'eq', 'work'), cmp('primary', 'eq', true)), cmp('value', 'co', '@x'))), cmp('active', 'eq', true)),
    );
  });
});
