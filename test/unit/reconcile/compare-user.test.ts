/**
 * compareUser: what counts as drift between a linked account and the directory. Only what the
 * mapping manages; create-only rules and values the directory lacks (without clearWhenMissing)
 * are the target's own.
 */
import { describe, expect, it } from 'vitest';
import { mappingRuleSchema } from '../../../shared/src/targets';
import { DEFAULT_MAPPING } from '../../../worker/src/provisioning/mapping';
import { compareUser } from '../../../worker/src/provisioning/reconcile/compare-user';
import { listedAttributes, topLevelAttribute } from '../../../worker/src/provisioning/reconcile/listers/scim';

const rules = (...r: object[]) => r.map((x) => mappingRuleSchema.parse(x));
const user = { id: 'u1', userName: 'ada', title: 'Engineer', active: true, emails: [{ value: 'ada@example.org', type: 'work' }] };
const remoteOf = (extra: object = {}) => ({
  id: 'r1',
  userName: 'ada',
  externalId: 'u1',
  displayName: 'ada',
  title: 'Engineer',
  active: true,
  emails: [{ value: 'ada@example.org', type: 'work' }],
  ...extra,
});

describe('compareUser', () => {
  it('finds nothing when the target holds what the mapping sends, whatever else it holds', () => {
    expect(compareUser(DEFAULT_MAPPING, user, remoteOf({ nickName: 'theirs', meta: { version: 'W/"3"' } }))).toBeNull();
  });

  it('names an edited attribute and keeps the observed value as the payload to diff from', () => {
    const drift = compareUser(DEFAULT_MAPPING, user, remoteOf({ title: 'Edited' }));
    expect(drift).toMatchObject({ kind: 'attributes', paths: ['title'] });
    expect(drift!.observed).toMatchObject({ title: 'Edited', userName: 'ada' });
  });

  it('calls an account deactivated on the target while active here "deactivated"', () => {
    expect(compareUser(DEFAULT_MAPPING, user, remoteOf({ active: false }))).toMatchObject({ kind: 'deactivated', paths: ['active'] });
  });

  it('is drift only where clearWhenMissing says the target must not keep a value the directory lacks', () => {
    const mapping = rules(
      { target: 'userName', source: 'userName' },
      { target: 'title', source: 'title' },
      { target: 'nickName', source: 'nickName', clearWhenMissing: false },
    );
    const bare = { id: 'u1', userName: 'ada' };
    expect(compareUser(mapping, bare, { id: 'r1', userName: 'ada', nickName: 'kept' })).toBeNull();
    expect(compareUser(mapping, bare, { id: 'r1', userName: 'ada', title: 'stale' })).toMatchObject({ kind: 'attributes', paths: ['title'] });
  });

  it('leaves create-only attributes to the target', () => {
    const mapping = rules({ target: 'userName', source: 'userName' }, { target: 'title', source: 'title', when: 'create' });
    expect(compareUser(mapping, user, { id: 'r1', userName: 'ada', title: 'Changed on the target' })).toBeNull();
  });

  it("does not compare a user inactive in the directory (deactivation is the sync engine's)", () => {
    expect(compareUser(DEFAULT_MAPPING, { ...user, active: false }, remoteOf({ title: 'x' }))).toBeNull();
  });
});

describe('the attributes a SCIM listing asks for', () => {
  it('are the top-level attributes the mapping sends, plus active and meta', () => {
    expect(topLevelAttribute('emails[type eq "work"].value')).toBe('emails');
    expect(topLevelAttribute('name.givenName')).toBe('name');
    expect(topLevelAttribute('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value')).toBe(
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    );
    expect(listedAttributes(rules({ target: 'userName', source: 'userName' }, { target: 'name.familyName', source: 'name.familyName' }))).toEqual([
      'userName',
      'name',
      'active',
      'meta',
    ]);
  });
});
