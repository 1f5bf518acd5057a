/**
 * The console's admin API channel: which paths a page may ask for, how the background builds the
 * request (token, URL under the relay's /api/v1 only), and how answers become errors an admin
 * can act on. The fetch here is a stub: these are unit tests of the request and answer handling;
 * the real round trips are in test/extension/e2e/console.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiProblem, consoleRequestSchema, readResponse } from '../../../extension/src/lib/console-api';
import { proxyApiCall } from '../../../extension/src/lib/proxy-api-call';

const request = (path: string, extra: Record<string, unknown> = {}) => ({ type: 'console:api', method: 'GET', path, ...extra });

describe('consoleRequestSchema', () => {
  it('accepts paths under /api/v1 with a query', () => {
    for (const path of ['/targets', '/outbox?state=failed&limit=50', '/targets/abc-1/preview', '/users?q=ada%40x']) {
      expect(consoleRequestSchema.safeParse(request(path)).success, path).toBe(true);
    }
  });

  it('refuses other hosts, dot segments and fragments', () => {
    for (const path of ['http://evil.test/x', '//evil.test/x', '/../scim/v2/Users', '/targets/%2e%2e/x', '/a/./b', 'targets', '/x#frag', '/x y']) {
      expect(consoleRequestSchema.safeParse(request(path)).success, path).toBe(false);
    }
    expect(consoleRequestSchema.safeParse(request('/targets', { method: 'TRACE' })).success).toBe(false);
  });
});

describe('proxyApiCall', () => {
  function recorder(response: () => Response | Promise<Response>) {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetch = (async (url: URL | string, init?: RequestInit) => {
      calls.push({ url: String(url), init: init ?? {} });
      return response();
    }) as typeof globalThis.fetch;
    return { calls, fetch };
  }

  it('sends the token and the JSON body to the relay’s /api/v1, keeping a path prefix', async () => {
    const { calls, fetch } = recorder(() => Response.json({ id: 't1' }, { status: 201 }));
    const answer = await proxyApiCall(
      { type: 'console:api', method: 'POST', path: '/targets', body: { name: 'Wiki' } },
      { relayUrl: 'https://relay.example/hub', token: 'srt_secret', fetch },
    );
    expect(answer).toEqual({ kind: 'http', status: 201, body: { id: 't1' } });
    expect(calls[0]!.url).toBe('https://relay.example/hub/api/v1/targets');
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer srt_secret');
    expect(headers['Content-Type']).toBe('application/json');
    expect(calls[0]!.init.body).toBe('{"name":"Wiki"}');
    expect(calls[0]!.init.redirect).toBe('error');
  });

  it('sends no body on GET and reads an empty answer as null', async () => {
    const { calls, fetch } = recorder(() => new Response(null, { status: 204 }));
    const answer = await proxyApiCall(
      { type: 'console:api', method: 'GET', path: '/targets', body: { ignored: true } },
      { relayUrl: 'http://127.0.0.1:8787', token: 't', fetch },
    );
    expect(answer).toEqual({ kind: 'http', status: 204, body: null });
    expect(calls[0]!.init.body).toBeUndefined();
  });

  it('says why there was no answer: not connected, network failure, timeout', async () => {
    const never = recorder(() => Response.json({}));
    expect(await proxyApiCall(request('/targets') as never, { relayUrl: '', token: 't', fetch: never.fetch })).toMatchObject({
      kind: 'unreachable',
      error: expect.stringContaining('Not connected'),
    });
    expect(never.calls).toHaveLength(0);

    const down = recorder(() => Promise.reject(new TypeError('fetch failed')));
    expect(await proxyApiCall(request('/targets') as never, { relayUrl: 'http://127.0.0.1:9', token: 't', fetch: down.fetch })).toMatchObject({
      kind: 'unreachable',
      error: expect.stringContaining('could not be reached'),
    });

    const slow = recorder(() => Promise.reject(new DOMException('timed out', 'TimeoutError')));
    expect(await proxyApiCall(request('/targets') as never, { relayUrl: 'http://127.0.0.1:9', token: 't', fetch: slow.fetch, timeoutMs: 5000 })).toMatchObject({
      error: 'The relay did not answer within 5 s.',
    });
  });
});

describe('readResponse', () => {
  const schema = z.object({ id: z.string() });

  it('returns the parsed body of a 2xx', () => {
    expect(readResponse({ kind: 'http', status: 200, body: { id: 'x', extra: 1 } }, schema)).toEqual({ id: 'x' });
  });

  it('turns a 400 into a problem carrying the API’s issues by key path', () => {
    const body = { error: 'invalid_request', message: 'Invalid request body: baseUrl: Invalid URL', issues: [{ path: 'baseUrl', message: 'Invalid URL' }] };
    const problem = catchProblem(() => readResponse({ kind: 'http', status: 400, body }, schema));
    expect(problem.message).toBe('Invalid request body: baseUrl: Invalid URL');
    expect(problem.status).toBe(400);
    expect(problem.issues).toEqual([{ path: 'baseUrl', message: 'Invalid URL' }]);
  });

  it('explains 401, a missing relay and an answer of the wrong shape', () => {
    expect(
      catchProblem(() =>
        readResponse({ kind: 'http', status: 401, body: { error: 'unauthorized', message: 'The bearer token is not valid or has been revoked.' } }, schema),
      ).message,
    ).toMatch(/^The relay refused the token \(401\)/);
    expect(catchProblem(() => readResponse({ kind: 'unreachable', error: 'The relay could not be reached.' }, schema))).toMatchObject({
      status: null,
      message: 'The relay could not be reached.',
    });
    expect(catchProblem(() => readResponse({ kind: 'http', status: 200, body: { id: 5 } }, schema)).message).toMatch(/not what this extension expects/);
  });
});

function catchProblem(run: () => unknown): ApiProblem {
  try {
    run();
  } catch (e) {
    if (e instanceof ApiProblem) return e;
    throw e;
  }
  throw new Error('expected an ApiProblem');
}
