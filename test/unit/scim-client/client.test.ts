import { describe, expect, it } from 'vitest';
import { createScimClient } from '../../../worker/src/provisioning/scim-client/client';
import type { RequestRecord } from '../../../worker/src/provisioning/scim-client/types';
import { SPC, list, scim, scimError, stubFetch, type Answer } from './stub-fetch';

const TOKEN = 'secret-token-abc123';
const setup = (...answers: Answer[]) => {
  const stub = stubFetch(...answers);
  const records: RequestRecord[] = [];
  const client = createScimClient({ baseUrl: 'https://app.example.com/scim/v2/', token: TOKEN, fetch: stub.fetch }, { onRequest: (r) => records.push(r) });
  return { client, requests: stub.requests, records };
};
const bjensen = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'r-1', userName: 'bjensen' };

describe('createScimClient: requests', () => {
  it('sends the bearer token, the SCIM media type, and never follows redirects', async () => {
    const { client, requests } = setup(scim(201, bjensen));
    const r = await client.createUser({ userName: 'bjensen' });
    expect(r).toEqual({ ok: true, status: 201, value: bjensen });
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: 'https://app.example.com/scim/v2/Users',
      body: { userName: 'bjensen' },
      redirect: 'manual',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json', accept: 'application/scim+json, application/json;q=0.9' },
    });
  });

  it('searches with an encoded filter and count=2, and returns the resources', async () => {
    const { client, requests } = setup(list(bjensen), scim(200, { totalResults: 0 }));
    expect(await client.findUsers('userName eq "b&j"')).toEqual({ ok: true, status: 200, value: [bjensen] });
    expect(requests[0]!.url).toBe('https://app.example.com/scim/v2/Users?filter=userName%20eq%20%22b%26j%22&count=2');
    // RFC 7644 §3.4.2: an empty page may omit Resources.
    expect(await client.findUsers('userName eq "x"')).toMatchObject({ ok: true, value: [] });
  });

  it('wraps PATCH operations in a PatchOp message and accepts 204 or 200', async () => {
    const { client, requests } = setup(new Response(null, { status: 204 }), scim(200, bjensen));
    const ops = [{ op: 'replace' as const, path: 'active', value: false }];
    expect(await client.patchUser('r/1', ops)).toEqual({ ok: true, status: 204, value: undefined });
    expect(requests[0]).toMatchObject({
      method: 'PATCH',
      url: 'https://app.example.com/scim/v2/Users/r%2F1',
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops },
    });
    expect(await client.patchGroup('g1', [{ op: 'add', path: 'members', value: [{ value: 'r-1' }] }])).toMatchObject({ ok: true, value: bjensen });
  });

  it('sends If-Match on a conditional PATCH or PUT and returns the ETag answered (RFC 7644 §3.14)', async () => {
    const { client, requests } = setup(scim(200, bjensen, { etag: 'W/"4"' }), scim(200, bjensen, { etag: 'W/"5"' }), scim(200, bjensen));
    const ops = [{ op: 'replace' as const, path: 'title', value: 'CEO' }];
    expect(await client.patchUser('r-1', ops, { ifMatch: 'W/"3"' })).toEqual({ ok: true, status: 200, value: bjensen, etag: 'W/"4"' });
    expect(requests[0]!.headers['if-match']).toBe('W/"3"');
    expect(await client.replaceUser('r-1', { userName: 'bjensen' }, { ifMatch: 'W/"4"' })).toMatchObject({ ok: true, etag: 'W/"5"' });
    expect(requests[1]).toMatchObject({ method: 'PUT', headers: { 'if-match': 'W/"4"' } });
    // Without a version the write is unconditional.
    await client.patchUser('r-1', ops);
    expect(requests[2]!.headers).not.toHaveProperty('if-match');
  });

  it('deletes, and finds groups by displayName with an escaped filter', async () => {
    const { client, requests } = setup(new Response(null, { status: 204 }), list({ id: 'g1', displayName: 'Ops "A"' }));
    expect(await client.deleteUser('r-1')).toEqual({ ok: true, status: 204, value: undefined });
    expect(await client.findGroupByDisplayName('Ops "A"')).toMatchObject({ ok: true, value: [{ id: 'g1' }] });
    expect(decodeURIComponent(requests[1]!.url)).toBe('https://app.example.com/scim/v2/Groups?filter=displayName eq "Ops \\"A\\""&count=2');
  });

  it('reads the ServiceProviderConfig, lenient about booleans sent as strings', async () => {
    const { client } = setup(scim(200, { ...SPC, patch: { supported: 'True' } }));
    const r = await client.serviceProviderConfig();
    expect(r.ok && r.value.patch?.supported).toBe(true);
  });

  it('sends Bulk and classifies each operation (RFC 7644 §3.7)', async () => {
    const { client, requests } = setup(
      scim(200, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkResponse'],
        Operations: [
          { method: 'POST', bulkId: 'q1', location: 'https://app.example.com/scim/v2/Users/r-9', status: '201' },
          { method: 'POST', bulkId: 'q2', status: '409', response: { detail: 'exists', scimType: 'uniqueness' } },
        ],
      }),
    );
    const r = await client.bulk([{ method: 'POST', path: '/Users', bulkId: 'q1', data: { userName: 'a' } }], { failOnErrors: 5 });
    expect(requests[0]!.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      failOnErrors: 5,
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'q1', data: { userName: 'a' } }],
    });
    expect(r.ok && r.value).toEqual([
      { method: 'POST', bulkId: 'q1', location: 'https://app.example.com/scim/v2/Users/r-9', status: 201 },
      {
        method: 'POST',
        bulkId: 'q2',
        status: 409,
        response: { detail: 'exists', scimType: 'uniqueness' },
        failure: { kind: 'conflict', status: 409, message: 'The target reports a conflict (409): exists.' },
      },
    ]);
  });
});

