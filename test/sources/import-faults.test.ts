/**
 * Faults that are not a failed request: a directory user deleted under a group membership, an
 * answer of the wrong shape, and a credential the relay can no longer decrypt. None wedges the
 * run nor starves the sources after it.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { scimContext } from '../../worker/src/sources/import-run';
import { runImports } from '../../worker/src/sources/importer';
import { deleteById } from '../../worker/src/scim/service';
import { encryptSecret } from '../../worker/src/auth/secrets';
import { userResourceType } from '../../worker/src/scim/schema/registry';
import { newFaultTarget } from '../support/e2e';
import { dirUser, drupalSource, newSite, runSource, runSourceToEnd, uniq } from './support';

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
    const source = await api('POST', '/sources', {
      name: `S ${p}`,
      kind: 'scim',
      baseUrl: server.scimUrl,
      credentials: { type: 'bearer', token: server.token },
    });
    // one invocation on Paid; on Free the users' page and the /Groups page are two
    expect((await runSourceToEnd(source.body.id, 'full', 2)).status).toBe('done');

    // an admin deletes jo in the relay's directory; then jo joins the group on the source
    await deleteById(scimContext(env), userResourceType, (await dirUser(`${p}-jo`))!.id, {});
    const patched = await server.scim('PATCH', `/Groups/${group.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ids[1], type: 'User' }] }],
    });
    expect(patched.status, patched.text).toBeLessThan(300);
    const inc = await runSourceToEnd(source.body.id, 'incremental', 2);
    expect(inc).toMatchObject({ status: 'done', counts: { deadMembers: 1 } });
    expect((await dirUser(`${p}-ida`))!.groups).toEqual([`${p}-ops`]);
  });

  it('a malformed page is a named failure (the bad key path and URL path); after three attempts the run fails, and the next source still runs', async () => {
    const p = uniq('shape');
    const bad = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-a` }] });
    const good = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-b` }] });
    const badSource = await drupalSource(bad);
    const goodSource = await drupalSource(good);
    // a role reference of null: the page's schema refuses it at the boundary
    const odd = {
      data: [
        { type: 'user--user', id: crypto.randomUUID(), attributes: { drupal_internal__uid: 9, name: `${p}-odd` }, relationships: { roles: { data: [null] } } },
      ],
      links: {},
    };
    await bad.faults([
      { match: { path: '/jsonapi/user/user' }, respond: { status: 200, headers: { 'content-type': 'application/vnd.api+json' }, body: odd }, times: 10 },
    ]);

    const budget = () => ({ requests: 10_000, deadline: Date.now() + 60_000, queries: 10_000, pool: Number.POSITIVE_INFINITY });
    const [a, b] = await runImports(env, { budget: budget(), sourceIds: [badSource.id, goodSource.id], force: 'full' });
    const named = '/jsonapi/user/user has an unexpected shape at data.0.relationships.roles.data.0';
    expect(a).toMatchObject({ sourceId: badSource.id, status: 'running' });
    expect(a!.error).toContain(named);
    expect(a!.error).not.toContain('unexpected error');
    expect(b).toMatchObject({ sourceId: goodSource.id, status: 'done', counts: { created: 1 } });
    const shown = (await api('GET', `/sources/${badSource.id}`)).body;
    expect(shown.lastError).toContain(named);
    // transient, not fatal: the source is not paused
    expect(shown.status).toBe('active');

    // "run now" answers JSON, and the lease was released so it can retry at once
    const second = await api('POST', `/sources/${badSource.id}/run`, {});
    expect(second.status, second.text).toBe(200);
    expect(second.body).toMatchObject({ runId: a!.runId, status: 'running' });
    const third = await runSource(badSource.id);
    expect(third).toMatchObject({ runId: a!.runId, status: 'failed' });
    expect(third.error).toContain('Gave up after 3');
    expect(third.error).toContain(named);
    expect(third.counts).toMatchObject({ failedRequests: 3 });
    expect((await api('GET', `/sources/${badSource.id}`)).body.running).toBe(false);
    expect(await dirUser(`${p}-a`)).toBeUndefined();
  });

  it('an unexpected error (a credential sealed under a rotated key) is recorded on the source, and the next source still runs', async () => {
    const p = uniq('crash');
    const bad = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-a` }] });
    const good = await newSite({ adminUser: false, users: [{ uid: 2, name: `${p}-b` }] });
    const badSource = await drupalSource(bad);
    const goodSource = await drupalSource(good);
    // RELAY_ENCRYPTION_KEY was rotated without re-sealing this source's credential: decryption
    // throws WebCrypto's OperationError, not a SourceError, so runImports' per-source catch takes it
    const otherKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const sealed = await encryptSecret(otherKey, JSON.stringify({ type: 'basic', username: 'admin', password: 'admin-pass' }), {
      kind: 'source',
      id: badSource.id,
    });
    await env.DB.prepare('UPDATE sources SET credentials_enc = ? WHERE id = ?').bind(sealed, badSource.id).run();

    const [a, b] = await runImports(env, {
      budget: { requests: 10_000, deadline: Date.now() + 60_000, queries: 10_000, pool: Number.POSITIVE_INFINITY },
      sourceIds: [badSource.id, goodSource.id],
      force: 'full',
    });
    expect(a).toMatchObject({ sourceId: badSource.id, status: 'failed' });
    expect(a!.error).toContain('The import stopped on an unexpected error');
    expect(b).toMatchObject({ sourceId: goodSource.id, status: 'done', counts: { created: 1 } });
    const shown = (await api('GET', `/sources/${badSource.id}`)).body;
    expect(shown.lastError).toContain('unexpected error');
    expect(shown.running).toBe(false);
    expect(JSON.stringify(shown)).not.toContain('admin-pass');
    expect(await dirUser(`${p}-a`)).toBeUndefined();
    // an admin pauses it until the credential is entered again; it is no longer due
    expect((await api('PATCH', `/sources/${badSource.id}`, { status: 'paused' })).status).toBe(200);
  });
});
