import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../worker/src/scim/filter/parse-filter';
import { expectScimError } from './builders';

/** Every malformed filter is a 400 with scimType invalidFilter (RFC 7644 §3.4.2.2, §3.12 Table 9). */
const invalid = (filter: string, detail: RegExp) => expectScimError(() => parseFilter(filter), 'invalidFilter', detail);

describe('parseFilter: malformed filters are 400 invalidFilter (RFC 7644 §3.12)', () => {
  it('rejects an empty or blank filter (RFC 7644 §3.4.2.2: at least one expression)', () => {
    invalid('', /filter is empty \(at position 1\)/);
    invalid(' \t ', /filter is empty/);
  });

  it('rejects unbalanced parentheses with the position of the culprit (RFC 7644 §3.4.2.2 grouping)', () => {
    invalid('(userName eq "a"', /missing '\)' to close the '\(' at position 1 \(at position 17\)/);
    invalid('userName eq "a")', /'\)' has no matching '\(' \(at position 16\)/);
    invalid('(a pr and (b pr)', /missing '\)' to close the '\(' at position 1/);
    invalid('()', /expected an attribute name or '\(' but found '\)' \(at position 2\)/);
  });

  it('rejects unbalanced brackets (RFC 7644 §3.4.2.2 valuePath)', () => {
    invalid('emails[type eq "work"', /missing '\]' to close the '\[' at position 7/);
    invalid('emails[type eq "work"]]', /'\]' has no matching '\[' \(at position 23\)/);
    invalid('a pr]', /'\]' has no matching '\['/);
    invalid('(emails[type eq "work")]', /expected 'and', 'or' or '\]' but found '\)'/);
  });

  it('rejects a comparison without a value (RFC 7644 §3.4.2.2 attrExp)', () => {
    invalid('userName eq', /missing value after "eq" \(at position 12\)/);
    invalid('(userName eq)', /missing value after "eq" \(at position 13\)/);
    invalid('emails[value eq]', /missing value after "eq"/);
    invalid('userName eq and title pr', /missing value after "eq" \(at position 13\)/);
  });

  it('rejects an unknown operator and names the valid ones (RFC 7644 §3.4.2.2 Table 3)', () => {
    invalid('userName equals "a"', /unknown operator "equals"; expected one of eq, ne, co, sw, ew, gt, ge, lt, le, pr \(at position 10\)/);
    invalid('userName = "a"', /unknown operator "="/);
    invalid('userName', /expected an operator after "userName" but found the end of the input/);
    invalid('userName "a"', /expected an operator after "userName" but found the string "a"/);
  });

  it('rejects trailing garbage after a complete filter (RFC 7644 §3.4.2.2)', () => {
    invalid('userName eq "a" garbage', /expected 'and', 'or' or the end of the filter but found "garbage" \(at position 17\)/);
    invalid('userName eq "a" "b"', /but found the string "b"/);
    invalid('a pr (b pr)', /but found '\('/);
  });

  it('rejects "pr" followed by a value (RFC 7644 §3.4.2.2: pr has no compValue)', () => {
    invalid('title pr "x"', /"pr" takes no value but found the string "x" \(at position 10\)/);
    invalid('title pr x', /"pr" takes no value/);
  });

  it('rejects a dangling logical operator or "not" without parentheses (RFC 7644 §3.4.2.2 ABNF)', () => {
    invalid('userName eq "a" and', /expected an expression but the input ended \(at position 20\)/);
    invalid('or a pr', /unknown operator "a"/);
    invalid('not userName eq "a"', /expected '\(' after "not" but found "userName" \(at position 5\)/);
    invalid('not', /expected '\(' after "not" but found the end of the input/);
  });

  it('rejects a value path without a filter (RFC 7644 §3.4.2.2 valuePath)', () => {
    invalid('emails[]', /the value path "emails\[\]" has no filter \(at position 7\)/);
    invalid('emails[ ]', /has no filter/);
  });

  it('rejects nested value paths (RFC 7644 §3.4.2.2 valFilter has no valuePath)', () => {
    invalid('emails[type[value eq "x"]]', /value paths cannot be nested \(at position 12\)/);
    invalid('emails[type eq "work" and x[y pr]]', /value paths cannot be nested/);
  });

  it('rejects paths inside a value path that are not plain sub-attributes (RFC 7643 §2.4)', () => {
    invalid('emails[type.x eq "work"]', /inside a value path, "type.x" must be a plain sub-attribute name/);
    invalid('name.familyName[givenName pr]', /a value path needs a multi-valued attribute, not "name.familyName"/);
  });

  it('rejects the trailing sub-attribute form without an operator (RFC 7644 §3.4.2.2)', () => {
    invalid('emails[type eq "work"].value', /expected an operator after "emails\[…\]\.value"/);
    invalid('emails[type eq "work"].value pr "x"', /"pr" takes no value/);
    invalid('emails[type eq "work"].value.x eq "y"', /invalid sub-attribute ".value.x"/);
  });

  it('rejects malformed attribute names and URNs (RFC 7644 §3.4.2.2 ATTRNAME)', () => {
    invalid('1abc eq "x"', /invalid attribute name "1abc" \(at position 1\)/);
    invalid('name.1x eq "x"', /invalid sub-attribute name "1x" \(at position 6\)/);
    invalid('name.givenName.first eq "x"', /nests deeper than attribute.subAttribute/);
    invalid('urn:foo: eq "x"', /missing attribute name after the URI "urn:foo"/);
    invalid(':userName eq "x"', /"" is not a schema URI/);
  });

  it('rejects unterminated strings and bad escapes (RFC 7644 §3.4.2.2: strings are JSON)', () => {
    invalid('userName eq "abc', /unterminated string: missing closing '"' \(at position 13\)/);
    invalid('userName eq "abc\\"', /unterminated string/);
    invalid('userName eq "a\\xb"', /invalid escape "\\x" in string \(at position 15\)/);
    invalid('userName eq "\\u12G4"', /invalid \\u escape/);
  });

  it('turns 10,000 nested parentheses into a 400, not a stack overflow (RFC 7644 §3.4.2.2)', () => {
    const deep = `${'('.repeat(10_000)}a pr${')'.repeat(10_000)}`;
    invalid(deep, /nesting deeper than 50 levels \(at position 51\)/);
    invalid(`${'not ('.repeat(51)}a pr${')'.repeat(51)}`, /nesting deeper than 50 levels/);
  });

  it('reports the first error in reading order (RFC 7644 §3.12 detail)', () => {
    invalid('userName xx "abc', /unknown operator "xx";.* \(at position 10\)/);
    expect(() => parseFilter('userName eq "ok"')).not.toThrow();
  });
});
