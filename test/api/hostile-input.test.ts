/**
 * The admin API under hostile input: every class of bad body, query and path against every route
 * that reads one. Each answer is a 4xx in the API's error format (JSON with `error`), never a 5xx,
 * and nothing stored changes. The counts are printed for the hardening report.
 */
import { env, SELF } from 'cloudflare:test';
import { afterAll, describe, expect, it } from 'vitest';
import { API, createTarget } from '../helpers/api';
import { TEST_TOKEN } from '../helpers/scim';

interface Tally {
  tried: number;
  fivexx: string[];
}
const tally: Tally = { tried: 0, fivexx: [] };

afterAll(() => {
  console.log(
    `admin API hostile input: ${tally.tried} cases tried, ${tally.fivexx.length} answered 5xx${tally.fivexx.length ? `: ${tally.fivexx.join('; ')}` : ''}`,
  );
});

/**
 * Sends one case and checks the answer: a 4xx in the API's JSON error format, or — where
 * `harmless` says a plain answer is honest (a search that finds nothing) — any JSON below 500.
 */
async function send(label: string, method: string, path: string, body?: BodyInit, harmless = false): Promise<Response> {
  tally.tried++;
  const res = await SELF.fetch(`${API}${path}`, { method, headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body });
  const text = await res.text();
  const where = `${label}: ${method} ${path.slice(0, 80)}: ${text.slice(0, 200)}`;
  if (res.status >= 500) tally.fivexx.push(`${label} ${method} ${path.slice(0, 80)} → ${res.status}`);
  expect(res.status, where).toBeLessThan(500);
  expect(res.headers.get('content-type') ?? '', where).toContain('application/json');
  if (!harmless || res.status >= 400) {
    expect(res.status, where).toBeGreaterThanOrEqual(400);
    expect(typeof (JSON.parse(text) as { error: unknown }).error, where).toBe('string');
  }
  return new Response(text, { status: res.status });
}

