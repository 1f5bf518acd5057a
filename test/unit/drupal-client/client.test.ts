/**
 * The Drupal connector seen from the engine: the same ScimClient calls, translated to core
 * JSON:API requests and back. A fetch stub stands in for the site (shapes and faults); the
 * end-to-end behaviour against a site over HTTP is test/e2e/drupal-target.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { drupalTargetOptionsSchema } from '../../../shared/src/drupal-target';
import { createDrupalClient } from '../../../worker/src/provisioning/drupal-client';
import { buildFilter } from '../../../worker/src/provisioning/scim-client';
import type { RequestRecord } from '../../../worker/src/provisioning/scim-client/types';
import { stubFetch, type Answer } from '../scim-client/stub-fetch';
import { ENTRY_POINT, jsonapi, jsonapiError, many, one, realCollection, roles } from './helpers';

const ADA = { uuid: '6f66d11f-a8e5-42b2-b5ac-7dd0134b5adc', uid: 7, name: 'ada', mail: 'ada@example.com' };
const EDITOR = { uuid: '71bf5a9e-ca82-46ad-93c6-ba3f623c4304', id: 'content_editor' };

/** A client whose every request is scripted, the entry point read that opens a Basic session included. */
const bare = (options: object, ...answers: Answer[]) => {
  const stub = stubFetch(...answers);
  const records: RequestRecord[] = [];
  const keys: [string, string][] = [];
  const client = createDrupalClient(
    { baseUrl: 'https://site.example/', token: 'relay:s3cret-pass', options: drupalTargetOptionsSchema.parse(options), fetch: stub.fetch },
    { onRequest: (r) => records.push(r), onRemoteKey: (id, key) => keys.push([id, key]) },
  );
  return { client, requests: stub.requests, records, keys };
};

/**
 * A client the site has already named its account to: the entry point read a Basic client makes
 * first (identity.ts) is answered, then dropped from `requests` and `records`, so the tests below
 * see only the requests of the calls they make.
 */
const setup = (options: object, ...answers: Answer[]) => {
  const t = bare(options, jsonapi(200, ENTRY_POINT), ...answers);
  const drop = <T>(list: T[]) => {
    const push = list.push.bind(list);
    let first = true;
    list.push = (...items: T[]) => {
      if (first && items.length > 0) {
        first = false;
        items = items.slice(1);
      }
      return push(...items);
    };
  };
  if (drupalTargetOptionsSchema.parse(options).auth === 'basic') {
    drop(t.requests);
    drop(t.records);
  }
  return t;
};

