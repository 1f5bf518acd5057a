import { describe, expect, it } from 'vitest';
import { mappingRuleSchema, type MappingRule } from '../../../shared/src/targets';
import { applyMapping } from '../../../worker/src/provisioning/mapping/apply-mapping';
import { DEFAULT_MAPPING } from '../../../worker/src/provisioning/mapping/default-mapping';
import { mappingProblems } from '../../../worker/src/provisioning/mapping/mapping-problems';
import { MappingError } from '../../../worker/src/provisioning/mapping/path';
import type { JsonObject } from '../../../worker/src/scim/schema/normalize';
import { CORE, ENTERPRISE, babsJensen } from './fixtures';

const rules = (...input: object[]): MappingRule[] => input.map((r) => mappingRuleSchema.parse(r));

describe('applyMapping: sources, constants and templates', () => {
  const user = babsJensen();

  it('copies source paths to target paths and lists core and used extension schemas', () => {
    const { payload } = applyMapping(
      rules({ target: 'userName', source: 'userName' }, { target: `${ENTERPRISE}:costCenter`, source: `${ENTERPRISE}:department` }),
      user,
      'create',
    );
    expect(payload).toEqual({ schemas: [CORE, ENTERPRISE], userName: 'bjensen@example.com', [ENTERPRISE]: { costCenter: 'Tour Operations' } });
  });

  it('lists only the core schema when no extension attribute is mapped', () => {
    expect(applyMapping(rules({ target: 'userName', source: 'userName' }), user, 'create').payload.schemas).toEqual([CORE]);
  });

  it('sends constants as they are', () => {
    const { payload } = applyMapping(rules({ target: 'userType', constant: 'Employee' }, { target: 'active', constant: true }), user, 'create');
    expect(payload).toMatchObject({ userType: 'Employee', active: true });
  });

  it('fills templates from paths', () => {
    const { payload } = applyMapping(
      rules({ target: 'emails[type eq "work"].value', template: '{name.givenName}.{name.familyName}@example.com', transforms: ['lower'] }),
      user,
      'create',
    );
    expect(payload.emails).toEqual([{ type: 'work', value: 'barbara.jensen@example.com' }]);
  });

  it('yields nothing from a template with a missing placeholder, so the default applies', () => {
    const r = rules({ target: 'nickName', template: '{nickName}-{userName}', default: 'none' }, { target: 'profileUrl', template: 'https://x/{nickName}' });
    const { payload } = applyMapping(r, user, 'create');
    expect(payload.nickName).toBe('none');
    expect(payload).not.toHaveProperty('profileUrl');
  });

  it('applies transforms in order, and an all-blank result counts as missing', () => {
    const r = rules(
      { target: 'userName', source: 'userName', transforms: ['upper', 'trim'] },
      { target: 'nickName', constant: '   ', transforms: ['trim'], default: 'n/a' },
    );
    const { payload } = applyMapping(r, { userName: '  ann@x ' }, 'create');
    expect(payload).toMatchObject({ userName: 'ANN@X', nickName: 'n/a' });
  });

  it('leaves non-string values alone when transforming', () => {
    expect(applyMapping(rules({ target: 'active', source: 'active', transforms: ['lower'] }), user, 'create').payload.active).toBe(true);
  });

  it('throws a MappingError for a path that does not parse', () => {
    expect(() => applyMapping(rules({ target: 'emails[type eq', source: 'userName' }), user, 'create')).toThrow(MappingError);
  });
});

describe('applyMapping: create-only rules and clearing', () => {
  const r = rules(
    { target: 'userName', source: 'userName' },
    { target: 'password', template: 'Init-{id}', when: 'create' },
    { target: 'title', source: 'title' },
    { target: 'nickName', source: 'nickName', clearWhenMissing: false },
  );

  it('sends "on create only" rules when creating and never when updating', () => {
    expect(applyMapping(r, babsJensen(), 'create').payload.password).toBe('Init-2819c223-7f76-453a-919d-413861904646');
    expect(applyMapping(r, babsJensen(), 'update').payload).not.toHaveProperty('password');
  });

  it('lists missing sources as cleared on update, unless the rule keeps the old value', () => {
    const { title: _title, ...user } = babsJensen();
    expect(applyMapping(r, user, 'update').cleared).toEqual(['title']);
  });

  it('clears nothing on create: a new account has nothing to clear', () => {
    const { title: _title, ...user } = babsJensen();
    expect(applyMapping(r, user, 'create').cleared).toEqual([]);
  });

  it('does not clear a path a later rule wrote', () => {
    const both = rules({ target: 'title', source: 'nickName' }, { target: 'title', source: 'displayName' });
    expect(applyMapping(both, babsJensen(), 'update')).toMatchObject({ cleared: [], payload: { title: 'Babs Jensen' } });
  });
});

describe('DEFAULT_MAPPING', () => {
  it('maps a full directory user to the attributes nearly every target accepts', () => {
    const { payload, cleared } = applyMapping(DEFAULT_MAPPING, babsJensen(), 'create');
    expect(cleared).toEqual([]);
    expect(payload).toEqual({
      schemas: [CORE, ENTERPRISE],
      userName: 'bjensen@example.com',
      externalId: '2819c223-7f76-453a-919d-413861904646',
      name: { givenName: 'Barbara', familyName: 'Jensen', formatted: 'Ms. Barbara J Jensen III' },
      displayName: 'Babs Jensen',
      emails: [{ type: 'work', value: 'bjensen@example.com' }],
      active: true,
      title: 'Tour Guide',
      phoneNumbers: [{ type: 'work', value: '555-555-5555' }],
      [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations' },
    });
  });

  it('falls back to the primary email, then the first, and to userName for displayName', () => {
    const user: JsonObject = {
      id: 'u1',
      userName: 'ann',
      active: true,
      emails: [
        { value: 'a@home', type: 'home' },
        { value: 'a@other', primary: true },
      ],
    };
    const { payload, cleared } = applyMapping(DEFAULT_MAPPING, user, 'update');
    expect(payload).toMatchObject({ displayName: 'ann', emails: [{ type: 'work', value: 'a@other' }] });
    expect(payload).not.toHaveProperty('manager');
    expect(cleared).toEqual(expect.arrayContaining(['name.givenName', 'title', 'phoneNumbers[type eq "work"].value', `${ENTERPRISE}:department`]));
    expect(cleared).not.toContain('active');
  });

  it('has no problems', () => {
    expect(mappingProblems(DEFAULT_MAPPING)).toEqual([]);
  });
});

describe('mappingProblems', () => {
  it('names each rule whose paths do not parse', () => {
    const bad = rules(
      { target: 'emails[type eq "work"', source: 'userName' },
      { target: 'title', source: 'nickName | name..x' },
      { target: 'x', template: '{userName' },
      { target: 'a | b', constant: 1 },
    );
    const problems = mappingProblems(bad);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^emails\[type eq "work": The mapping path/);
    expect(problems[2]).toMatch(/never closed/);
    expect(problems[3]).toMatch(/without "\|" alternatives/);
  });
});
