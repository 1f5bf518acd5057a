import { describe, expect, it } from 'vitest';
import { getPath, readSource } from '../../../worker/src/provisioning/mapping/get-path';
import { MappingError } from '../../../worker/src/provisioning/mapping/path';
import { setPath } from '../../../worker/src/provisioning/mapping/set-path';
import type { JsonObject } from '../../../worker/src/scim/schema/normalize';
import { CORE, ENTERPRISE, babsJensen } from './fixtures';

describe('getPath reads SCIM paths from a resource', () => {
  const user = babsJensen();

  it('reads simple and sub-attribute paths, whatever the case of the names (RFC 7643 §2.1)', () => {
    expect(getPath(user, 'userName')).toBe('bjensen@example.com');
    expect(getPath(user, 'name.givenName')).toBe('Barbara');
    expect(getPath(user, 'NAME.FamilyName')).toBe('Jensen');
    expect(getPath(user, 'active')).toBe(true);
  });

  it('reads the first element a value path selects', () => {
    expect(getPath(user, 'emails[type eq "home"].value')).toBe('babs@jensen.org');
    expect(getPath(user, 'emails[primary eq true].value')).toBe('bjensen@example.com');
    expect(getPath(user, 'emails[type eq "WORK"]')).toEqual({ value: 'bjensen@example.com', type: 'work', primary: true });
    expect(getPath(user, 'emails[type eq "other"].value')).toBeUndefined();
  });

  it('reads `emails.value` as the primary element, else the first', () => {
    expect(getPath(user, 'emails.value')).toBe('bjensen@example.com');
    expect(getPath({ emails: [{ value: 'a@x' }, { value: 'b@x', primary: true }] }, 'emails.value')).toBe('b@x');
    expect(getPath({ emails: [{ value: 'a@x' }, { value: 'b@x' }] }, 'emails.value')).toBe('a@x');
  });

  it('reads URN-qualified paths under the extension, and core URNs at the top level', () => {
    expect(getPath(user, `${ENTERPRISE}:department`)).toBe('Tour Operations');
    expect(getPath(user, `${ENTERPRISE}:manager.value`)).toBe('26118915-6090-4610-87e4-49d8ca9f808d');
    expect(getPath(user, `${CORE}:userName`)).toBe('bjensen@example.com');
    expect(getPath({ userName: 'x' }, `${ENTERPRISE}:department`)).toBeUndefined();
  });

  it('treats null, "" and [] as missing (RFC 7643 §2.5)', () => {
    expect(getPath({ title: null, nickName: '', emails: [] }, 'title')).toBeUndefined();
    expect(getPath({ nickName: '' }, 'nickName')).toBeUndefined();
    expect(getPath({ emails: [] }, 'emails')).toBeUndefined();
  });

  it('rejects a path the SCIM grammar rejects with a MappingError naming it', () => {
    expect(() => getPath(user, 'emails[type eq "work"')).toThrow(MappingError);
    expect(() => getPath(user, 'name..givenName')).toThrow(/The mapping path "name..givenName" is invalid/);
  });

  it('reads the first alternative of a source expression that has a value', () => {
    expect(readSource(user, 'nickName | emails[type eq "work"].value')).toBe('bjensen@example.com');
    expect(readSource(user, 'emails[type eq "a|b"].value | title')).toBe('Tour Guide');
    expect(readSource(user, 'nickName | profileUrl')).toBeUndefined();
  });
});

describe('setPath writes SCIM paths into a payload', () => {
  it('builds nested objects for sub-attributes', () => {
    const p: JsonObject = {};
    setPath(p, 'name.givenName', 'Ann');
    setPath(p, 'name.familyName', 'Lee');
    setPath(p, 'userName', 'ann');
    expect(p).toEqual({ name: { givenName: 'Ann', familyName: 'Lee' }, userName: 'ann' });
  });

  it('creates an element from the filter of a value path, and reuses it', () => {
    const p: JsonObject = {};
    setPath(p, 'emails[type eq "work"].value', 'ann@x');
    setPath(p, 'emails[type eq "work"].display', 'Ann');
    setPath(p, 'emails[type eq "home" and primary eq true].value', 'ann@home');
    expect(p).toEqual({
      emails: [
        { type: 'work', value: 'ann@x', display: 'Ann' },
        { type: 'home', primary: true, value: 'ann@home' },
      ],
    });
  });

  it('writes a scalar to a value path without a sub-attribute as its `value`', () => {
    const p: JsonObject = {};
    setPath(p, 'phoneNumbers[type eq "work"]', '555');
    expect(p).toEqual({ phoneNumbers: [{ type: 'work', value: '555' }] });
  });

  it('writes `emails.value` to the primary element', () => {
    const p: JsonObject = {};
    setPath(p, 'emails.value', 'ann@x');
    expect(p).toEqual({ emails: [{ primary: true, value: 'ann@x' }] });
  });

  it('writes URN paths under the extension object, and core URN paths at the top level', () => {
    const p: JsonObject = {};
    setPath(p, `${ENTERPRISE}:department`, 'Sales');
    setPath(p, `${ENTERPRISE}:manager.value`, 'm-1');
    setPath(p, `${CORE}:title`, 'Boss');
    expect(p).toEqual({ [ENTERPRISE]: { department: 'Sales', manager: { value: 'm-1' } }, title: 'Boss' });
  });

  it('round-trips: what setPath writes, getPath reads back', () => {
    const p: JsonObject = {};
    for (const path of ['emails[type eq "work"].value', `${ENTERPRISE}:employeeNumber`, 'name.formatted']) {
      setPath(p, path, `v:${path}`);
      expect(getPath(p, path)).toBe(`v:${path}`);
    }
  });
});
