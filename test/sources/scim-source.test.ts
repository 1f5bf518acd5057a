/**
 * A SCIM server whose users carry no `groups` (the fault-injecting SCIM target, over real HTTP)
 * as a source: memberships come from its /Groups, and follow it when they change.
 */
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { newFaultTarget } from '../support/e2e';
import { dirUser, runSourceToEnd, uniq } from './support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('SCIM source without User.groups', () => {
  it('imports users, then memberships from /Groups; a member removed there leaves the directory group', async () => {
    const server = newFaultTarget();
    const p = uniq('grp');
    const ids: string[] = [];
    for (const n of ['gil', 'hal']) {
      const res = await server.scim('POST', '/Users', { schemas: [USER], userName: `${p}-${n}`, active: true });
      expect(res.status, res.text).toBe(201);
      expect(res.body.groups).toBeUndefined();
      ids.push(res.body.id);
    }
    const group = await server.scim('POST', '/Groups', { schemas: [GROUP], displayName: `${p}-ops`, members: ids.map((value) => ({ value, type: 'User' })) });
    expect(group.status, group.text).toBe(201);

    const source = await api('POST', '/sources', {
      name: `S ${p}`,
      kind: 'scim',
      baseUrl: server.scimUrl,
      credentials: { type: 'bearer', token: server.token },
    });
    expect(source.status, source.text).toBe(201);
    // one invocation on Paid; on Free the users' page and the /Groups page are two (the counts add up over the run)
    const full = await runSourceToEnd(source.body.id, 'full', 2);
    expect(full).toMatchObject({ status: 'done', counts: { created: 2, groupPages: 1, groupsChanged: 1 } });
    expect((await dirUser(`${p}-gil`))!.groups).toEqual([`${p}-ops`]);
    expect((await dirUser(`${p}-hal`))!.groups).toEqual([`${p}-ops`]);

    const patched = await server.scim('PATCH', `/Groups/${group.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: `members[value eq "${ids[1]}"]` }],
    });
    expect(patched.status, patched.text).toBeLessThan(300);
    const again = await runSourceToEnd(source.body.id, 'incremental', 2);
    expect(again).toMatchObject({ status: 'done', counts: { groupsChanged: 1 } });
    expect((await dirUser(`${p}-gil`))!.groups).toEqual([`${p}-ops`]);
    expect((await dirUser(`${p}-hal`))!.groups).toEqual([]);
    // unchanged memberships write nothing
    expect((await runSourceToEnd(source.body.id, 'incremental', 2)).counts.groupsChanged).toBe(0);
  });
});