describe('createScimClient: failures are results, never throws', () => {
  it('classifies HTTP errors and reports each request to the hook without the token (a detail quoting it is withheld whole)', async () => {
    const { client, records } = setup(scimError(401, `bad token ${TOKEN}`));
    const r = await client.getUser('r-1');
    expect(r).toEqual({
      ok: false,
      failure: {
        kind: 'fatal',
        status: 401,
        message: "The target refused the token (401): check the bearer token (the target's message quoted the credentials, so it is not shown).",
      },
    });
    expect(records).toEqual([{ method: 'GET', path: '/Users/r-1', status: 401, durationMs: expect.any(Number), failure: (r as { failure: unknown }).failure }]);
    expect(JSON.stringify(records)).not.toContain(TOKEN);
  });

  it('reports a wrong base URL when discovery answers 404', async () => {
    const { client } = setup(new Response('Not Found', { status: 404 }));
    expect(await client.serviceProviderConfig()).toMatchObject({
      ok: false,
      failure: { kind: 'fatal', status: 404, message: expect.stringMatching(/base URL/) },
    });
  });

  it('turns a thrown fetch into a transient failure', async () => {
    const { client, records } = setup(new TypeError('Network connection lost.'));
    expect(await client.findUsers('userName eq "a"')).toMatchObject({ ok: false, failure: { kind: 'transient' } });
    expect(records[0]).not.toHaveProperty('status');
  });

  it('times out after timeoutMs (the timer is cleared once the body is read)', async () => {
    const hang: typeof fetch = (_input, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    const client = createScimClient({ baseUrl: 'https://slow.example.com', token: TOKEN, fetch: hang, timeoutMs: 50 });
    expect(await client.getUser('x')).toEqual({ ok: false, failure: { kind: 'transient', message: 'The target did not answer within 50 ms.' } });
  });

  it('calls a 2xx whose body is not SCIM transient: a proxy page answering for the target', async () => {
    const { client } = setup(
      new Response('<html>Maintenance</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
      scim(201, { userName: 'no id' }),
    );
    expect(await client.getUser('r-1')).toMatchObject({
      ok: false,
      failure: { kind: 'transient', status: 200, message: expect.stringMatching(/not a SCIM resource \(not JSON\)/) },
    });
    expect(await client.createUser({ userName: 'a' })).toMatchObject({
      ok: false,
      failure: { kind: 'transient', status: 201, message: expect.stringMatching(/id: /) },
    });
  });

  it('accepts a numeric id by turning it into a string', async () => {
    const { client } = setup(scim(200, { id: 42, userName: 'a' }));
    expect(await client.getUser('42')).toMatchObject({ ok: true, value: { id: '42' } });
  });
});
