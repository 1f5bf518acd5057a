import { describe, expect, it } from 'vitest';
import { mappingRuleSchema } from '../../../shared/src/targets';
import { applyMapping } from '../../../worker/src/provisioning/mapping/apply-mapping';
import { DEFAULT_MAPPING } from '../../../worker/src/provisioning/mapping/default-mapping';
import { changedAttributes, toPatchOperations } from '../../../worker/src/provisioning/mapping/diff';
import { canonicalJson, payloadHash } from '../../../worker/src/provisioning/mapping/payload-hash';
import { remoteView } from '../../../worker/src/provisioning/mapping/remote-view';
import type { JsonObject } from '../../../worker/src/scim/schema/normalize';
import { CORE, ENTERPRISE, babsJensen } from './fixtures';

const mapped = (user: JsonObject) => applyMapping(DEFAULT_MAPPING, user, 'update');

describe('changedAttributes', () => {
  it('names top-level, sub-attribute, extension and typed-element paths that differ', () => {
    const before = mapped(babsJensen()).payload;
    const user = babsJensen();
    user.title = 'Lead';
    user.name = { ...(user.name as JsonObject), givenName: 'Babs' };
    user.emails = [{ value: 'babs@example.com', type: 'work' }];
    (user[ENTERPRISE] as JsonObject).department = 'Sales';
    expect(changedAttributes(before, mapped(user).payload).sort()).toEqual(
      ['emails[type eq "work"].value', `${ENTERPRISE}:department`, 'name.givenName', 'title'].sort(),
    );
  });

  it('reports nothing for equal payloads, whatever their key order', () => {
    expect(changedAttributes({ name: { a: 1, b: 2 }, x: [1] }, { x: [1], name: { b: 2, a: 1 } })).toEqual([]);
  });

  it('names an added or removed element by its type, and untyped arrays as a whole', () => {
    expect(
      changedAttributes(
        { emails: [{ type: 'work', value: 'a' }] },
        {
          emails: [
            { type: 'work', value: 'a' },
            { type: 'home', value: 'b' },
          ],
        },
      ),
    ).toEqual(['emails[type eq "home"]']);
    expect(changedAttributes({ roles: [{ value: 'a' }] }, { roles: [{ value: 'b' }] })).toEqual(['roles']);
  });

  it('ignores schemas, and treats everything as changed without a previous payload', () => {
    expect(changedAttributes({ schemas: [CORE] }, { schemas: [CORE, ENTERPRISE] })).toEqual([]);
    expect(changedAttributes(undefined, { userName: 'a', name: { givenName: 'b' } })).toEqual(['userName', 'name.givenName']);
  });
});

describe('toPatchOperations: a minimal PatchOp (RFC 7644 §3.5.2)', () => {
  it('replaces each changed path and removes cleared ones the target still has', () => {
    const before = mapped(babsJensen()).payload;
    const { title: _t, ...user } = babsJensen();
    (user as JsonObject).displayName = 'Barbara';
    (user as JsonObject).phoneNumbers = [];
    const next = mapped(user);
    expect(toPatchOperations(before, next.payload, next.cleared)).toEqual([
      { op: 'replace', path: 'displayName', value: 'Barbara' },
      { op: 'remove', path: 'title' },
      { op: 'remove', path: 'phoneNumbers[type eq "work"]' },
    ]);
  });

  it('adds a new typed element instead of a replace that would match nothing (RFC 7644 §3.5.2.3 noTarget)', () => {
    const ops = toPatchOperations({ userName: 'a' }, { userName: 'a', phoneNumbers: [{ type: 'work', value: '1' }] }, []);
    expect(ops).toEqual([{ op: 'add', path: 'phoneNumbers', value: [{ type: 'work', value: '1' }] }]);
  });

  it('does not remove what the target was never sent, nor what no rule clears', () => {
    expect(toPatchOperations({ userName: 'a' }, { userName: 'a' }, ['title'])).toEqual([]);
    expect(toPatchOperations({ userName: 'a', nickName: 'n' }, { userName: 'a' }, [])).toEqual([]);
  });

  it('without a previous payload, replaces every attribute (extension attributes one by one)', () => {
    const ops = toPatchOperations(undefined, { schemas: [CORE, ENTERPRISE], userName: 'a', [ENTERPRISE]: { department: 'S' } }, ['title']);
    expect(ops).toEqual([
      { op: 'replace', path: 'userName', value: 'a' },
      { op: 'replace', path: `${ENTERPRISE}:department`, value: 'S' },
      { op: 'remove', path: 'title' },
    ]);
  });

  it('is empty when nothing changed', () => {
    const p = mapped(babsJensen());
    expect(toPatchOperations(p.payload, mapped(babsJensen()).payload, p.cleared)).toEqual([]);
  });
});

describe('remoteView', () => {
  it("reads the target's copy at the mapping's target paths, so unmanaged attributes are never touched", () => {
    const remote: JsonObject = {
      id: 'r1',
      userName: 'bjensen@example.com',
      name: { givenName: 'Barbara', familyName: 'Jensen', middleName: 'J' },
      emails: [
        { type: 'home', value: 'x@home' },
        { type: 'Work', value: 'old@example.com', primary: true },
      ],
    };
    const view = remoteView(DEFAULT_MAPPING, remote);
    expect(view).toEqual({
      schemas: [CORE],
      userName: 'bjensen@example.com',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [{ type: 'work', value: 'old@example.com' }],
    });
    const next = applyMapping(
      DEFAULT_MAPPING.filter((r) => ['userName', 'emails[type eq "work"].value'].includes(r.target)),
      babsJensen(),
      'update',
    );
    expect(toPatchOperations(view, next.payload, next.cleared)).toEqual([
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'bjensen@example.com' },
    ]);
  });

  it('skips create-only rules on update', () => {
    const r = [mappingRuleSchema.parse({ target: 'password', constant: 'x', when: 'create' })];
    expect(remoteView(r, { password: 'secret' })).toEqual({ schemas: [CORE] });
  });
});

describe('payloadHash', () => {
  it('is the SHA-256 of canonical JSON, independent of key order', async () => {
    expect(canonicalJson({ b: [2, { d: 1, c: 'x' }], a: true })).toBe('{"a":true,"b":[2,{"c":"x","d":1}]}');
    const h = await payloadHash({ b: 1, a: { y: 2, x: 1 } });
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(await payloadHash({ a: { x: 1, y: 2 }, b: 1 })).toBe(h);
    expect(await payloadHash({ a: { x: 1, y: 3 }, b: 1 })).not.toBe(h);
  });

  it('matches a known SHA-256 vector', async () => {
    // sha256('{}')
    expect(await payloadHash({})).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});
