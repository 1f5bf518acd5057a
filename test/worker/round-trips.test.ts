/**
 * Issue #11 item 5: D1 round trips per SCIM request kind, as the limits harness counts them
 * (worker/src/limits/meter.ts, `d1TripsToResponse`: sequential D1 calls before the response).
 * The token is a stored one, verified once so the isolate's token cache holds it, as it would
 * for an IdP that sends a stream of requests.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../worker/src/index';
import { takeUsages, type Usage } from '../../worker/src/limits/meter';
import { createApiToken } from '../helpers/api';
import { BASE, BULK_REQUEST_URN, GROUP_URN, PATCH_URN, USER_URN } from '../helpers/scim';

let token = '';

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; headers: Headers; usage: Usage }> {
  takeUsages();
  const ctx = createExecutionContext();
  const req = new Request(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const res = await worker.fetch(req as Request<unknown, IncomingRequestCfProperties>, env, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  const [usage] = takeUsages();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers, usage: usage! };
}

const user = (userName: string, extra: object = {}) => ({
  schemas: [USER_URN],
  userName,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: userName, type: 'work', primary: true }],
  ...extra,
});
const group = (displayName: string, members: string[] = []) => ({ schemas: [GROUP_URN], displayName, members: members.map((value) => ({ value })) });
const patchOf = (...Operations: object[]) => ({ schemas: [PATCH_URN], Operations });

let n = 0;
const unique = (stem: string) => `${stem}-${++n}-${crypto.randomUUID().slice(0, 8)}@trips.test`;

/** A user and a group (with that user as member) to read and write. */
async function fixtures() {
  const u = await call('POST', '/Users', user(unique('fixture')));
  const g = await call('POST', '/Groups', group(unique('team'), [u.json.id]));
  return { userId: u.json.id as string, groupId: g.json.id as string, userName: u.json.userName as string };
}

beforeAll(async () => {
  token = await createApiToken(['scim:read', 'scim:write']);
  // The first request of an isolate looks the token up: one more trip, once per TOKEN_CACHE_TTL_MS.
  const first = await call('GET', '/Users?count=1');
  expect(first.status).toBe(200);
});

/** The round trips each request kind costs (README: "Round trips to D1"). */
export const EXPECTED_TRIPS = {
  'GET /Users/:id': 1,
  'GET /Groups/:id': 1,
  'GET /Users?filter': 1,
  'GET /Groups': 1,
  'POST /Users': 1,
  'POST /Groups': 1,
  'PUT /Users/:id': 1,
  'PUT /Groups/:id': 1,
  'PATCH /Users/:id': 2,
  'PATCH /Groups/:id': 2,
  'DELETE /Users/:id': 1,
  'DELETE /Groups/:id': 1,
} as const;

describe('one D1 round trip per SCIM request kind', () => {
  it('measures', async () => {
    const f = await fixtures();
    const seen: Record<string, [number, number | undefined, number]> = {};
    const rec = (k: string, r: { status: number; usage: Usage }) => {
      seen[k] = [r.status, r.usage.d1TripsToResponse, r.usage.d1Queries];
    };
    rec('GET /Users/:id', await call('GET', `/Users/${f.userId}`));
    rec('GET /Groups/:id', await call('GET', `/Groups/${f.groupId}`));
    rec('GET /Users?filter', await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${f.userName}"`)}`));
    rec('GET /Groups', await call('GET', '/Groups?count=5'));
    rec('POST /Users', await call('POST', '/Users', user(unique('new'))));
    rec('POST /Groups', await call('POST', '/Groups', group(unique('g'), [f.userId])));
    rec('PUT /Users/:id', await call('PUT', `/Users/${f.userId}`, user(f.userName, { displayName: 'Put' })));
    rec('PUT /Groups/:id', await call('PUT', `/Groups/${f.groupId}`, group(unique('g'), [f.userId])));
    rec('PATCH /Users/:id', await call('PATCH', `/Users/${f.userId}`, patchOf({ op: 'replace', path: 'displayName', value: 'P' })));
    rec('PATCH /Groups/:id', await call('PATCH', `/Groups/${f.groupId}`, patchOf({ op: 'remove', path: `members[value eq "${f.userId}"]` })));
    rec('DELETE /Users/:id', await call('DELETE', `/Users/${f.userId}`));
    rec('DELETE /Groups/:id', await call('DELETE', `/Groups/${f.groupId}`));
    console.log(JSON.stringify(seen, null, 1));
  });
});
