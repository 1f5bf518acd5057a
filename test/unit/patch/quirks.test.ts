import { describe, expect, it } from 'vitest';
import { applyPatch } from '../../../worker/src/scim/patch';
import { userResourceType } from '../../../worker/src/scim/schema/registry';
import { babs, ENTERPRISE, expectScimError, PATCH_OP, patchGroup, patchUser } from './helpers';

/** DESIGN.md "Clients are not perfect": one named regression test per quirk. */
describe('vendor quirks', () => {
  it('accepts Entra ID\'s capitalised "Replace" op with a string boolean ("False" for active)', () => {
    const { body } = patchUser(babs(), { op: 'Replace', path: 'active', value: 'False' });
    expect(body.active).toBe(false);
  });

  it('accepts Entra ID\'s capitalised "Add" and "Remove" ops', () => {
    const { body } = patchUser(babs(), { op: 'Add', path: 'title', value: 'Guide' }, { op: 'Remove', path: 'displayName' });
    expect(body.title).toBe('Guide');
    expect(body).not.toHaveProperty('displayName');
  });

  it('coerces string booleans inside a value ("primary": "True")', () => {
    const { body } = patchUser(babs(), { op: 'add', path: 'phoneNumbers', value: [{ value: '555-0100', type: 'work', primary: 'True' }] });
    expect(body.phoneNumbers).toEqual([{ value: '555-0100', type: 'work', primary: true }]);
  });

  it('accepts "operations" in any case and a missing "schemas"', () => {
    const out = applyPatch(userResourceType, babs(), { operations: [{ op: 'replace', path: 'title', value: 'x' }] });
    expect(out.body.title).toBe('x');
    expect(applyPatch(userResourceType, babs(), { schemas: [PATCH_OP.toUpperCase()], OPERATIONS: [{ OP: 'add', Path: 'title', Value: 'y' }] }).body.title).toBe(
      'y',
    );
  });

  it('folds Entra ID\'s dotted keys in a pathless value ({"name.givenName": "x"})', () => {
    const { body } = patchUser(babs(), { op: 'Replace', value: { 'name.givenName': 'Babs', 'name.familyName': 'J' } });
    expect(body.name).toEqual({ formatted: 'Ms. Barbara J Jensen III', givenName: 'Babs', familyName: 'J' });
  });

  it("folds Entra ID's URN-qualified keys in a pathless value", () => {
    const { body } = patchUser(babs(), {
      op: 'Replace',
      value: { [`${ENTERPRISE}:department`]: 'Sales', [`${ENTERPRISE}:manager.value`]: 'boss-id', 'urn:ietf:params:scim:schemas:core:2.0:User:title': 'Rep' },
    });
    expect(body[ENTERPRISE]).toEqual({ employeeNumber: '701984', department: 'Sales', manager: { value: 'boss-id' } });
    expect(body.title).toBe('Rep');
  });

  it('ignores a stray "id" (and meta, schemas) in a pathless value, as Okta and Entra ID send', () => {
    const { body } = patchUser(babs(), { op: 'replace', value: { id: 'other-id', meta: { created: 'x' }, schemas: ['x'], displayName: 'B' } });
    expect(body).not.toHaveProperty('id');
    expect(body).not.toHaveProperty('meta');
    expect(body.displayName).toBe('B');
  });

  it('ignores a readOnly "groups" value in a pathless add', () => {
    const { body } = patchUser(babs(), { op: 'add', value: { groups: [{ value: 'g1' }], title: 't' } });
    expect(body).not.toHaveProperty('groups');
    expect(body.title).toBe('t');
  });

  it('treats "value": null on a path as a removal (Okta, Entra ID)', () => {
    const { body } = patchUser(babs(), { op: 'replace', path: 'displayName', value: null }, { op: 'Replace', path: `${ENTERPRISE}:department`, value: null });
    expect(body).not.toHaveProperty('displayName');
    expect(body[ENTERPRISE]).not.toHaveProperty('department');
  });

  it('treats a null attribute in a pathless replace as a removal', () => {
    const { body } = patchUser(babs(), { op: 'replace', value: { displayName: null, 'name.formatted': null, id: null, title: 'T' } });
    expect(body).not.toHaveProperty('displayName');
    expect(body.name).toEqual({ familyName: 'Jensen', givenName: 'Barbara' });
    expect(body.title).toBe('T');
  });

  it('creates the work email for Entra ID\'s Add of emails[type eq "work"].value when there is none', () => {
    const current = { ...babs(), emails: [{ value: 'babs@jensen.org', type: 'home' }] };
    const { body } = patchUser(current, { op: 'Add', path: 'emails[type eq "work"].value', value: 'bjensen@example.com' });
    expect(body.emails).toEqual([
      { value: 'babs@jensen.org', type: 'home' },
      { type: 'work', value: 'bjensen@example.com' },
    ]);
  });

  it('creates the work address for Entra ID\'s Add of addresses[type eq "work"].formatted on a user with no addresses', () => {
    const { addresses: _none, ...current } = babs();
    const { body } = patchUser(current, { op: 'Add', path: 'addresses[type eq "work"].formatted', value: 'Columbus' });
    expect(body.addresses).toEqual([{ type: 'work', formatted: 'Columbus' }]);
  });

  it('updates the existing work email for Entra ID\'s Add of emails[type eq "work"].value', () => {
    const { body } = patchUser(babs(), { op: 'Add', path: 'emails[type eq "work"].value', value: 'new@example.com' });
    expect(body.emails).toEqual([
      { value: 'new@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
  });

  it('keeps RFC noTarget for a Replace of emails[type eq "work"].value when there is no work email', () => {
    const current = { ...babs(), emails: [{ value: 'babs@jensen.org', type: 'home' }] };
    expectScimError(() => patchUser(current, { op: 'Replace', path: 'emails[type eq "work"].value', value: 'x@y.com' }), 'noTarget');
  });

  it('replaces the whole extension when the path is its bare URN and the value an object', () => {
    const { body } = patchUser(babs(), { op: 'replace', path: ENTERPRISE, value: { department: 'Sales', costCenter: '42', id: 'stray' } });
    expect(body[ENTERPRISE]).toEqual({
      employeeNumber: '701984',
      department: 'Sales',
      costCenter: '42',
      manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' },
    });
  });

  it('ignores attributes of schema URNs the server does not know (Entra ID custom extensions)', () => {
    const custom = 'urn:ietf:params:scim:schemas:extension:custom:2.0:User';
    const { body } = patchUser(
      babs(),
      { op: 'Add', path: `${custom}:worksiteId`, value: '180' },
      { op: 'add', path: custom, value: { a: 1 } },
      { op: 'add', value: { [`${custom}:b`]: 2 } },
    );
    expect(body).toEqual(babs());
  });

  it('removes Entra ID\'s member value list ({"op":"Remove","path":"members","value":[{"value":"id"}]})', () => {
    expect(patchGroup({ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] }).members).toEqual({
      clear: false,
      add: [],
      remove: ['u1', 'u2'],
      removeWhere: [],
    });
  });

  it("clears a group with Okta's replace members []", () => {
    expect(patchGroup({ op: 'replace', path: 'members', value: [] }).members).toEqual({ clear: true, add: [], remove: [], removeWhere: [] });
  });

  it('accepts Entra ID\'s one-element list for the single-valued manager (path "manager")', () => {
    const { body } = patchUser(babs(), { op: 'Add', path: 'manager', value: [{ $ref: 'https://x/Users/boss', value: 'boss' }] });
    expect(body[ENTERPRISE]).toMatchObject({ manager: { $ref: 'https://x/Users/boss', value: 'boss' } });
  });

  it("accepts Entra ID's manager as a bare id string on the URN path (apache/directory-scimple#1242)", () => {
    const { body } = patchUser(
      babs(),
      { op: 'Add', path: `${ENTERPRISE}:manager`, value: 'boss' },
      { op: 'replace', value: { [`${ENTERPRISE}:manager`]: 'boss2' } },
    );
    expect(body[ENTERPRISE]).toMatchObject({ manager: { value: 'boss2' } });
  });

  it('accepts a single object where a list of values is expected', () => {
    const { body } = patchUser(babs(), { op: 'add', path: 'phoneNumbers', value: { value: '555-0100', type: 'work' } });
    expect(body.phoneNumbers).toEqual([{ value: '555-0100', type: 'work' }]);
  });

  it('singleValuedComplexFilter: Entra ID\'s remove of manager[value eq "<id>"] removes the manager when it matches, else changes nothing', () => {
    const boss = '26118915-6090-4610-87e4-49d8ca9f808d';
    const rest = { employeeNumber: '701984', department: 'Tour Operations' };
    expect(patchUser(babs(), { op: 'remove', path: `manager[value eq "${boss}"]` }).body[ENTERPRISE]).toEqual(rest);
    expect(patchUser(babs(), { op: 'remove', path: `${ENTERPRISE}:manager[value eq "${boss.toUpperCase()}"]` }).body[ENTERPRISE]).toEqual(rest);
    expect(patchUser(babs(), { op: 'remove', path: 'manager[value eq "someone-else"]' }).body[ENTERPRISE]).toEqual(babs()[ENTERPRISE]);
  });

  it("bareMemberId: Entra ID's add of members as a bare id string, or a list mixing strings and objects", () => {
    expect(patchGroup({ op: 'Add', path: 'members', value: 'u1' }).members?.add).toEqual(['u1']);
    expect(patchGroup({ op: 'Add', path: 'members', value: ['u1', { value: 'u2' }] }).members?.add).toEqual(['u1', 'u2']);
  });
});
