/**
 * An outbound answer is read with a ceiling, as a stream: a site that sends without end costs the
 * relay the ceiling, not its memory, and a larger answer is a named failure.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_ERROR_BODY_BYTES, readLimited } from '../../../worker/src/outbound/read-limited';
import { createScimClient } from '../../../worker/src/provisioning/scim-client';
import { sourceHttp } from '../../../worker/src/sources/http';

/** A body that never ends (1 MB chunks), counting what was pulled from it. */
function endless(): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const chunk = new Uint8Array(1024 * 1024).fill(0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

describe('readLimited', () => {
  it('stops reading an endless body at the ceiling instead of holding it all', async () => {
    const body = endless();
    expect(await readLimited(new Response(body.stream), MAX_BODY_BYTES)).toEqual({ ok: false, limitBytes: MAX_BODY_BYTES });
    expect(body.pulled()).toBeLessThanOrEqual(MAX_BODY_BYTES + 2 * 1024 * 1024);
  });

  it('refuses at once a body whose Content-Length is over the ceiling, and reads one under it whole', async () => {
    const big = new Response('x'.repeat(100), { headers: { 'content-length': String(MAX_ERROR_BODY_BYTES + 1) } });
    expect(await readLimited(big, MAX_ERROR_BODY_BYTES)).toEqual({ ok: false, limitBytes: MAX_ERROR_BODY_BYTES });
    expect(await readLimited(new Response('héllo'), 10)).toEqual({ ok: true, text: 'héllo' });
  });
});

describe('a larger answer is a named failure, not an out-of-memory', () => {
  it('SCIM target: a 200 over 5 MB is a transient failure saying so; a 500 over 64 KB is judged by its status', async () => {
    let n = 0;
    const fetch = (async () =>
      n++ === 0 ? new Response(endless().stream, { status: 200 }) : new Response(endless().stream, { status: 500 })) as typeof globalThis.fetch;
    const client = createScimClient({ baseUrl: 'https://app.example/scim/v2', token: 'secret-token-0123456789', fetch });
    expect(await client.getUser('1')).toEqual({
      ok: false,
      failure: { kind: 'transient', status: 200, message: expect.stringContaining('body larger than 5 MB') },
    });
    expect(await client.getUser('1')).toEqual({ ok: false, failure: { kind: 'transient', status: 500, message: 'The target failed (500).' } });
  });

  it('source: a listing over 5 MB is a failed request, retried at the next cron', async () => {
    const http = sourceHttp({ type: 'bearer', token: 't' }, (async () => new Response(endless().stream, { status: 200 })) as typeof fetch);
    await expect(http.get('https://site.example/jsonapi/user/user', 'application/vnd.api+json')).rejects.toMatchObject({
      fatal: false,
      message: expect.stringContaining('larger than 5 MB'),
    });
  });
});
