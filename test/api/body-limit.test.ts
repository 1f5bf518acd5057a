/**
 * /api/v1 caps request bodies at 1 MB: 413 in the admin API's error format before anything is
 * parsed, whether the size is announced (Content-Length) or only found while reading (chunked).
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { API, api } from '../helpers/api';
import { TEST_TOKEN } from '../helpers/scim';

const MB = 1024 * 1024;

/** A JSON body of about `bytes` bytes: a lookup with one long user name. */
const lookupOf = (bytes: number) => JSON.stringify({ userNames: ['x'.repeat(bytes - 20)] });

/** Sends `text` as a stream of 64 KB chunks, so the request has no Content-Length. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + 64 * 1024));
      at += 64 * 1024;
    },
  });
}

const countTargets = async () => (await env.DB.prepare('SELECT COUNT(*) AS n FROM targets').first<{ n: number }>())!.n;

describe('the admin API body limit', () => {
  it('answers a body over 1 MB with 413 payload_too_large in the API error format', async () => {
    const res = await api('POST', '/users/lookup', undefined, { raw: lookupOf(MB + 10) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body).toMatchObject({ error: 'payload_too_large' });
    expect(res.body.message).toContain('1 MB');
  });

  it('answers a chunked body (no Content-Length) over 1 MB with 413 too, and stores nothing', async () => {
    const before = await countTargets();
    const body = JSON.stringify({ name: 'chunked', baseUrl: 'https://app.example.com/scim/v2', token: 't'.repeat(2 * MB) });
    const req = new Request(`${API}/targets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: chunked(body),
      duplex: 'half',
    } as RequestInit);
    expect(req.headers.get('content-length')).toBeNull();
    const res = await SELF.fetch(req);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
    expect(await countTargets()).toBe(before);
  });

  it('still takes a chunked body under the limit', async () => {
    const body = JSON.stringify({ userNames: ['nobody-chunked'] });
    const req = new Request(`${API}/users/lookup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
      body: chunked(body),
      duplex: 'half',
    } as RequestInit);
    const res = await SELF.fetch(req);
    expect(res.status).toBe(200);
    expect((await res.json()) as object).toMatchObject({ userNames: { 'nobody-chunked': null } });
  });

  it('lets a body just under 1 MB reach validation (400 for a name too long, not 413)', async () => {
    const res = await api('POST', '/users/lookup', undefined, { raw: lookupOf(MB - 100) });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('userNames.0');
  });

  it('checks the token first: a stranger with an oversized body gets 401, its body unread', async () => {
    const res = await api('POST', '/users/lookup', undefined, { raw: lookupOf(MB + 10), token: null });
    expect(res.status).toBe(401);
  });
});
