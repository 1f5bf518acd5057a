import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../worker/src/scim/errors';
import { applyPatch, MAX_PATCH_OPERATIONS } from '../../../worker/src/scim/patch';
import { groupResourceType, userResourceType } from '../../../worker/src/scim/schema/registry';
import { babs, ENTERPRISE, expectScimError, message, PATCH_OP, patchUser } from './helpers';

const run = (request: unknown) => () => applyPatch(userResourceType, babs(), request);

describe('the PatchOp message (RFC 7644 §3.5.2)', () => {
  it('rejects a body that is not an object (400 invalidSyntax)', () => {
    for (const body of [null, 'x', 42, [], true]) expectScimError(run(body), 'invalidSyntax');
  });

  it('rejects "schemas" that do not list the PatchOp URN (400 invalidSyntax)', () => {
    expectScimError(
      run({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'add', path: 'title', value: 'x' }] }),
      'invalidSyntax',
      /PatchOp/,
    );
    expectScimError(run({ schemas: [], Operations: [{ op: 'add', path: 'title', value: 'x' }] }), 'invalidSyntax');
  });

  it('rejects a missing, non-array or empty "Operations" (400 invalidSyntax)', () => {
    expectScimError(run({ schemas: [PATCH_OP] }), 'invalidSyntax', /Operations/);
    expectScimError(run({ schemas: [PATCH_OP], Operations: {} }), 'invalidSyntax');
    expectScimError(run({ schemas: [PATCH_OP], Operations: [] }), 'invalidSyntax');
  });

  it(`rejects more than ${MAX_PATCH_OPERATIONS} operations (400 invalidValue)`, () => {
    const ops = Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, () => ({ op: 'add', path: 'title', value: 'x' }));
    expectScimError(run(message(...ops)), 'invalidValue', /at most 1000/);
    expect(applyPatch(userResourceType, babs(), message(...ops.slice(1))).body.title).toBe('x');
  });

  it('rejects an unknown or missing op (400 invalidSyntax)', () => {
    expectScimError(run(message({ op: 'copy', path: 'title', value: 'x' })), 'invalidSyntax', /"copy"/);
    expectScimError(run(message({ path: 'title', value: 'x' } as never)), 'invalidSyntax');
    expectScimError(run({ schemas: [PATCH_OP], Operations: ['add'] }), 'invalidSyntax');
  });

  it('rejects add and replace without a "value" member (400 invalidSyntax)', () => {
    expectScimError(run(message({ op: 'add', path: 'title' })), 'invalidSyntax', /value/);
    expectScimError(run(message({ op: 'replace' })), 'invalidSyntax');
  });

  it('rejects a path that is not a string (400 invalidPath)', () => {
    expectScimError(run(message({ op: 'add', path: 42 as never, value: 'x' })), 'invalidPath');
  });
});

describe('paths (RFC 7644 §3.5.2, 400 invalidPath)', () => {
  it('rejects an unknown attribute or sub-attribute', () => {
    expectScimError(() => patchUser(babs(), { op: 'add', path: 'shoeSize', value: 'x' }), 'invalidPath', /shoeSize/);
    expectScimError(() => patchUser(babs(), { op: 'add', path: 'name.nickname', value: 'x' }), 'invalidPath');
    expectScimError(() => patchUser(babs(), { op: 'add', path: 'emails[type eq "work"].colour', value: 'x' }), 'invalidPath');
  });

  it('rejects a malformed path', () => {
    expectScimError(() => patchUser(babs(), { op: 'add', path: 'emails[type eq "work"', value: 'x' }), 'invalidPath');
    expectScimError(() => patchUser(babs(), { op: 'add', path: '', value: 'x' }), 'invalidPath');
    expectScimError(() => patchUser(babs(), { op: 'remove', path: 'a.b.c' }), 'invalidPath');
  });

  it('rejects a value filter on a single-valued simple attribute, a write through one on a complex attribute, or an unknown sub-attribute', () => {
    expectScimError(() => patchUser(babs(), { op: 'remove', path: 'title[value eq "x"]' }), 'invalidPath', /single-valued/);
    expectScimError(
      () => patchUser(babs(), { op: 'replace', path: 'name[givenName eq "Barbara"]', value: { givenName: 'x' } }),
      'invalidPath',
      /only be used to remove/,
    );
    expectScimError(() => patchUser(babs(), { op: 'remove', path: 'emails[colour eq "red"]' }), 'invalidPath', /colour/);
  });

  it('rejects removing the core schema URN', () => {
    expectScimError(() => patchUser(babs(), { op: 'remove', path: 'urn:ietf:params:scim:schemas:core:2.0:User' }), 'invalidPath');
  });
});

