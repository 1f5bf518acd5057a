import { describe, expect, it } from 'vitest';
import { applyPatch } from '../../../worker/src/scim/patch';
import { attr } from '../../../worker/src/scim/schema/define';
import { userResourceType } from '../../../worker/src/scim/schema/registry';
import type { JsonObject } from '../../../worker/src/scim/schema/normalize';
import type { ResourceTypeDef } from '../../../worker/src/scim/schema/types';
import { babs, ENTERPRISE, expectScimError, message, patchUser, type Op } from './helpers';

const emailsOf = (...ops: Op[]) => patchUser(babs(), ...ops).body.emails;

describe('sub-attributes and value paths', () => {
  it('sets, replaces and removes a sub-attribute of a complex attribute (name.familyName)', () => {
    expect(patchUser(babs(), { op: 'replace', path: 'name.familyName', value: 'Smith' }).body.name).toEqual({
      ...(babs().name as object),
      familyName: 'Smith',
    });
    const { name: _n, ...noName } = babs();
    expect(patchUser(noName, { op: 'add', path: 'name.givenName', value: 'B' }).body.name).toEqual({ givenName: 'B' });
    expect(patchUser({ ...babs(), name: { givenName: 'B' } }, { op: 'remove', path: 'name.givenName' }).body).not.toHaveProperty('name');
  });

  it('resolves attribute names in any case (RFC 7643 §2.1)', () => {
    expect(patchUser(babs(), { op: 'replace', path: 'NAME.FamilyName', value: 'S' }).body.name).toMatchObject({ familyName: 'S' });
    expect(patchUser(babs(), { op: 'replace', path: 'EMAILS[TYPE eq "work"].VALUE', value: 'w@x.y' }).body.emails).toContainEqual({
      value: 'w@x.y',
      type: 'work',
      primary: true,
    });
  });

  it('matches value filters case-insensitively unless the sub-attribute is caseExact', () => {
    expect(emailsOf({ op: 'remove', path: 'emails[value eq "BJENSEN@EXAMPLE.COM"]' })).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
  });

  it('replaces a sub-attribute of every matched element', () => {
    const current = {
      ...babs(),
      phoneNumbers: [
        { value: '1', type: 'work' },
        { value: '2', type: 'work' },
        { value: '3', type: 'home' },
      ],
    };
    expect(patchUser(current, { op: 'replace', path: 'phoneNumbers[type eq "work"].type', value: 'other' }).body.phoneNumbers).toEqual([
      { value: '1', type: 'other' },
      { value: '2', type: 'other' },
      { value: '3', type: 'home' },
    ]);
  });

  it('applies a sub-attribute path without a filter to every element (emails.type)', () => {
    expect(emailsOf({ op: 'replace', path: 'emails.type', value: 'other' })).toEqual([
      { value: 'bjensen@example.com', type: 'other', primary: true },
      { value: 'babs@jensen.org', type: 'other' },
    ]);
    expect(emailsOf({ op: 'remove', path: 'emails.type' })).toEqual([{ value: 'bjensen@example.com', primary: true }, { value: 'babs@jensen.org' }]);
  });

  it('removes a sub-attribute of the matched elements, and elements left empty', () => {
    expect(emailsOf({ op: 'remove', path: 'emails[type eq "work"].primary' })).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
    const current: JsonObject = { ...babs(), phoneNumbers: [{ value: '1' }, { value: '2', type: 'home' }] };
    expect(patchUser(current, { op: 'remove', path: 'phoneNumbers[type pr].value' }).body.phoneNumbers).toEqual([{ value: '1' }, { type: 'home' }]);
    expect(patchUser(current, { op: 'remove', path: 'phoneNumbers[value eq "1"].value' }).body.phoneNumbers).toEqual([{ value: '2', type: 'home' }]);
  });

  it('is noTarget when a remove filter matches nothing (RFC 7644 §3.12 Table 9)', () => {
    expectScimError(() => patchUser(babs(), { op: 'remove', path: 'emails[type eq "other"]' }), 'noTarget');
    expectScimError(() => patchUser(babs(), { op: 'replace', path: 'emails[type eq "other"].value', value: null }), 'noTarget');
  });

  it('merges an add with a value filter into the matched element', () => {
    expect(emailsOf({ op: 'add', path: 'emails[type eq "home"]', value: { display: 'Home' } })).toContainEqual({
      value: 'babs@jensen.org',
      type: 'home',
      display: 'Home',
    });
  });

  it('appends a new element for an add with an equality filter that matches nothing', () => {
    expect(emailsOf({ op: 'add', path: 'emails[type eq "other"]', value: { value: 'o@x.y' } })).toContainEqual({ type: 'other', value: 'o@x.y' });
  });

  it('is noTarget when an add filter matches nothing and does not pin down an element', () => {
    expectScimError(() => patchUser(babs(), { op: 'add', path: 'emails[type eq "other" or type eq "pager"].value', value: 'x' }), 'noTarget');
    expectScimError(() => patchUser(babs(), { op: 'replace', path: 'emails[type eq "other"]', value: { value: 'x' } }), 'noTarget');
  });

  it('removes the listed values of a multi-valued attribute when remove carries a value list', () => {
    expect(emailsOf({ op: 'remove', path: 'emails', value: [{ value: 'BABS@jensen.org' }] })).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
    ]);
  });

  it('writes common attributes (externalId) and passes a writeOnly password through for the service to hash', () => {
    const { body } = patchUser(babs(), { op: 'replace', path: 'externalId', value: 'B-1' }, { op: 'replace', path: 'password', value: 's3cret' });
    expect(body.externalId).toBe('B-1');
    expect(body.password).toBe('s3cret');
  });
});

