/**
 * The SCIM reader's boundary: /Users and /Groups ListResponses (RFC 7644 §3.4.2) and one User
 * (§3.4.1) parsed with zod. A body of the wrong shape is a named, transient SourceError; null
 * attributes are unassigned (RFC 7643 §2.5). `SourceHttp` is stubbed with the answer's body.
 */
import { describe, expect, it } from 'vitest';
import type { SourceHttp } from '../../../worker/src/sources/http';
import { SourceError } from '../../../worker/src/sources/remote';
import { readScimGroupsPage, readScimPage, recheckScimUser, scimListUrl } from '../../../worker/src/sources/scim-reader';

const recorded = (body: unknown, status = 200): SourceHttp => ({
  meter: { requests: 0 },
  get: async () => ({ status, body, headers: new Headers(), json: typeof body === 'object' }),
});
const BASE = 'https://idp.example/scim/v2';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const list = (Resources: unknown[], totalResults = Resources.length) => ({
  schemas: [LIST],
  totalResults,
  startIndex: 1,
  itemsPerPage: Resources.length,
  Resources,
});
const kim = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'k1',
  userName: 'kim',
  active: false,
  emails: [{ value: 'kim@example.com', type: 'work', primary: true }],
  groups: [{ value: 'g1', display: 'ops' }],
  meta: { lastModified: '2026-01-01T00:00:00Z' },
};

describe('readScimPage', () => {
  it('reads users and the next page as before; a resource without id or userName is hidden', async () => {
    const page = await readScimPage(recorded(list([kim, { id: 'x' }], 5)), scimListUrl(BASE, 1, null));
    expect(page.users).toEqual([
      { remoteId: 'k1', uid: 'k1', name: 'kim', email: 'kim@example.com', active: false, roles: ['ops'], changed: '2026-01-01T00:00:00Z' },
    ]);
    expect(page.hidden).toBe(1);
    expect(new URL(page.next!).searchParams.get('startIndex')).toBe('3');
  });

  it('null attributes are unassigned: active, emails and groups as if absent', async () => {
    const page = await readScimPage(
      recorded(list([{ id: 'n1', userName: 'nul', active: null, emails: null, groups: null, meta: null }])),
      scimListUrl(BASE, 1, null),
    );
    expect(page.users).toEqual([{ remoteId: 'n1', uid: 'n1', name: 'nul', email: undefined, active: true, roles: undefined, changed: null }]);
  });

  it('a resource of the wrong shape is a transient SourceError naming the key path and the URL path', async () => {
    const err = await readScimPage(recorded(list([kim, { ...kim, emails: [null] }])), scimListUrl(BASE, 1, null)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toMatch(/^The answer to \/scim\/v2\/Users has an unexpected shape at Resources\.1\.emails\.0: /);
    expect((err as SourceError).fatal).toBe(false);
    // not mistaken for a refused filter (status 400), which would restart the read unfiltered
    expect((err as SourceError).status).toBe(200);
  });

  it('a body that is not a ListResponse keeps its own message', async () => {
    await expect(readScimPage(recorded('<html>'), scimListUrl(BASE, 1, null))).rejects.toThrow(/not a SCIM ListResponse/);
  });
});

describe('readScimGroupsPage', () => {
  it('reads groups and their user members; members of the wrong shape are refused by path', async () => {
    const groups = list([
      { id: 'g1', displayName: 'ops', members: [{ value: 'k1', type: 'User' }, { value: 'g2', type: 'Group' }, { value: 'k2' }] },
      { id: 'g3', displayName: null },
    ]);
    expect(await readScimGroupsPage(recorded(groups), `${BASE}/Groups?startIndex=1&count=100`)).toEqual({
      groups: [{ name: 'ops', memberIds: ['k1', 'k2'] }],
      next: null,
    });
    await expect(readScimGroupsPage(recorded(list([{ displayName: 'ops', members: 'k1' }])), `${BASE}/Groups?startIndex=1&count=100`)).rejects.toThrow(
      /\/scim\/v2\/Groups has an unexpected shape at Resources\.0\.members: /,
    );
  });
});

describe('recheckScimUser', () => {
  it('parses the one user; a wrong shape is a transient SourceError, a SCIM 404 is gone', async () => {
    await expect(recheckScimUser(recorded(kim), BASE, 'k1')).resolves.toMatchObject({ user: { uid: 'k1', active: false } });
    await expect(recheckScimUser(recorded({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' }, 404), BASE, 'k1')).resolves.toBe('gone');
    const err = await recheckScimUser(recorded({ ...kim, groups: [{ display: 7 }] }), BASE, 'k1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toContain('/scim/v2/Users/k1 has an unexpected shape at groups.0.display');
    expect((err as SourceError).fatal).toBe(false);
  });
});