describe('mutability (RFC 7644 §3.5.2, 400 mutability)', () => {
  it('rejects an explicit path to a readOnly attribute: id, meta, groups', () => {
    expectScimError(() => patchUser(babs(), { op: 'replace', path: 'id', value: 'x' }), 'mutability', /id is readOnly/);
    expectScimError(() => patchUser(babs(), { op: 'remove', path: 'meta.lastModified' }), 'mutability');
    expectScimError(() => patchUser(babs(), { op: 'add', path: 'groups', value: [{ value: 'g' }] }), 'mutability');
    expectScimError(() => patchUser(babs(), { op: 'replace', path: `${ENTERPRISE}:manager.displayName`, value: 'x' }), 'mutability');
  });

  it('rejects removing userName, however the removal is spelled (RFC 7644 §3.5.2.2: required → mutability)', () => {
    expectScimError(() => patchUser(babs(), { op: 'remove', path: 'userName' }), 'mutability', /userName is required/);
    expectScimError(() => patchUser(babs(), { op: 'Replace', path: 'userName', value: null }), 'mutability');
    expectScimError(() => patchUser(babs(), { op: 'replace', value: { userName: null } }), 'mutability');
  });
});

describe('values (400 invalidValue, reported with the attribute path)', () => {
  it('rejects a value of the wrong type', () => {
    expectScimError(() => patchUser(babs(), { op: 'replace', path: 'active', value: 'maybe' }), 'invalidValue', /active/);
    expectScimError(() => patchUser(babs(), { op: 'replace', path: 'userName', value: 5 }), 'invalidValue', /userName/);
    expectScimError(() => patchUser(babs(), { op: 'add', path: 'emails', value: 'x@y.com' }), 'invalidValue', /emails\.0/);
    expectScimError(() => patchUser(babs(), { op: 'replace', path: 'name', value: 'Babs' }), 'invalidValue', /name/);
    expectScimError(() => patchUser(babs(), { op: 'replace', value: { active: 'maybe' } }), 'invalidValue', /active/);
    expectScimError(() => patchUser(babs(), { op: 'replace', path: 'emails[type eq "work"].primary', value: 'yes' }), 'invalidValue', /primary/);
  });

  it('rejects a pathless value that is not an object', () => {
    expectScimError(() => patchUser(babs(), { op: 'add', value: 'x' }), 'invalidValue');
    expectScimError(() => patchUser(babs(), { op: 'replace', value: null }), 'invalidValue');
    expectScimError(() => patchUser(babs(), { op: 'add', path: ENTERPRISE, value: 'x' }), 'invalidValue');
  });

  it('rejects a list where one element of a value path is expected', () => {
    expectScimError(
      () => patchUser(babs(), { op: 'replace', path: 'emails[type eq "work"]', value: [{ value: 'a@b.c' }, { value: 'd@e.f' }] }),
      'invalidValue',
    );
  });

  it('validates the stored body too: a corrupt stored value fails as invalidValue, not a TypeError', () => {
    expectScimError(() => patchUser({ ...babs(), active: 'maybe' }, { op: 'replace', path: 'title', value: 'x' }), 'invalidValue');
  });

  it('throws only ScimErrors for odd input', () => {
    const odd: unknown[] = [
      message({ op: 'add', path: 'emails[type eq "work"]', value: 5 }),
      message({ op: 'add', path: 'emails', value: [[1]] }),
      message({ op: 'add', path: 'name.givenName', value: { a: 1 } }),
      message({ op: 'replace', path: ENTERPRISE, value: [1, 2] }),
      message({ op: 'add', value: { emails: { value: {} } } }),
      message({ op: 'add', value: { 'name.givenName.x': 'y', 'urn:x': 1 } }),
      message({ op: 'replace', path: 'emails[value eq 5].value', value: true }),
      { schemas: PATCH_OP, Operations: [{ op: 'remove', path: 'emails[not (type eq "work")]' }] },
    ];
    for (const request of odd) {
      try {
        applyPatch(userResourceType, babs(), request);
        applyPatch(groupResourceType, { displayName: 'g' }, request);
      } catch (e) {
        expect(e).toBeInstanceOf(ScimError);
      }
    }
  });
});
