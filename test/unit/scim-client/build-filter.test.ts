import { describe, expect, it } from 'vitest';
import { buildFilter } from '../../../worker/src/provisioning/scim-client/filter';
import { parseFilter } from '../../../worker/src/scim/filter/parse-filter';

describe('buildFilter (RFC 7644 §3.4.2.2)', () => {
  it('compares a simple or sub-attribute path with a JSON string', () => {
    expect(buildFilter('userName', 'bjensen')).toBe('userName eq "bjensen"');
    expect(buildFilter('name.familyName', "O'Malley")).toBe('name.familyName eq "O\'Malley"');
    expect(buildFilter('externalId', 42)).toBe('externalId eq 42');
  });

  it('escapes quotes and backslashes so a value cannot change the filter', () => {
    const hostile = 'x" or userName pr or userName eq "\\';
    const f = buildFilter('userName', hostile);
    expect(f).toBe('userName eq "x\\" or userName pr or userName eq \\"\\\\"');
    expect(parseFilter(f)).toEqual({ kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: hostile });
  });

  it('puts the comparison inside the brackets of a value path, so both hold for one element', () => {
    expect(buildFilter('emails[type eq "work"].value', 'a@x')).toBe('emails[type eq "work" and value eq "a@x"]');
    expect(buildFilter('emails[type eq "work"]', { type: 'work', value: 'a@x' })).toBe('emails[type eq "work" and value eq "a@x"]');
    expect(buildFilter('emails[type eq "work" or type eq "other"].value', 'a')).toBe('emails[(type eq "work" or type eq "other") and value eq "a"]');
  });

  it('keeps URN-qualified paths', () => {
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(buildFilter(`${urn}:employeeNumber`, '7')).toBe(`${urn}:employeeNumber eq "7"`);
  });
});