describe('createDrupalClient: reading', () => {
  it('speaks JSON:API with HTTP Basic, and reports Drupal as PATCH without Bulk or ETags', async () => {
    const { client, requests } = bare({}, jsonapi(200, ENTRY_POINT));
    const spc = await client.serviceProviderConfig();
    expect(spc).toMatchObject({ ok: true, value: { patch: { supported: true }, bulk: { supported: false }, etag: { supported: false } } });
    expect(requests[0]).toMatchObject({
      method: 'GET',
      url: 'https://site.example/jsonapi',
      redirect: 'manual',
      headers: { authorization: `Basic ${btoa('relay:s3cret-pass')}`, accept: 'application/vnd.api+json' },
    });
  });

  it('uses a bearer token and a custom JSON:API path when told', async () => {
    const { client, requests } = bare({ auth: 'bearer', jsonapiPath: '/api/' }, jsonapi(200, ENTRY_POINT));
    await client.serviceProviderConfig();
    expect(requests[0]).toMatchObject({ url: 'https://site.example/api', headers: { authorization: 'Bearer relay:s3cret-pass' } });
  });

  it('matches userName with filter[name] and the work email with filter[mail], asking for two', async () => {
    const { client, requests, keys } = setup({}, many(ADA), many());
    const byName = await client.findUsers(buildFilter('userName', 'ada'));
    expect(byName).toMatchObject({
      ok: true,
      value: [{ id: ADA.uuid, userName: 'ada', emails: [{ value: 'ada@example.com', type: 'work', primary: true }], active: true }],
    });
    expect(decodeURIComponent(requests[0]!.url)).toBe('https://site.example/jsonapi/user/user?filter[name]=ada&page[limit]=2');
    await client.findUsers(buildFilter('emails[type eq "work"].value', 'a+b@example.com'));
    expect(new URL(requests[1]!.url).searchParams.get('filter[mail]')).toBe('a+b@example.com');
    // The uid the extension resolves People-page rows by travels to the link.
    expect(keys).toEqual([[ADA.uuid, '7']]);
  });

  it('matches a batch with one IN condition', async () => {
    const { client, requests } = setup({}, many(ADA));
    const filter = ['ada', 'bob', 'cy'].map((v) => buildFilter('userName', v)).join(' or ');
    expect(await client.searchUsers(filter, 6)).toMatchObject({ ok: true, value: [{ userName: 'ada' }] });
    const q = new URL(requests[0]!.url).searchParams;
    expect(q.get('filter[m][condition][path]')).toBe('name');
    expect(q.get('filter[m][condition][operator]')).toBe('IN');
    expect(q.getAll('filter[m][condition][value][]')).toEqual(['ada', 'bob', 'cy']);
    expect(q.get('page[limit]')).toBe('6');
  });

  it('refuses a filter it cannot translate instead of widening it, without a request', async () => {
    const { client, requests } = setup({});
    const r = await client.findUsers('title co "x"');
    expect(r).toMatchObject({ ok: false, failure: { kind: 'rejected' } });
    expect(requests).toHaveLength(0);
  });

  it('reads the real Drupal 10 collection, leaving out the label-only anonymous user', async () => {
    const { client } = setup({}, jsonapi(200, realCollection()));
    const r = await client.searchUsers('userName eq "admin" or userName eq "alice.johnson"', 50);
    if (!r.ok) throw new Error(r.failure.message);
    expect(r.value.map((u) => u.userName)).toContain('alice.johnson');
    expect(r.value.every((u) => typeof u.userName === 'string')).toBe(true);
  });

  it('maps named fields both ways (options.fields)', async () => {
    const withField = { ...ADA };
    const { client, requests } = setup(
      { fields: { 'name.givenName': 'field_first_name' } },
      jsonapi(200, { data: { type: 'user--user', id: ADA.uuid, attributes: { drupal_internal__uid: 7, name: 'ada', field_first_name: 'Ada' } } }),
      one(withField),
    );
    expect(await client.getUser(ADA.uuid)).toMatchObject({ ok: true, value: { name: { givenName: 'Ada' } } });
    await client.patchUser(ADA.uuid, [{ op: 'replace', path: 'name.givenName', value: 'Augusta' }]);
    expect(requests[1]!.body).toEqual({ data: { type: 'user--user', id: ADA.uuid, attributes: { field_first_name: 'Augusta' } } });
  });
});

describe('createDrupalClient: writing', () => {
  it('creates a user--user from the mapped SCIM payload', async () => {
    const { client, requests } = setup({}, one(ADA, 201));
    const r = await client.createUser({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ada',
      emails: [{ type: 'work', value: 'ada@example.com' }],
      active: true,
    });
    expect(r).toMatchObject({ ok: true, status: 201, value: { id: ADA.uuid } });
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: 'https://site.example/jsonapi/user/user',
      headers: { 'content-type': 'application/vnd.api+json' },
      body: { data: { type: 'user--user', attributes: { name: 'ada', mail: 'ada@example.com', status: true } } },
    });
  });

  it('turns PatchOps into a JSON:API PATCH of the changed attributes only', async () => {
    const { client, requests } = setup({}, one(ADA), one({ ...ADA, status: false }));
    await client.patchUser(ADA.uuid, [
      { op: 'replace', path: 'userName', value: 'ada.l' },
      { op: 'add', path: 'emails', value: [{ type: 'work', value: 'ada.l@example.com' }] },
    ]);
    expect(requests[0]).toMatchObject({
      method: 'PATCH',
      url: `https://site.example/jsonapi/user/user/${ADA.uuid}`,
      body: { data: { type: 'user--user', id: ADA.uuid, attributes: { name: 'ada.l', mail: 'ada.l@example.com' } } },
    });
    // Block: active=false is status=false.
    await client.patchUser(ADA.uuid, [{ op: 'replace', path: 'active', value: false }]);
    expect(requests[1]!.body).toEqual({ data: { type: 'user--user', id: ADA.uuid, attributes: { status: false } } });
  });

  it('sends nothing when no operation touches what a Drupal user holds', async () => {
    const { client, requests } = setup({});
    expect(await client.patchUser(ADA.uuid, [{ op: 'replace', path: 'title', value: 'Countess' }])).toEqual({ ok: true, status: 204, value: undefined });
    expect(requests).toHaveLength(0);
  });

  it('reports that a DELETE only blocked the account when the site cancels by blocking', async () => {
    const { client, requests } = setup({}, new Response(null, { status: 204 }), one({ ...ADA, status: false }));
    const r = await client.deleteUser(ADA.uuid);
    expect(r).toMatchObject({ ok: true, status: 204 });
    expect(r.ok && r.detail).toMatch(/kept the account and blocked it.*cancel method/);
    expect(requests.map((q) => q.method)).toEqual(['DELETE', 'GET']);
  });

  it('reports a real deletion when the account is gone afterwards', async () => {
    const { client } = setup({}, new Response(null, { status: 204 }), jsonapiError(404, 'The "user" parameter was not converted'));
    const r = await client.deleteUser(ADA.uuid);
    expect(r.ok && r.detail).toMatch(/site removed it/);
  });
});