const nestedArrays = (depth: number) => `{"name":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const nestedObjects = (depth: number) => `{"modes":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
const MB = 1024 * 1024;

/** Raw bodies that are not acceptable JSON requests, each with the class it belongs to. */
const RAW_BODIES: [string, BodyInit][] = [
  ['bad JSON: truncated', '{"name": "x",'],
  ['bad JSON: single quotes', "{'name': 'x'}"],
  ['bad JSON: trailing comma', '{"name": "x",}'],
  ['bad JSON: bare word', 'nul'],
  ['bad JSON: NaN', '{"limit": NaN}'],
  ['bad JSON: NUL byte', '\u0000'],
  ['wrong type: array', '[]'],
  ['wrong type: string', '"x"'],
  ['wrong type: number', '1e308'],
  ['wrong type: null', 'null'],
  ['wrong type: true', 'true'],
  ['bad JSON: form-encoded', 'name=x&baseUrl=http%3A%2F%2Fx&token=t'],
  ['bad JSON: multipart', '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--'],
  ['wrong type: numbers beyond double', '{"concurrency": 1e400, "limit": -1e400, "deletionThreshold": 1e-400}'],
  ['deep JSON: 100,000 nested arrays', nestedArrays(100_000)],
  ['deep JSON: 10,000 nested objects', nestedObjects(10_000)],
  ['deep JSON: 40 nested objects', nestedObjects(40)],
  ['invalid UTF-8: 0xff 0xfe', new Uint8Array([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ['invalid UTF-8: overlong slash', new Uint8Array([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])],
  ['invalid UTF-8: truncated sequence', new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe0, 0xa4, 0x22, 0x7d])],
  ['lone surrogate in a value', '{"name": "\\ud800"}'],
  ['lone surrogate in a key', '{"\\udc00": 1}'],
  ['oversized: 2 MB', JSON.stringify({ name: 'x'.repeat(2 * MB) })],
];

/** JSON bodies of the right syntax with wrong content. */
const JSON_BODIES: [string, unknown][] = [
  ['unknown keys: userName and a misspelt one', { userName: 'alice', dryrun: true }],
  ['unknown key: __proto__', JSON.parse('{"__proto__": {"polluted": true}}')],
  ['unknown key: constructor', { constructor: { prototype: { polluted: true } } }],
  ['wrong type: name as number', { name: 1 }],
  ['wrong type: name as object', { name: {} }],
  ['wrong type: modes as array', { modes: [] }],
  ['wrong type: settings as string', { settings: 'x' }],
  ['wrong type: mapping as object', { mapping: {} }],
  ['wrong type: huge number', { concurrency: 1e308, limit: 99999999999999999999 }],
  ['wrong type: userNames as string', { userNames: 'alice' }],
  ['wrong type: targetIds of numbers', { targetIds: [1, 2] }],
  ['wrong type: scopes as object', { scopes: { admin: true } }],
  ['URL with credentials', { baseUrl: 'http://user:pass@app.example.com/scim/v2' }],
  ['URL with a user only', { baseUrl: 'https://token@app.example.com' }],
  ['URL: javascript scheme', { baseUrl: 'javascript:alert(1)' }],
  ['URL: unclosed IPv6', { baseUrl: 'http://[::1' }],
  ['URL: 10,000-character host', { baseUrl: `http://${'a'.repeat(10_000)}.example.com` }],
  ['URL with credentials in site', { site: 'http://user:pass@x.example.com', uids: ['1'] }],
  ['null for a required member', { name: null, baseUrl: null }],
  ['nested null', { modes: { scheduled: null, manual: { operations: null } }, settings: { schedule: null } }],
];

describe('admin API hostile input', () => {
  it('answers every malformed body on every route that reads one with a 4xx, never a 5xx', async () => {
    const t = await createTarget('hostile', { baseUrl: 'http://127.0.0.1:9/scim/v2' });
    const before = await env.DB.prepare('SELECT * FROM targets WHERE id = ?').bind(t.id).first();
    const routes: [string, string][] = [
      ['POST', '/targets'],
      ['PATCH', `/targets/${t.id}`],
      ['PUT', `/targets/${t.id}/mapping`],
      ['POST', `/targets/${t.id}/preview`],
      ['POST', `/targets/${t.id}/test`],
      ['POST', `/targets/${t.id}/pause`],
      ['POST', '/users/lookup'],
      ['POST', '/users'],
      ['POST', '/sources'],
      ['POST', '/tokens'],
      ['POST', '/outbox/retry'],
    ];
    for (const [method, path] of routes) {
      for (const [label, raw] of RAW_BODIES) await send(label, method, path, raw);
      for (const [label, value] of JSON_BODIES) await send(label, method, path, JSON.stringify(value));
    }
    expect(await env.DB.prepare('SELECT * FROM targets WHERE id = ?').bind(t.id).first()).toEqual(before);
    expect(({} as any).polluted).toBeUndefined();
  });

  it('refuses the classes with their own answer: 413 oversized, 400 for bad UTF-8, lone surrogates and deep JSON', async () => {
    const expectations: [string, BodyInit, number, RegExp][] = [
      ['oversized', JSON.stringify({ userNames: ['x'.repeat(2 * MB)] }), 413, /1 MB/],
      ['invalid UTF-8', RAW_BODIES.find(([l]) => l === 'invalid UTF-8: 0xff 0xfe')![1], 400, /UTF-8/],
      ['lone surrogate', '{"userNames": ["\\ud800"]}', 400, /surrogate/],
      ['deep JSON', nestedArrays(100_000), 400, /nested deeper than 32/],
    ];
    for (const [label, body, status, message] of expectations) {
      const res = await send(label, 'POST', '/users/lookup', body);
      expect(res.status, label).toBe(status);
      expect(((await res.json()) as any).message, label).toMatch(message);
    }
  });

  it('answers hostile query strings and paths with a 4xx', async () => {
    const t = await createTarget('hostile-query');
    const cases = [
      '/outbox?limit=1e308',
      '/outbox?limit=99999999999999999999',
      '/outbox?limit=-1',
      '/outbox?cursor=%27%20or%201%3D1',
      '/outbox?state=%3Cscript%3E',
      '/outbox?limit[]=1',
      '/outbox?limit=1&limit=2',
      '/runs?cursor=a|b|c|' + 'x'.repeat(300),
      '/audit?cursor=1e5',
      '/users?q=',
      `/users?userName=${'x'.repeat(600)}`,
      '/users?filter=userName%20eq%20%22x%22',
      '/users?email=%E0%A4%A',
      '/users?%E0%A4%A=1',
      `/targets/${t.id}/plan?mode=manual`,
      `/targets/${t.id}/plan?mode=%00`,
      '/targets/%E0%A4%A',
      '/targets/%00',
      `/targets/${'x'.repeat(5000)}`,
      '/sources/..%2F..%2Ftargets',
      '/outbox/1e308/retry',
      '/outbox/-1/approve',
      '/outbox/99999999999999999999/retry',
      '/tokens/%E0%A4%A',
    ];
    // a search for a value with a stray "%" finds nobody: an honest 200
    const HARMLESS = ['/users?email=%E0%A4%A'];
    for (const path of cases) {
      const method = /retry|approve/.test(path) ? 'POST' : path.startsWith('/tokens') ? 'DELETE' : 'GET';
      await send('hostile query or path', method, path, undefined, HARMLESS.includes(path));
    }
  });
});
