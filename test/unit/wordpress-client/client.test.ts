/**
 * The WordPress connector seen from the engine: ScimClient calls translated to core REST API
 * requests and back. A fetch stub stands in for the site; the end-to-end behaviour over HTTP is
 * test/e2e/wordpress-target.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { wordpressTargetOptionsSchema } from '../../../shared/src/wordpress-target';
import { memoryRoleMemory } from '../../../worker/src/db/remote-roles';
import { buildFilter, type ClientHooks } from '../../../worker/src/provisioning/scim-client';
import { createWordpressClient } from '../../../worker/src/provisioning/wordpress-client';
import { stubFetch, type Answer } from '../scim-client/stub-fetch';
import searchEmail from '../../fixtures/wordpress-real/api/42_list_search_columns_email.json';
import me from '../../fixtures/wordpress-real/api/03_me_context_edit.json';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const wpUser = (id: number, username: string, roles: string[], email = `${username}@example.test`) => ({ id, username, email, name: username, roles });

const setupWith = (hooks: ClientHooks, options: object, ...answers: Answer[]) => {
  const stub = stubFetch(...answers);
  const memory = memoryRoleMemory();
  const client = createWordpressClient(
    {
      baseUrl: 'https://blog.example/',
      token: 'relay:abcd efgh ijkl mnop',
      options: wordpressTargetOptionsSchema.parse(options),
      fetch: stub.fetch,
      memory,
    },
    hooks,
  );
  return { client, requests: stub.requests, memory };
};
const setup = (options: object, ...answers: Answer[]) => setupWith({}, options, ...answers);

describe('createWordpressClient', () => {
  it('checks the credentials with /users/me?context=edit over Basic auth with the Application Password', async () => {
    const { client, requests } = setup({}, json(200, me.response.body));
    expect(await client.serviceProviderConfig()).toMatchObject({ ok: true, value: { patch: { supported: true }, bulk: { supported: false } } });
    expect(requests[0]).toMatchObject({
      url: 'https://blog.example/wp-json/wp/v2/users/me?context=edit',
      redirect: 'manual',
      headers: { authorization: `Basic ${btoa('relay:abcd efgh ijkl mnop')}` },
    });
  });

  it('matches an email by searching its column and comparing exactly, on the captured answer', async () => {
    const { client, requests } = setup(
      {},
      json(200, [...(searchEmail.response.body as object[]), wpUser(9, 'xcarol', ['subscriber'], 'xcarol@example.test')], { 'x-wp-totalpages': '1' }),
    );
    const r = await client.findUsers(buildFilter('emails[type eq "work"].value', 'carol@example.test'));
    expect(r).toMatchObject({ ok: true, value: [{ id: '4', userName: 'carol.contrib', active: true }] });
    const url = new URL(requests[0]!.url);
    expect(url.searchParams.get('search')).toBe('carol@example.test');
    expect(url.searchParams.getAll('search_columns[]')).toEqual(['email']);
  });

  it('uses ?rest_route= on a site without pretty permalinks, joining the query with &', async () => {
    const { client, requests } = setup({ restPath: '/?rest_route=' }, json(200, wpUser(5, 'dave', ['subscriber'])));
    await client.getUser('5');
    expect(requests[0]!.url).toBe('https://blog.example/?rest_route=/wp/v2/users/5&context=edit');
  });

  it('deactivates without a disabled flag: remembers the roles, removes them with a new password, revokes app passwords; reactivation restores them', async () => {
    const dave = wpUser(5, 'dave', ['editor', 'author']);
    const { client, requests, memory } = setup(
      {},
      json(200, wpUser(1, 'relay', ['administrator'])),
      json(200, dave),
      json(200, { ...dave, roles: [] }),
      json(200, { deleted: true, count: 2 }),
      json(200, { ...dave, roles: [] }),
      json(200, dave),
    );
    const off = await client.patchUser('5', [{ op: 'replace', path: 'active', value: false }]);
    expect(off).toMatchObject({ ok: true });
    expect(await memory.recall('5')).toEqual(['editor', 'author']);
    expect(requests.slice(1).map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'GET /wp-json/wp/v2/users/5',
      'POST /wp-json/wp/v2/users/5',
      'DELETE /wp-json/wp/v2/users/5/application-passwords',
    ]);
    expect(requests[2]!.body).toMatchObject({ roles: [] });
    expect(typeof (requests[2]!.body as { password: string }).password).toBe('string');

    const on = await client.patchUser('5', [{ op: 'replace', path: 'active', value: true }]);
    expect(on).toMatchObject({ ok: true });
    expect(requests[5]!.body).toEqual({ roles: ['editor', 'author'] });
    expect(await memory.recall('5')).toBeNull();
  });

  it('never writes the account it signs in as (a second line of defence), and deletes with force and reassign to a chosen user', async () => {
    const refused = setup({}, json(200, wpUser(2, 'relay', ['administrator'])));
    expect(await refused.client.deleteUser('2')).toMatchObject({
      ok: false,
      failure: { kind: 'rejected', message: expect.stringMatching(/^Skipped as protected:/) },
    });
    expect(refused.requests.map((r) => r.method)).toEqual(['GET']);

    const { client, requests } = setup(
      { reassign: 7 },
      json(200, wpUser(2, 'relay', ['administrator'])),
      json(200, { deleted: true, previous: wpUser(4, 'gone', []) }),
    );
    expect(await client.deleteUser('4')).toMatchObject({ ok: true });
    expect(requests[1]!.url).toBe('https://blog.example/wp-json/wp/v2/users/4?force=true&reassign=7');
  });

  it('leaves a member the engine says is protected out of a role push, and reports the login it reads', async () => {
    const seen: string[] = [];
    const { client, requests } = setupWith(
      { protectedReason: (id) => (id === '1' ? 'user 1' : null), onProtected: (id, why) => seen.push(`${id}: ${why}`) },
      {},
      json(200, wpUser(5, 'dave', [])),
      json(200, wpUser(5, 'dave', ['editor'])),
      json(200, [wpUser(2, 'Relay', ['administrator'])], { 'x-wp-totalpages': '1' }),
    );
    const pushed = await client.patchGroup('editor', [{ op: 'add', path: 'members', value: [{ value: '1' }, { value: '5' }] }]);
    expect(pushed).toMatchObject({ ok: true });
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(['/wp-json/wp/v2/users/5', '/wp-json/wp/v2/users/5']);
    await client.findUsers(buildFilter('userName', 'Relay'));
    expect(seen).toEqual(["2: the relay's own login on this site"]);
  });

  it('creates with a random password and the default role; the duplicate username is a conflict', async () => {
    const { client, requests } = setup(
      { defaultRole: 'author' },
      json(500, { code: 'existing_user_login', message: 'Sorry, that username already exists!', data: null }),
    );
    const r = await client.createUser({ userName: 'ada', emails: [{ value: 'ada@example.org', type: 'work' }] });
    expect(r).toMatchObject({ ok: false, failure: { kind: 'conflict', status: 500 } });
    expect(requests[0]!.body).toMatchObject({ username: 'ada', email: 'ada@example.org', roles: ['author'] });
    expect((requests[0]!.body as { password: string }).password.length).toBeGreaterThanOrEqual(24);
  });
});
