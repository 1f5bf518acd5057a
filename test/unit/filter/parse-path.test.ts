import { describe, expect, it } from 'vitest';
import { parsePatchPath } from '../../../worker/src/scim/filter/parse-path';
import { CORE_USER_URN, ENTERPRISE_URN, and, cmp, expectScimError, path } from './builders';

const OKTA_CUSTOM_URN = 'urn:okta:onprem_app:1.0:user:custom';
const invalid = (p: string, detail: RegExp) => expectScimError(() => parsePatchPath(p), 'invalidPath', detail);

describe('parsePatchPath: attribute paths (RFC 7644 §3.5.2 PATH = attrPath)', () => {
  it('parses a simple attribute and a sub-attribute (RFC 7644 §3.5.2)', () => {
    expect(parsePatchPath('userName')).toStrictEqual({ path: path('userName') });
    expect(parsePatchPath('name.familyName')).toStrictEqual({ path: path('name.familyName') });
    expect(parsePatchPath('  active ')).toStrictEqual({ path: path('active') });
  });

  it('parses URN-qualified extension attributes (RFC 7644 §3.5.2, §3.10)', () => {
    expect(parsePatchPath(`${ENTERPRISE_URN}:manager`)).toStrictEqual({ path: path('manager', ENTERPRISE_URN) });
    expect(parsePatchPath(`${ENTERPRISE_URN}:manager.value`)).toStrictEqual({ path: path('manager.value', ENTERPRISE_URN) });
    expect(parsePatchPath(`${CORE_USER_URN}:name.givenName`)).toStrictEqual({ path: path('name.givenName', CORE_USER_URN) });
  });

  it('parses the bare URN of an extension as the whole extension object (RFC 7644 §3.5.2, quirk bareExtensionUrnPath)', () => {
    expect(parsePatchPath(ENTERPRISE_URN)).toStrictEqual({ path: { uri: ENTERPRISE_URN, attr: '' } });
  });

  it('recognises schema URNs exactly when the caller lists them (RFC 7644 §3.5.2, quirk bareExtensionUrnPath)', () => {
    const schemaUris = [CORE_USER_URN, OKTA_CUSTOM_URN];
    expect(parsePatchPath(OKTA_CUSTOM_URN, { schemaUris })).toStrictEqual({ path: { uri: OKTA_CUSTOM_URN, attr: '' } });
    expect(parsePatchPath(`${OKTA_CUSTOM_URN}:employeeCode`, { schemaUris })).toStrictEqual({
      path: path('employeeCode', OKTA_CUSTOM_URN),
    });
    expect(parsePatchPath(OKTA_CUSTOM_URN.toUpperCase(), { schemaUris })).toStrictEqual({
      path: { uri: OKTA_CUSTOM_URN.toUpperCase(), attr: '' },
    });
  });

  it('falls back to a last-colon split for an unlisted URN without a version segment (RFC 7644 §3.5.2)', () => {
    expect(parsePatchPath(OKTA_CUSTOM_URN)).toStrictEqual({ path: path('custom', 'urn:okta:onprem_app:1.0:user') });
  });
});

describe('parsePatchPath: value paths (RFC 7644 §3.5.2 PATH = valuePath [subAttr])', () => {
  it('parses a value path selecting elements (RFC 7644 §3.5.2)', () => {
    expect(parsePatchPath('emails[type eq "work"]')).toStrictEqual({ path: path('emails'), filter: cmp('type', 'eq', 'work') });
  });

  it('parses a value path with a sub-attribute (RFC 7644 §3.5.2)', () => {
    expect(parsePatchPath('emails[type eq "work"].value')).toStrictEqual({
      path: path('emails'),
      filter: cmp('type', 'eq', 'work'),
      subAttr: 'value',
    });
    expect(parsePatchPath('emails[type eq "work" and primary eq true].display')).toStrictEqual({
      path: path('emails'),
      filter: and(cmp('type', 'eq', 'work'), cmp('primary', 'eq', true)),
      subAttr: 'display',
    });
  });

  it('parses a member selector as Entra ID sends it when removing a group member (RFC 7644 §3.5.2.2, Entra ID quirk)', () => {
    expect(parsePatchPath('members[value eq "2819c223-7f76-453a-919d-413861904646"]')).toStrictEqual({
      path: path('members'),
      filter: cmp('value', 'eq', '2819c223-7f76-453a-919d-413861904646'),
    });
  });

  it('parses an Okta-style address sub-attribute path (RFC 7644 §3.5.2, Okta quirk)', () => {
    expect(parsePatchPath('addresses[type eq "work"].streetAddress')).toStrictEqual({
      path: path('addresses'),
      filter: cmp('type', 'eq', 'work'),
      subAttr: 'streetAddress',
    });
  });

  it('parses a URN-qualified value path (RFC 7644 §3.5.2)', () => {
    expect(parsePatchPath(`${CORE_USER_URN}:emails[type eq "work"].value`)).toStrictEqual({
      path: path('emails', CORE_USER_URN),
      filter: cmp('type', 'eq', 'work'),
      subAttr: 'value',
    });
  });
});

describe('parsePatchPath: malformed paths are 400 invalidPath (RFC 7644 §3.5.2, §3.12)', () => {
  it('rejects an empty path (RFC 7644 §3.5.2)', () => {
    invalid('', /path is empty/);
    invalid('   ', /path is empty/);
  });

  it('rejects text after the path (RFC 7644 §3.5.2)', () => {
    invalid('userName extra', /expected the end of the path but found "extra" \(at position 10\)/);
    invalid('emails[type eq "work"]x', /expected '.' and a sub-attribute, or the end of the path but found "x"/);
    invalid('emails[type eq "work"].value eq "x"', /expected the end of the path but found "eq"/);
    invalid('(userName)', /expected an attribute name but found '\('/);
  });

  it('rejects a malformed selector with invalidPath, not invalidFilter (RFC 7644 §3.12 Table 9)', () => {
    invalid('emails[type eq "work"', /missing '\]' to close the '\[' at position 7/);
    invalid('emails[]', /has no filter/);
    invalid('emails[type equals "work"]', /unknown operator "equals"/);
    invalid('emails[type[value pr]]', /value paths cannot be nested/);
  });

  it('rejects bad attribute and sub-attribute names (RFC 7644 §3.5.2 ATTRNAME)', () => {
    invalid('name.familyName.x', /nests deeper than attribute.subAttribute/);
    invalid('emails[type eq "work"].value.x', /invalid sub-attribute name "value.x" \(at position 24\)/);
    invalid('emails[type eq "work"].', /invalid sub-attribute name ""/);
    invalid('9lives', /invalid attribute name "9lives"/);
  });

  it('rejects a filter on a bare schema URN (RFC 7644 §3.5.2)', () => {
    invalid(`${ENTERPRISE_URN}[manager pr]`, /cannot take a filter/);
  });
});
