import { describe, expect, it } from 'vitest';
import { babs, message, patchGroup, patchUser, expectScimError } from './helpers';
import { applyPatch } from '../../../worker/src/scim/patch';
import { userResourceType } from '../../../worker/src/scim/schema/registry';

const BABS_ID = '2819c223-7f76-453a-919d-413861904646';
const MANDY_ID = '902c246b-6245-4190-8e05-00816be7344a';
const JAMES_ID = '08e1d05d-121c-4561-8b96-473d93df9210';
const ref = (id: string) => `https://example.com/v2/Users/${id}`;

describe('RFC 7644 §3.5.2.1 add examples', () => {
  it('adds a member to a group (path "members")', () => {
    const out = patchGroup({ op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: ref(BABS_ID), value: BABS_ID }] });
    expect(out.members).toEqual({ clear: false, add: [BABS_ID], remove: [], removeWhere: [] });
    expect(out.body).toEqual({ displayName: 'Tour Guides' });
  });

  it('adds emails and a nickname without a path, and does not duplicate an email already there', () => {
    const { body } = patchUser(babs(), { op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } });
    expect(body.nickName).toBe('Babs');
    expect(body.emails).toEqual(babs().emails);
  });

  it('appends a new value to a multi-valued attribute', () => {
    const { body } = patchUser(babs(), { op: 'add', value: { emails: [{ value: 'babs@example.org', type: 'other' }] } });
    expect(body.emails).toEqual([...(babs().emails as object[]), { value: 'babs@example.org', type: 'other' }]);
  });

  it('replaces the value of a single-valued attribute ("if the target location exists, the value is replaced")', () => {
    const { body } = patchUser(babs(), { op: 'add', path: 'displayName', value: 'Barbara' });
    expect(body.displayName).toBe('Barbara');
  });

  it('adds an attribute that had no value', () => {
    const { body } = patchUser(babs(), { op: 'add', path: 'title', value: 'Tour Guide' });
    expect(body.title).toBe('Tour Guide');
  });

  it('merges the sub-attributes of a complex value into the existing ones', () => {
    const { body } = patchUser(babs(), { op: 'add', path: 'name', value: { middleName: 'Jane' } });
    expect(body.name).toEqual({ ...(babs().name as object), middleName: 'Jane' });
  });
});

describe('RFC 7644 §3.5.2.2 remove examples', () => {
  it('removes a single member of a group (members[value eq "…"])', () => {
    const out = patchGroup({ op: 'remove', path: `members[value eq "${BABS_ID}"]` });
    expect(out.members).toEqual({ clear: false, add: [], remove: [BABS_ID], removeWhere: [] });
  });

  it('removes all members of a group (path "members")', () => {
    expect(patchGroup({ op: 'remove', path: 'members' }).members).toEqual({ clear: true, add: [], remove: [], removeWhere: [] });
  });

  it('removes the emails matching emails[type eq "work" and value ew "example.com"]', () => {
    const { body } = patchUser(babs(), { op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' });
    expect(body.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
  });

  it('replaces all members by removing them and adding a new list', () => {
    const out = patchGroup(
      { op: 'remove', path: 'members' },
      {
        op: 'add',
        path: 'members',
        value: [
          { display: 'Babs Jensen', $ref: ref(BABS_ID), value: BABS_ID },
          { display: 'James Smith', $ref: ref(JAMES_ID), value: JAMES_ID },
        ],
      },
    );
    expect(out.members).toEqual({ clear: true, add: [BABS_ID, JAMES_ID], remove: [], removeWhere: [] });
  });

  it('removes a single-valued attribute and a sub-attribute', () => {
    const { body } = patchUser(babs(), { op: 'remove', path: 'displayName' }, { op: 'remove', path: 'name.formatted' });
    expect(body.displayName).toBeUndefined();
    expect(body.name).toEqual({ familyName: 'Jensen', givenName: 'Barbara' });
  });

  it('removes a whole multi-valued attribute, leaving it unassigned', () => {
    expect(patchUser(babs(), { op: 'remove', path: 'emails' }).body).not.toHaveProperty('emails');
  });

  it('fails with noTarget when "path" is unspecified', () => {
    expectScimError(() => patchUser(babs(), { op: 'remove' }), 'noTarget');
  });
});

describe('RFC 7644 §3.5.2.3 replace examples', () => {
  it('replaces all members of a group', () => {
    const out = patchGroup({
      op: 'replace',
      path: 'members',
      value: [
        { display: 'Babs Jensen', $ref: ref(BABS_ID), value: BABS_ID },
        { display: 'Mandy Pepperidge', $ref: ref(MANDY_ID), value: MANDY_ID },
      ],
    });
    expect(out.members).toEqual({ clear: true, add: [BABS_ID, MANDY_ID], remove: [], removeWhere: [] });
  });

  it('replaces the work address record (addresses[type eq "work"])', () => {
    const work = {
      type: 'work',
      streetAddress: '911 Universal City Plaza',
      locality: 'Hollywood',
      region: 'CA',
      postalCode: '91608',
      country: 'US',
      formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
      primary: true,
    };
    const { body } = patchUser(babs(), { op: 'replace', path: 'addresses[type eq "work"]', value: work });
    expect(body.addresses).toEqual([work, (babs().addresses as object[])[1]]);
  });

  it('replaces one sub-attribute of the matched record (addresses[type eq "work"].streetAddress)', () => {
    const { body } = patchUser(babs(), { op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' });
    const [work, home] = body.addresses as Record<string, unknown>[];
    expect(work).toEqual({ ...(babs().addresses as object[])[0], streetAddress: '1010 Broadway Ave' });
    expect(home!.streetAddress).toBe('456 Hollywood Blvd');
  });

  it('replaces several attributes without a path (emails replaced, nickname set)', () => {
    const emails = [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ];
    const { body } = patchUser({ ...babs(), emails: [{ value: 'old@example.com', type: 'other' }] }, { op: 'replace', value: { emails, nickname: 'Babs' } });
    expect(body.emails).toEqual(emails);
    expect(body.nickName).toBe('Babs');
  });

  it('replaces a multi-valued attribute through its path: all values go', () => {
    const { body } = patchUser(babs(), { op: 'replace', path: 'emails', value: [{ value: 'new@example.com', type: 'work' }] });
    expect(body.emails).toEqual([{ value: 'new@example.com', type: 'work' }]);
  });

  it('treats a replace of an unassigned attribute as an add', () => {
    expect(patchUser(babs(), { op: 'replace', path: 'nickName', value: 'Babs' }).body.nickName).toBe('Babs');
  });

  it('leaves the sub-attributes not given in a complex replace unchanged', () => {
    const { body } = patchUser(babs(), { op: 'replace', path: 'name', value: { givenName: 'Babs' } });
    expect(body.name).toEqual({ ...(babs().name as object), givenName: 'Babs' });
  });

  it('fails with noTarget when the value filter matches no record', () => {
    expectScimError(() => patchUser(babs(), { op: 'replace', path: 'addresses[type eq "other"].streetAddress', value: 'x' }), 'noTarget');
  });

  it('applies the operations of one message in order', () => {
    const out = applyPatch(
      userResourceType,
      babs(),
      message({ op: 'replace', path: 'title', value: 'a' }, { op: 'replace', path: 'title', value: 'b' }, { op: 'add', path: 'nickName', value: 'c' }),
    );
    expect(out.body.title).toBe('b');
    expect(out.body.nickName).toBe('c');
  });
});