describe('createDrupalClient: roles from the group → role map', () => {
  const options = { roleMap: { Editors: 'content_editor', Ghosts: 'ghost' } };

  it('declines unmapped groups and finds mapped ones by machine name', async () => {
    const { client, requests } = setup(options, roles(EDITOR));
    expect(client.declineGroup?.('Sales')).toMatch(/not mapped to a Drupal role/);
    expect(client.declineGroup?.('Editors')).toBeUndefined();
    expect(await client.findGroupByDisplayName('Editors')).toMatchObject({ ok: true, value: [{ id: 'content_editor' }] });
    expect(await client.findGroupByDisplayName('Ghosts')).toMatchObject({ ok: true, value: [] });
    // The role list is read once per client.
    expect(requests).toHaveLength(1);
    expect(await client.createGroup({ displayName: 'Ghosts' })).toMatchObject({
      ok: false,
      failure: { kind: 'rejected', message: expect.stringContaining('no role "ghost"') },
    });
  });

  it('adds and removes the role on members, keeping their other roles', async () => {
    const admin = { uuid: '9f3b2ea6-af61-49c7-8161-940f49e896b0', id: 'administrator' };
    const BOB = { uuid: '1d2c3b4a-0000-4000-8000-000000000002', uid: 8, name: 'bob', roles: [admin, EDITOR] };
    const { client, requests } = setup(options, roles(EDITOR, admin), one({ ...ADA, roles: [admin] }), one(ADA), one(BOB), one(BOB));
    const r = await client.patchGroup('content_editor', [
      { op: 'add', path: 'members', value: [{ value: ADA.uuid }] },
      { op: 'remove', path: `members[value eq "${BOB.uuid}"]` },
    ]);
    expect(r).toMatchObject({ ok: true });
    expect(requests.map((q) => `${q.method} ${new URL(q.url).pathname}`)).toEqual([
      'GET /jsonapi/user_role/user_role',
      `GET /jsonapi/user/user/${ADA.uuid}`,
      `PATCH /jsonapi/user/user/${ADA.uuid}`,
      `GET /jsonapi/user/user/${BOB.uuid}`,
      `PATCH /jsonapi/user/user/${BOB.uuid}`,
    ]);
    expect(requests[2]!.body).toEqual({
      data: {
        type: 'user--user',
        id: ADA.uuid,
        relationships: {
          roles: {
            data: [
              { type: 'user_role--user_role', id: admin.uuid },
              { type: 'user_role--user_role', id: EDITOR.uuid },
            ],
          },
        },
      },
    });
    expect(requests[4]!.body).toEqual({
      data: { type: 'user--user', id: BOB.uuid, relationships: { roles: { data: [{ type: 'user_role--user_role', id: admin.uuid }] } } },
    });
  });

  it('never deletes a role on the site', async () => {
    const { client, requests } = setup(options);
    expect(await client.deleteGroup('content_editor')).toMatchObject({ ok: true });
    expect(requests).toHaveLength(0);
  });
});

