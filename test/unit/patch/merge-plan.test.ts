/**
 * Which PATCH requests are planned from the request alone (one D1 round trip, issue #11) and
 * which are left to the engine that reads the resource first. What a plan does to a stored body
 * is proven against the engine in test/worker/one-trip-patch.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { planMembershipPatch } from '../../../worker/src/scim/patch/membership-plan';
import { planMergePatch } from '../../../worker/src/scim/patch/merge-plan';
import { parsePatchRequest } from '../../../worker/src/scim/patch';
import { groupResourceType, userResourceType } from '../../../worker/src/scim/schema/registry';
import { ENTERPRISE, message, type Op } from './helpers';

const planUser = (...ops: Op[]) => planMergePatch(userResourceType, parsePatchRequest(message(...ops)));
/** A plan with these parts and nothing else. */
const only = (parts: Partial<NonNullable<ReturnType<typeof planUser>>>) => ({
  patches: [],
  prune: [],
  elements: [],
  appends: [],
  removes: [],
  unsets: [],
  lists: [],
  ...parts,
});

describe('single-valued attributes as a merge patch', () => {
  it("plans Entra ID's Replace of active (string boolean), a name part and an enterprise attribute", () => {
    const plan = planUser(
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Replace', path: 'name.givenName', value: 'Ada' },
      { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Eng' },
    );
    expect(plan).toEqual(only({ patches: [{ active: false, name: { givenName: 'Ada' }, [ENTERPRISE]: { department: 'Eng' } }] }));
  });

  it("plans Okta's path-less {active: false}, dropping a stray id", () => {
    expect(planUser({ op: 'replace', value: { active: false, id: 'x' } })).toEqual(only({ patches: [{ active: false }] }));
  });

  it('plans a bare manager id as {value}, and an unassign with the containers it may empty', () => {
    expect(planUser({ op: 'add', path: `${ENTERPRISE}:manager`, value: 'm-1' })!.patches).toEqual([{ [ENTERPRISE]: { manager: { value: 'm-1' } } }]);
    expect(planUser({ op: 'remove', path: `${ENTERPRISE}:manager.value` })).toEqual(
      only({ patches: [{ [ENTERPRISE]: { manager: { value: null } } }], prune: [[ENTERPRISE, 'manager'], [ENTERPRISE]] }),
    );
  });

  it("plans Entra ID's Replace (and Add) of a sub-attribute of the elements `type eq` selects, beside a title", () => {
    const plan = planUser(
      { op: 'Replace', path: 'title', value: 'tester' },
      { op: 'Replace', path: 'emails[type eq "Work"].value', value: 'x@y.test' },
      { op: 'Add', path: 'addresses[TYPE eq "work"].streetAddress', value: ['1 Main St'] },
    );
    expect(plan!.patches).toEqual([{ title: 'tester' }]);
    expect(plan!.elements.map((e) => [e.def.name, e.sub.name, e.type, e.value])).toEqual([
      ['emails', 'value', 'work', 'x@y.test'],
      ['addresses', 'streetAddress', 'work', '1 Main St'],
    ]);
  });

  it('starts a second patch for a write inside what the request unassigned', () => {
    expect(planUser({ op: 'remove', path: 'name' }, { op: 'add', path: 'name.familyName', value: 'H' })!.patches).toEqual([
      { name: null },
      { name: { familyName: 'H' } },
    ]);
  });

  it('plans values added to a multi-valued attribute, dropping one an earlier value of the request contains', () => {
    const plan = planUser({ op: 'add', path: 'emails', value: [{ value: 'A@b.c', type: 'work' }, { value: 'a@B.c' }, { value: 'x@b.c', primary: true }] });
    expect(plan!.appends.map((a) => a.element)).toEqual([
      { value: 'A@b.c', type: 'work' },
      { value: 'x@b.c', primary: true },
    ]);
  });

  it('plans a replace of a whole multi-valued attribute as the engine writes it (one primary kept), and its remove', () => {
    const plan = planUser(
      {
        op: 'replace',
        path: 'emails',
        value: [
          { value: 'a@b.c', primary: true },
          { value: 'x@b.c', primary: 'True' },
        ],
      },
      { op: 'remove', path: 'phoneNumbers' },
    );
    expect(plan!.patches).toEqual([{ emails: [{ value: 'a@b.c', primary: true }, { value: 'x@b.c' }], phoneNumbers: null }]);
    expect(plan!.lists).toEqual(['emails', 'phoneNumbers']);
  });

  it('plans the removal of the elements a value or type filter selects, the value folded unless caseExact', () => {
    const plan = planUser({ op: 'remove', path: 'emails[value eq "A@b.c"]' }, { op: 'Remove', path: 'photos[value eq "https://x/A.png"]' });
    expect(plan!.removes.map((r) => [r.def.name, r.key.name, r.value])).toEqual([
      ['emails', 'value', 'a@b.c'],
      ['photos', 'value', 'https://x/A.png'],
    ]);
  });

  it('plans Entra ID\'s remove of manager[value eq "…"] as a conditional unassign, with its extension pruned when emptied', () => {
    const plan = planUser({ op: 'Remove', path: 'manager[value eq "Boss-1"]' });
    expect(plan!.unsets.map((u) => [u.at, u.key.name, u.value])).toEqual([[[ENTERPRISE, 'manager'], 'value', 'boss-1']]);
    expect(plan!.prune).toEqual([[ENTERPRISE]]);
    expect(planUser({ op: 'Remove', path: 'manager[value eq "b"]' }, { op: 'add', path: 'manager', value: 'c' })).toBeUndefined();
  });

  it('plans a password as nothing written (the service drops it), once its value is valid', () => {
    expect(planUser({ op: 'replace', value: { password: 'secret-1234', active: true } })!.patches).toEqual([{ active: true }]);
    expect(planUser({ op: 'replace', path: 'password', value: 7 })).toBeUndefined();
  });

  it.each<[string, Op[]]>([
    [
      'two new primaries',
      [
        {
          op: 'add',
          path: 'emails',
          value: [
            { value: 'a@b.c', primary: true },
            { value: 'x@b.c', primary: true },
          ],
        },
      ],
    ],
    [
      'two operations adding to one attribute',
      [
        { op: 'add', path: 'emails', value: [{ value: 'a@b.c' }] },
        { op: 'add', value: { emails: [{ value: 'x@b.c' }] } },
      ],
    ],
    [
      'an attribute written two ways',
      [
        { op: 'replace', path: 'emails', value: [{ value: 'a@b.c', type: 'work' }] },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'x@b.c' },
      ],
    ],
    ['values removed from a list', [{ op: 'remove', path: 'emails', value: [{ value: 'a@b.c' }] }]],
    ['a removal by a filter joined with another', [{ op: 'remove', path: 'emails[value eq "a@b.c" or type eq "work"]' }]],
    ['a removal of a filtered sub-attribute', [{ op: 'remove', path: 'emails[type eq "work"].display' }]],
    ['a sub-attribute of every element', [{ op: 'replace', path: 'emails.type', value: 'work' }]],
    ['a write by a value filter other than type eq', [{ op: 'replace', path: 'emails[value eq "a@b.c"].value', value: 'x@b.c' }]],
    ['a whole filtered element', [{ op: 'replace', path: 'emails[type eq "work"]', value: { value: 'a@b.c' } }]],
    ['a filtered primary', [{ op: 'replace', path: 'emails[type eq "work"].primary', value: true }]],
    ['a filtered unassign', [{ op: 'replace', path: 'emails[type eq "work"].value', value: null }]],
    ['a filtered remove of a sub-attribute', [{ op: 'remove', path: 'emails[type eq "work"].value' }]],
    ['a filtered write of the wrong type', [{ op: 'replace', path: 'emails[type eq "work"].value', value: { x: 1 } }]],
    ['removing the required userName', [{ op: 'remove', path: 'userName' }]],
    ['an empty userName', [{ op: 'replace', path: 'userName', value: '' }]],
    ['a value of the wrong type', [{ op: 'replace', path: 'active', value: 'maybe' }]],
    ['a readOnly attribute', [{ op: 'replace', path: 'groups', value: [] }]],
    ['an unknown attribute', [{ op: 'replace', path: 'shoeSize', value: '9' }]],
    ['remove without a path', [{ op: 'remove' }]],
  ])('leaves %s to the engine', (_what, ops) => {
    expect(planUser(...ops)).toBeUndefined();
  });
});