describe('extension attributes', () => {
  it('adds, replaces and removes a URN-qualified attribute', () => {
    expect(patchUser(babs(), { op: 'add', path: `${ENTERPRISE}:costCenter`, value: '4130' }).body[ENTERPRISE]).toMatchObject({ costCenter: '4130' });
    expect(patchUser(babs(), { op: 'replace', path: `${ENTERPRISE}:manager.value`, value: 'm2' }).body[ENTERPRISE]).toMatchObject({ manager: { value: 'm2' } });
    expect(patchUser(babs(), { op: 'remove', path: `${ENTERPRISE}:department` }).body[ENTERPRISE]).toEqual({
      employeeNumber: '701984',
      manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' },
    });
  });

  it('resolves an unqualified extension attribute (department) to its extension', () => {
    expect(patchUser(babs(), { op: 'replace', path: 'department', value: 'Sales' }).body[ENTERPRISE]).toMatchObject({ department: 'Sales' });
  });

  it('creates the extension object on first write and drops it when it empties', () => {
    const { [ENTERPRISE]: _e, ...plain } = babs();
    expect(patchUser(plain, { op: 'add', path: `${ENTERPRISE}:division`, value: 'D' }).body[ENTERPRISE]).toEqual({ division: 'D' });
    expect(patchUser(plain, { op: 'remove', path: `${ENTERPRISE}:division` }).body).not.toHaveProperty(ENTERPRISE);
    expect(patchUser({ ...plain, [ENTERPRISE]: { division: 'D' } }, { op: 'remove', path: `${ENTERPRISE}:division` }).body).not.toHaveProperty(ENTERPRISE);
  });

  it('adds to the extension with a pathless value keyed by the URN, and removes it by its bare URN', () => {
    expect(patchUser(babs(), { op: 'add', value: { [ENTERPRISE]: { division: 'D' } } }).body[ENTERPRISE]).toMatchObject({
      division: 'D',
      department: 'Tour Operations',
    });
    expect(patchUser(babs(), { op: 'remove', path: ENTERPRISE }).body).not.toHaveProperty(ENTERPRISE);
  });
});

describe('primary (RFC 7643 §2.4: at most one primary value)', () => {
  it('takes primary away from the others when one element becomes primary', () => {
    expect(emailsOf({ op: 'replace', path: 'emails[type eq "home"].primary', value: true })).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home', primary: true },
    ]);
  });

  it('takes primary away from the others when a primary value is added', () => {
    expect(emailsOf({ op: 'add', path: 'emails', value: [{ value: 'n@x.y', type: 'other', primary: 'true' }] })).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'n@x.y', type: 'other', primary: true },
    ]);
  });

  it('keeps only the first of several primaries in a replaced list', () => {
    expect(
      emailsOf({
        op: 'replace',
        path: 'emails',
        value: [
          { value: 'a@x.y', primary: true },
          { value: 'b@x.y', primary: true },
        ],
      }),
    ).toEqual([{ value: 'a@x.y', primary: true }, { value: 'b@x.y' }]);
  });
});

describe('immutable attributes (RFC 7644 §3.5.2: may be added when unset, never changed)', () => {
  const badge = attr('badge', 'string', 'A badge number, set once.', { mutability: 'immutable' });
  const rt: ResourceTypeDef = { ...userResourceType, schema: { ...userResourceType.schema, attributes: [...userResourceType.schema.attributes, badge] } };
  const patch = (current: object, ...ops: Op[]) => applyPatch(rt, { userName: 'u', ...current }, message(...ops));

  // resourceSchema() caches by resource type name, so this test-only `badge` is not in the
  // returned body; what matters here is that the mutability check lets these through.
  it('allows setting it when unset, and re-sending the same value', () => {
    expect(() => patch({}, { op: 'add', path: 'badge', value: 'B7' })).not.toThrow();
    expect(() => patch({ badge: 'B7' }, { op: 'replace', path: 'badge', value: 'B7' }, { op: 'add', value: { badge: 'B7' } })).not.toThrow();
  });

  it('rejects changing or removing it (400 mutability)', () => {
    expectScimError(() => patch({ badge: 'B7' }, { op: 'replace', path: 'badge', value: 'B8' }), 'mutability', /badge is immutable/);
    expectScimError(() => patch({ badge: 'B7' }, { op: 'replace', value: { badge: 'B8' } }), 'mutability');
    expectScimError(() => patch({ badge: 'B7' }, { op: 'remove', path: 'badge' }), 'mutability');
  });
});

describe('purity and the result', () => {
  it('never mutates the stored body', () => {
    const current = babs();
    const snapshot = structuredClone(current);
    patchUser(
      current,
      { op: 'add', path: 'emails', value: { value: 'z@x.y', primary: true } },
      { op: 'remove', path: 'name.givenName' },
      { op: 'replace', path: `${ENTERPRISE}:manager.value`, value: 'm' },
    );
    expect(current).toEqual(snapshot);
  });

  it('returns the body as parsed by the replace schema (coerced, unknown stored keys dropped)', () => {
    const { body } = patchUser({ ...babs(), active: 'TRUE', legacy: 1 }, { op: 'replace', path: 'title', value: 'x' });
    expect(body.active).toBe(true);
    expect(body).not.toHaveProperty('legacy');
  });

  it('makes no change when add re-sends what is there (RFC 7644 §3.5.2.1)', () => {
    expect(patchUser(babs(), { op: 'add', path: 'emails', value: [{ value: 'bjensen@example.com', type: 'work' }] }).body).toEqual(babs());
  });
});