describe('createDrupalClient: failures as the engine names them', () => {
  it('405 read-only is fatal and says where to switch JSON:API to read/write', async () => {
    const { client } = setup(
      {},
      jsonapiError(
        405,
        'JSON:API is configured to accept only read operations. Site administrators can configure this at <a href="https://site.example/admin/config/services/jsonapi">https://site.example/admin/config/services/jsonapi</a>.',
      ),
    );
    const r = await client.createUser({ userName: 'ada' });
    expect(r).toMatchObject({ ok: false, failure: { kind: 'fatal', status: 405 } });
    if (r.ok) return;
    expect(r.failure.message).toContain('admin/config/services/jsonapi');
    expect(r.failure.message).toContain('Accept all JSON:API create, read, update, and delete operations');
    expect(r.failure.message).not.toContain('<a');
  });

  it('403 is fatal and names the permission', async () => {
    const { client } = setup({}, jsonapiError(403, 'The current user is not allowed to POST the selected resource.'));
    expect(await client.createUser({ userName: 'ada' })).toMatchObject({
      ok: false,
      failure: { kind: 'fatal', status: 403, message: expect.stringContaining('Administer users') },
    });
  });

  it('422 is rejected with Drupal\'s own message; "already taken" on create is a conflict to re-read and link', async () => {
    const { client } = setup(
      {},
      jsonapiError(422, 'mail.0.value: This value is not a valid email address.'),
      jsonapiError(422, 'name: The username ada is already taken.'),
      jsonapiError(422, 'name: The username ada is already taken.'),
    );
    expect(await client.createUser({ userName: 'ada' })).toMatchObject({
      ok: false,
      failure: { kind: 'rejected', status: 422, message: expect.stringContaining('not a valid email address') },
    });
    expect(await client.createUser({ userName: 'ada' })).toMatchObject({ ok: false, failure: { kind: 'conflict', status: 422 } });
    // On an update the same message is the data's problem, not an account to link.
    expect(await client.patchUser(ADA.uuid, [{ op: 'replace', path: 'userName', value: 'ada' }])).toMatchObject({ ok: false, failure: { kind: 'rejected' } });
  });

  it('5xx and 429 are transient with Retry-After; a 200 that is not JSON:API is transient', async () => {
    const { client } = setup(
      {},
      jsonapi(429, { errors: [{ detail: 'slow down' }] }, { 'retry-after': '30' }),
      new Response('<html>maintenance</html>', { status: 200 }),
    );
    expect(await client.getUser(ADA.uuid)).toMatchObject({ ok: false, failure: { kind: 'transient', retryAfterSeconds: 30 } });
    expect(await client.getUser(ADA.uuid)).toMatchObject({ ok: false, failure: { kind: 'transient' } });
  });

  it("a missing JSON:API (Drupal's HTML 404 at /jsonapi) is fatal on discovery", async () => {
    const { client } = bare({}, new Response('<!DOCTYPE html><h1>Page not found</h1>', { status: 404, headers: { 'content-type': 'text/html' } }));
    expect(await client.serviceProviderConfig()).toMatchObject({ ok: false, failure: { kind: 'fatal', message: expect.stringContaining('JSON:API module') } });
  });

  it('never puts the password in a failure or a request record: a message quoting it is withheld whole', async () => {
    const { client, records } = setup({}, jsonapiError(422, 'pass: relay:s3cret-pass is weak'));
    const r = await client.createUser({ userName: 'ada' });
    expect(r).toMatchObject({
      ok: false,
      failure: { kind: 'rejected', message: "The Drupal site rejected the user (422) (the target's message quoted the credentials, so it is not shown)." },
    });
    expect(JSON.stringify(records)).not.toContain('s3cret-pass');
  });

  it('with the password "admin", Drupal\'s own words stay whole (no "[secret]istrators")', async () => {
    const detail =
      'JSON:API is configured to accept only read operations. Site administrators can configure this at <a href="https://site.example/admin/config/services/jsonapi">https://site.example/admin/config/services/jsonapi</a>.';
    const stub = stubFetch(jsonapi(200, ENTRY_POINT), jsonapiError(405, detail));
    const client = createDrupalClient({
      baseUrl: 'https://site.example',
      token: 'admin:admin',
      options: drupalTargetOptionsSchema.parse({}),
      fetch: stub.fetch,
    });
    const r = await client.createUser({ userName: 'ada' });
    expect(r.ok).toBe(false);
    const message = (r as { failure: { message: string } }).failure.message;
    expect(message).toContain('Site administrators can configure this at https://site.example/admin/config/services/jsonapi.');
    expect(message).not.toContain('[secret]');
  });
});

describe('createDrupalClient: a login Drupal answers as anonymous', () => {
  const ANONYMOUS_ENTRY = { ...ENTRY_POINT, meta: undefined };

  it('asks who it is once, then answers every call with the fatal failure without sending it', async () => {
    const { client, requests, records } = bare({}, jsonapi(200, ANONYMOUS_ENTRY));
    const calls = await Promise.all([client.findUsers(buildFilter('userName', 'ada')), client.createUser({ userName: 'ada' }), client.getUser(ADA.uuid)]);
    for (const r of calls)
      expect(r).toMatchObject({
        ok: false,
        failure: { kind: 'fatal', status: 200, message: expect.stringMatching(/^Wrong user name or password: .*flood control/) },
      });
    expect(await client.serviceProviderConfig()).toMatchObject({ ok: false, failure: { kind: 'fatal' } });
    // one login attempt for the whole pass, not one per request (each would count toward flood control)
    expect(requests.map((q) => q.url)).toEqual(['https://site.example/jsonapi']);
    expect(records).toHaveLength(1);
  });

  it('a transient failure of the question lets requests go on to meet the site on their own', async () => {
    const { client, requests } = bare({}, jsonapi(503, { errors: [{ detail: 'down' }] }), many(ADA));
    expect(await client.findUsers(buildFilter('userName', 'ada'))).toMatchObject({ ok: true });
    expect(requests).toHaveLength(2);
  });
});