describe('Group membership by id', () => {
  const planGroup = (...ops: Op[]) => planMembershipPatch(groupResourceType, parsePatchRequest(message(...ops)));

  it('plans adds and removes by value, bare ids, value-eq filters and path-less members', () => {
    expect(
      planGroup(
        { op: 'Add', path: 'members', value: [{ value: 'u1' }] },
        { op: 'add', path: 'members', value: 'u2' },
        { op: 'Remove', path: 'members', value: [{ value: 'u3' }] },
        { op: 'remove', path: 'members[value eq "u4" or value eq "u5"]' },
        { op: 'add', value: { members: [{ value: 'u6' }] } },
      ),
    ).toEqual({ clear: false, add: ['u1', 'u2', 'u6'], remove: ['u3', 'u4', 'u5'], removeWhere: [] });
  });

  it('plans a removal by a filter on type or value, to be matched by SQL over the member rows', () => {
    const delta = planGroup({ op: 'remove', path: 'members[type eq "User"]' }, { op: 'remove', path: 'members[value ne "u1" and not (type eq "group")]' });
    expect(delta?.removeWhere).toHaveLength(2);
  });

  it.each<[string, Op[]]>([
    ['a filter on display (SQLite folds ASCII only)', [{ op: 'remove', path: 'members[display eq "Ada"]' }]],
    ['a filter with another operator', [{ op: 'remove', path: 'members[value sw "u"]' }]],
    [
      'a displayName change beside the members',
      [
        { op: 'replace', path: 'displayName', value: 'x' },
        { op: 'add', path: 'members', value: 'u1' },
      ],
    ],
    ['a path-less value with more than members', [{ op: 'replace', value: { displayName: 'x', members: [{ value: 'u1' }] } }]],
    ['a member without a value', [{ op: 'add', path: 'members', value: [{ display: 'x' }] }]],
  ])('leaves %s to the engine', (_what, ops) => {
    expect(planGroup(...ops)).toBeUndefined();
  });

  it('plans nothing for Users, which have no members', () => {
    expect(planMembershipPatch(userResourceType, parsePatchRequest(message({ op: 'add', path: 'members', value: 'u1' })))).toBeUndefined();
  });
});
