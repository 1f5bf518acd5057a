/**
 * The Joomla connector seen from the engine, on the real Joomla 5.2.3 answers
 * (test/fixtures/joomla-real/api): the headers Joomla insists on, groups on every PATCH, what
 * Joomla changes without a word, the bare 500 of DELETE, paging without a total. A fetch stub
 * stands in for the site; the end-to-end behaviour over HTTP is test/e2e/joomla-target.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { joomlaTargetOptionsSchema } from '../../../shared/src/joomla-target';
import { buildFilter } from '../../../worker/src/provisioning/scim-client';
import { classifyJoomla, createJoomlaClient, tokenUserId } from '../../../worker/src/provisioning/joomla-client';
import { stubFetch, type Answer } from '../scim-client/stub-fetch';
import auth from '../../fixtures/joomla-real/api/002_auth_x_joomla_token.json';
import notAcceptable from '../../fixtures/joomla-real/api/006_accept_application_json.json';
import wrongToken from '../../fixtures/joomla-real/api/004_auth_wrong_token.json';
import dupUsername from '../../fixtures/joomla-real/api/024_create_duplicate_username.json';
import dupEmail from '../../fixtures/joomla-real/api/026_create_duplicate_email.json';
import droppedGroup from '../../fixtures/joomla-real/api/033_create_invalid_group.json';
import getOne from '../../fixtures/joomla-real/api/062_get_one.json';
import patched from '../../fixtures/joomla-real/api/066_patch_name_email.json';
import noGroups from '../../fixtures/joomla-real/api/065_patch_without_groups_fails.json';
import deleteFailed from '../../fixtures/joomla-real/api/096_delete_already_deleted.json';

type Capture = { request: { headers: Record<string, string> }; response: { status: number; headers?: Record<string, string>; body: unknown } };
const replay = (c: Capture) =>
  new Response(typeof c.response.body === 'string' ? c.response.body : JSON.stringify(c.response.body), {
    status: c.response.status,
    headers: { 'content-type': 'application/vnd.api+json' },
  });
const TOKEN = (auth as Capture).request.headers['X-Joomla-Token']!;
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/vnd.api+json' } });
const row = (id: number, username: string, name = username) => ({
  type: 'users',
  id: String(id),
  attributes: { id, name, username, email: `${username}@example.test`, block: 0 },
});

const setup = (options: object, ...answers: Answer[]) => {
  const stub = stubFetch(...answers);
  const client = createJoomlaClient({ baseUrl: 'https://cms.example', token: TOKEN, options: joomlaTargetOptionsSchema.parse(options), fetch: stub.fetch });
  return { client, requests: stub.requests };
};

describe('classifyJoomla on the captured answers', () => {
  it('names each: 401 and 406 fatal with the reason, "in use" on create a conflict, a missing groups a rejection, DELETE\'s 500 a refusal', () => {
    const k = (c: Capture, opts = {}) =>
      classifyJoomla(c.response.status, new Headers(), typeof c.response.body === 'string' ? c.response.body : JSON.stringify(c.response.body), opts);
    expect(k(wrongToken as Capture)).toMatchObject({ kind: 'fatal', status: 401 });
    expect(k(notAcceptable as Capture).message).toContain('application/vnd.api+json');
    expect(k(dupUsername as Capture, { creating: true })).toMatchObject({ kind: 'conflict', status: 400 });
    expect(k(dupEmail as Capture, { creating: true })).toMatchObject({ kind: 'conflict' });
    expect(k(noGroups as Capture)).toMatchObject({ kind: 'rejected' });
    expect(k(deleteFailed as Capture, { deleting: true })).toMatchObject({ kind: 'rejected', status: 500 });
  });
});

describe('createJoomlaClient', () => {
  it('reads the token\'s own account from the token (base64 "sha256:<id>:<hmac>")', () => {
    expect(tokenUserId(TOKEN)).toBe('560');
    expect(tokenUserId('not a token')).toBeUndefined();
  });

  it("sends X-Joomla-Token and Accept: application/vnd.api+json, and every PATCH carries the account's groups", async () => {
    const { client, requests } = setup({}, replay(getOne as Capture), replay(patched as Capture));
    const r = await client.patchUser('573', [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'alice.new@example.test' }]);
    expect(r).toMatchObject({ ok: true });
    expect(requests[0]!.headers).toMatchObject({ 'x-joomla-token': TOKEN, accept: 'application/vnd.api+json' });
    expect(requests[1]).toMatchObject({
      method: 'PATCH',
      url: 'https://cms.example/api/index.php/v1/users/573',
      headers: { 'content-type': 'application/json' },
      body: { email: 'alice.new@example.test', groups: [4] },
    });
  });

  it('a create whose group Joomla dropped (the captured answer) is rejected and the account removed again', async () => {
    const { client, requests } = setup({ defaultGroups: [999] }, replay(droppedGroup as Capture), new Response(null, { status: 204 }));
    const r = await client.createUser({ userName: 'badgroup', emails: [{ value: 'badgroup@example.test', type: 'work' }], displayName: 'Bad Group' });
    expect(r).toMatchObject({ ok: false, failure: { kind: 'rejected' } });
    expect(!r.ok && r.failure.message).toContain('999 were dropped');
    expect(requests.map((x) => `${x.method} ${new URL(x.url).pathname}`)).toEqual(['POST /api/index.php/v1/users', 'DELETE /api/index.php/v1/users/582']);
  });

  it("tells an account already gone from a refused delete by reading it after Joomla's bare 500", async () => {
    const gone = setup({}, replay(getOne as Capture), replay(deleteFailed as Capture), json(404, { errors: [{ title: 'Resource not found' }] }));
    expect(await gone.client.deleteUser('573')).toMatchObject({ ok: false, failure: { kind: 'not_found' } });
    const refused = setup({}, replay(getOne as Capture), replay(deleteFailed as Capture), replay(getOne as Capture));
    expect(await refused.client.deleteUser('573')).toMatchObject({ ok: false, failure: { kind: 'rejected', status: 500 } });
  });

  it('pages a search by offset until a short page, and keeps only exact matches', async () => {
    const full = Array.from({ length: 100 }, (_, i) => row(1000 + i, `ada${i}`));
    const { client, requests } = setup(
      {},
      json(200, { data: full, links: { next: 'x' }, meta: { 'total-pages': 2 } }),
      json(200, { data: [row(2000, 'ada'), row(1000, 'ada0')], links: {}, meta: { 'total-pages': 2 } }),
    );
    const r = await client.findUsers(buildFilter('userName', 'ada'));
    expect(r).toMatchObject({ ok: true, value: [{ id: '2000', userName: 'ada' }] });
    expect(requests.map((x) => new URL(x.url).searchParams.get('page[offset]'))).toEqual(['0', '100']);
    expect(new URL(requests[0]!.url).searchParams.get('filter[search]')).toBe('username:ada');
  });

  it('refuses to write a Super User: the read before the write is the second line of defence', async () => {
    const { client } = setup({}, json(200, { data: { ...row(584, 'sam.super'), attributes: { ...row(584, 'sam.super').attributes, groups: { 8: 8 } } } }));
    const r = await client.patchUser('584', [{ op: 'replace', path: 'active', value: false }]);
    expect(!r.ok && r.failure.message).toMatch(/Skipped as protected.*Super User/);
  });
});
