import { describe, expect, it } from 'vitest';
import type { Filter } from '../../../worker/src/scim/filter/ast';
import { applyPatch } from '../../../worker/src/scim/patch';
import { groupResourceType } from '../../../worker/src/scim/schema/registry';
import { expectScimError, group, message, patchGroup } from './helpers';

const typeIsGroup: Filter = { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'Group' };

describe('Group membership becomes a MemberDelta, never part of the body', () => {
  it('adds members from a path "members" add', () => {
    const out = patchGroup({ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u2', type: 'User' }] });
    expect(out.members).toEqual({ clear: false, add: ['u1', 'u2'], remove: [], removeWhere: [] });
    expect(out.body).not.toHaveProperty('members');
  });

  it('adds members from a pathless add {members: […]}', () => {
    const out = patchGroup({ op: 'add', value: { members: [{ value: 'u1' }], displayName: 'Guides' } });
    expect(out.members).toEqual({ clear: false, add: ['u1'], remove: [], removeWhere: [] });
    expect(out.body).toEqual({ displayName: 'Guides' });
  });

  it('clears and adds for a pathless replace {members: […]}', () => {
    expect(patchGroup({ op: 'replace', value: { members: [{ value: 'u1' }] } }).members).toEqual({ clear: true, add: ['u1'], remove: [], removeWhere: [] });
  });

  it('clears for a pathless replace {members: null}', () => {
    expect(patchGroup({ op: 'replace', value: { members: null } }).members).toEqual({ clear: true, add: [], remove: [], removeWhere: [] });
  });

  it('removes each id of an "or" of value eq comparisons', () => {
    const out = patchGroup({ op: 'remove', path: 'members[value eq "u1" or Value Eq "u2" or value eq "u3"]' });
    expect(out.members).toEqual({ clear: false, add: [], remove: ['u1', 'u2', 'u3'], removeWhere: [] });
  });

  it('hands any other members filter to the service as removeWhere', () => {
    const out = patchGroup({ op: 'remove', path: 'members[type eq "Group"]' });
    expect(out.members).toEqual({ clear: false, add: [], remove: [], removeWhere: [typeIsGroup] });
  });

  it('drops an earlier addition that a later removeWhere filter matches', () => {
    const out = patchGroup(
      {
        op: 'add',
        path: 'members',
        value: [
          { value: 'g1', type: 'Group' },
          { value: 'u1', type: 'User' },
        ],
      },
      { op: 'remove', path: 'members[type eq "Group"]' },
    );
    expect(out.members).toEqual({ clear: false, add: ['u1'], remove: [], removeWhere: [typeIsGroup] });
  });

  it('folds add-then-remove and remove-then-add of one id in order', () => {
    expect(patchGroup({ op: 'add', path: 'members', value: [{ value: 'u1' }] }, { op: 'remove', path: 'members[value eq "u1"]' }).members).toEqual({
      clear: false,
      add: [],
      remove: ['u1'],
      removeWhere: [],
    });
    expect(patchGroup({ op: 'remove', path: 'members[value eq "u1"]' }, { op: 'add', path: 'members', value: [{ value: 'u1' }] }).members).toEqual({
      clear: false,
      add: ['u1'],
      remove: [],
      removeWhere: [],
    });
  });

  it('forgets earlier changes when a later operation clears', () => {
    const out = patchGroup(
      { op: 'add', path: 'members', value: [{ value: 'u1' }] },
      { op: 'remove', path: 'members[type eq "Group"]' },
      { op: 'remove', path: 'members' },
    );
    expect(out.members).toEqual({ clear: true, add: [], remove: [], removeWhere: [] });
  });

  it('does not duplicate an id added twice', () => {
    expect(
      patchGroup({ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u1' }] }, { op: 'add', path: 'members', value: { value: 'u1' } }).members
        ?.add,
    ).toEqual(['u1']);
  });

  it('leaves members undefined when no operation touches them', () => {
    const out = patchGroup({ op: 'replace', path: 'displayName', value: 'Guides' });
    expect(out).toEqual({ body: { displayName: 'Guides' } });
  });

  it('renames a group and changes members in one request', () => {
    const out = applyPatch(
      groupResourceType,
      group(),
      message({ op: 'Replace', path: 'displayName', value: 'New' }, { op: 'Add', path: 'members', value: [{ value: 'u9' }] }),
    );
    expect(out).toEqual({ body: { displayName: 'New' }, members: { clear: false, add: ['u9'], remove: [], removeWhere: [] } });
  });

  it('rejects member values that are not objects with a string "value" (400 invalidValue)', () => {
    expectScimError(() => patchGroup({ op: 'add', path: 'members', value: [42] }), 'invalidValue', /members\[0\]/);
    expectScimError(() => patchGroup({ op: 'add', path: 'members', value: [''] }), 'invalidValue', /members\[0\]/);
    expectScimError(() => patchGroup({ op: 'add', path: 'members', value: [{ value: 42 }] }), 'invalidValue');
    expectScimError(() => patchGroup({ op: 'add', path: 'members', value: [{ display: 'no id' }] }), 'invalidValue');
    expectScimError(() => patchGroup({ op: 'Remove', path: 'members', value: [{ value: '' }] }), 'invalidValue');
    expectScimError(() => patchGroup({ op: 'add', value: { Members: [{ display: 'no id' }] } }), 'invalidValue');
  });

  it('rejects editing a member in place (sub-attributes are immutable or readOnly: 400 mutability)', () => {
    expectScimError(() => patchGroup({ op: 'replace', path: 'members[value eq "u1"].type', value: 'Group' }), 'mutability');
    expectScimError(() => patchGroup({ op: 'replace', path: 'members[value eq "u1"].display', value: 'x' }), 'mutability');
    expectScimError(() => patchGroup({ op: 'replace', path: 'members.value', value: 'x' }), 'mutability');
  });

  it('rejects add or replace through a members filter (400 invalidPath)', () => {
    expectScimError(() => patchGroup({ op: 'add', path: 'members[value eq "u1"]', value: { value: 'u2' } }), 'invalidPath');
  });

  it('rejects a members filter on an unknown sub-attribute (400 invalidPath)', () => {
    expectScimError(() => patchGroup({ op: 'remove', path: 'members[colour eq "red"]' }), 'invalidPath');
  });

  it("rejects removing a Group's displayName, which is required (400 mutability)", () => {
    expectScimError(() => patchGroup({ op: 'remove', path: 'displayName' }), 'mutability');
  });
});
