/**
 * The console's scope draft ↔ API body (extension/src/components/console/scope-draft.ts, issue
 * #13): a PATCH is a JSON merge patch (RFC 7396), so switching kind sends the old kind's members
 * as null; an unchanged scope is not sent (it would start a full pass); the plan's headline and
 * names; and what a target holds for approval, in words.
 */
import { describe, expect, it } from 'vitest';
import { describeScope, isSameScope, namesIn, previewHeadline, scopeDraftOf, scopeOf } from '../../../extension/src/components/console/scope-draft';
import { bodyOf, draftOf } from '../../../extension/src/components/console/target-draft';
import { heldWords } from '../../../extension/src/lib/held-words';
import { savedTarget } from '../support/saved-target';

const groupsScope = { kind: 'groups' as const, groupIds: ['g-staff', 'g-admins'], nested: true };

const saved = savedTarget({ name: 'Wiki', kind: 'scim', baseUrl: 'https://wiki.example.org/scim/v2', scope: groupsScope, creationThreshold: 250 });

describe('scope draft', () => {
  it('round-trips each kind of scope through the draft', () => {
    for (const scope of [{ kind: 'all' as const }, groupsScope, { kind: 'filter' as const, filter: 'userType eq "Employee"' }])
      expect(scopeOf(scopeDraftOf(scope))).toEqual(scope);
  });

  it('keeps what was typed for another kind while the admin switches back and forth', () => {
    const draft = { ...scopeDraftOf(groupsScope), kind: 'filter' as const, filter: ' active eq true ' };
    expect(scopeOf(draft)).toEqual({ kind: 'filter', filter: 'active eq true' });
    expect(scopeOf({ ...draft, kind: 'groups' })).toEqual(groupsScope);
  });

  it('takes the same groups in another order as the same scope, and nested or not as different', () => {
    expect(isSameScope(groupsScope, { ...groupsScope, groupIds: ['g-admins', 'g-staff'] })).toBe(true);
    expect(isSameScope(groupsScope, { ...groupsScope, nested: false })).toBe(false);
    expect(isSameScope({ kind: 'all' }, { kind: 'filter', filter: 'active eq true' })).toBe(false);
  });

  it('leaves an unchanged scope out of the PATCH body and puts a changed one in', () => {
    const draft = draftOf(saved);
    expect(draft.creationThreshold).toBe('250');
    const unchanged = bodyOf(draft, false);
    expect(unchanged).not.toHaveProperty('scope');
    expect(unchanged.creationThreshold).toBe(250);
    const changed = bodyOf({ ...draft, scope: { ...draft.scope, kind: 'all' } }, false);
    expect(changed.scope).toEqual({ kind: 'all' });
  });

  it('sends the scope of a new target whole', () => {
    const draft = { ...draftOf(saved), scope: { ...scopeDraftOf(undefined), kind: 'filter' as const, filter: 'active eq true' } };
    expect(bodyOf(draft, true).scope).toEqual({ kind: 'filter', filter: 'active eq true' });
  });

  it('describes a scope in a line for the targets list', () => {
    expect(describeScope(groupsScope)).toBe('members of 2 groups (and nested groups)');
    expect(describeScope({ kind: 'filter', filter: 'active eq true' })).toBe('users matching active eq true');
    expect(describeScope({ kind: 'all' })).toBe('all users');
  });
});

describe('scope preview words', () => {
  const user = (n: number) => ({ id: `u${n}`, userName: `user${n}` });
  const preview = {
    scope: { kind: 'all' as const },
    counts: { inScope: 9, create: 7, deactivate: 1, unchanged: 2 },
    create: [1, 2, 3, 4, 5, 6, 7].map(user),
    deactivate: [user(8)],
    needsApproval: false,
  };

  it('says how many will be created and deactivated', () => {
    expect(previewHeadline(preview)).toBe('7 will be created, 1 deactivated (9 in the new scope, 2 unchanged).');
  });

  it('names the first five and counts the rest, including those beyond the list’s cap', () => {
    expect(namesIn(preview.create, 7)).toBe('user1, user2, user3, user4, user5 and 2 more');
    expect(namesIn(preview.create.slice(0, 2), 40)).toBe('user1, user2 and 38 more');
    expect(namesIn([], 0)).toBe('');
  });
});

describe('held for approval, in words', () => {
  it('says creations and deletions apart, singular and plural, and leaves out a kind that holds nothing', () => {
    expect(heldWords(3, 1)).toBe('3 account creations and 1 deactivation or deletion');
    expect(heldWords(1, 0)).toBe('1 account creation');
    expect(heldWords(0, 2)).toBe('2 deactivations or deletions');
    expect(heldWords(0, 0)).toBe('');
  });
});
