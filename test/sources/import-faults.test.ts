/**
 * Faults that are not a failed request: a directory user deleted under a group membership, and
 * an answer the reader trips over. Neither wedges the run nor starves the sources after it.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { runImports, scimContext } from '../../worker/src/sources/importer';
import { deleteById } from '../../worker/src/scim/service';
import { userResourceType } from '../../worker/src/scim/schema/registry';
import { newFaultTarget } from '../support/e2e';
import { dirUser, drupalSource, newSite, runSource, uniq } from './support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('faults inside a run', () => {
  it('a member whose directory user was deleted meanwhile is left out of the group, counted', async () => {
    const server = newFaultTarget();
    const p = uniq('dead');
    const ids: string[] = [];
    for (const n of ['ida', 'jo']) ids.push((await server.scim('POST', '/Users', { schemas: [USER], userName: `${p}-${n}`, active: true })).body.id);
    const group = await server.scim('POST', '/Groups', { schemas: [GROUP], displayName: `${p}-ops`, members: [{ value: ids[0], type: 'User' }] });
    expect(group.status, group.text).toBe(201);
    const source = await api('POST', '/sources', { name: `S ${p}`, kind: 'scim', baseUrl: server.scimUrl, credentials: { type: 'bearer', token: server.token } });
    expect((await runSource(source.body.id, 'full')).status).toBe('done');

    // an admin deletes jo in the relay's directory; then jo joins the group on the source
    await deleteById(scimContext(env), userResourceType, (await dirUser(`${p}-jo`))!.id, {});
    const patched = await server.scim('PATCH', `/Groups/${group.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: ids[1], type: 'User' }] }] });
    expect(patched.status, patched.text).toBeLessThan(300);
    const inc = await runSource(source.body.id, 'incremental');
    expect(inc).toMatchObject({ status: 'done', counts: { deadMembers: 1 } });
    expect((await dirUser(`${p}-ida`))!.groups).toEqual([`${p}-ops`]);
  });

  it('an unexpected error ends in a recorded failure after three attempts, and the next source still runs', async () => {
    const p = uniq('crash');
    const bad = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-a` }] });
    const good = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-b` }] });
    const badSource = await drupalSource(bad);
    const goodSource = await drupalSource(good);
    // a role reference of null: the reader throws a TypeError, not a SourceError
    const odd = { data: [{ type: 'user--user', id: crypto.randomUUID(), attributes: { drupal_internal__uid: 9, name: `${p}-odd` }, relationships: { roles: { data: [null] } } }], links: {} };
    await bad.faults([{ match: { path: '/jsonapi/user/user' }, respond: { status: 200, headers: { 'content-type': 'application/vnd.api+json' }, body: odd }, times: 10 }]);

    const budget = () => ({ requests: 10_000, deadline: Date.now() + 60_000 });
    const [a, b] = await runImports(env, { budget: budget(), sourceIds: [badSource.id, goodSource.id], force: 'full' });
    expect(a).toMatchObject({ sourceId: badSource.id, status: 'running' });
    expect(a!.error).toContain('unexpected error');
    expect(b).toMatchObject({ sourceId: goodSource.id, status: 'done', counts: { created: 1 } });
    expect((await api('GET', `/sources/${badSource.id}`)).body.lastError).toContain('unexpected error');

    // "run now" answers JSON, and the lease was released so it can retry at once
    const second = await api('POST', `/sources/${badSource.id}/run`, {});
    expect(second.status, second.text).toBe(200);
    expect(second.body).toMatchObject({ runId: a!.runId, status: 'running' });
    const third = await runSource(badSource.id);
    expect(third).toMatchObject({ runId: a!.runId, status: 'failed' });
    expect(third.error).toContain('Gave up after 3');
    expect((await api('GET', `/sources/${badSource.id}`)).body.running).toBe(false);
    expect((await dirUser(`${p}-a`))).toBeUndefined();
  });
});
