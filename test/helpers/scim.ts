/**
 * Calls the worker under test through its own fetch handler (SELF), the way an IdP would.
 * Storage is a real D1 in workerd, with the migrations applied (test/apply-migrations.ts).
 */
import { SELF } from 'cloudflare:test';

export const BASE = 'http://relay.test/scim/v2';
export const TEST_TOKEN = 'test-bootstrap-token-0123456789abcdef';
export const SCIM_JSON = 'application/scim+json';

export interface ScimResponse {
  status: number;
  headers: Headers;
  /** parsed body, or undefined for an empty body */
  body: any;
  text: string;
}

export interface ScimRequestOptions {
  headers?: Record<string, string>;
  /** send this raw string instead of JSON.stringify(body) */
  raw?: string;
  /** override or drop (null) the Authorization header */
  token?: string | null;
}

export async function scim(method: string, path: string, body?: unknown, opts: ScimRequestOptions = {}): Promise<ScimResponse> {
  const headers: Record<string, string> = { accept: SCIM_JSON, ...opts.headers };
  const token = opts.token === undefined ? TEST_TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (opts.raw !== undefined) payload = opts.raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = SCIM_JSON;
  }
  const res = await SELF.fetch(path.startsWith('http') ? path : `${BASE}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const BULK_REQUEST_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** Create a user and return its body; fails the test on anything but 201. */
export async function createUser(userName: string, extra: Record<string, unknown> = {}): Promise<any> {
  const res = await scim('POST', '/Users', { schemas: [USER_URN], userName, ...extra });
  if (res.status !== 201) throw new Error(`createUser ${userName}: ${res.status} ${res.text}`);
  return res.body;
}

export async function createGroup(displayName: string, extra: Record<string, unknown> = {}): Promise<any> {
  const res = await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName, ...extra });
  if (res.status !== 201) throw new Error(`createGroup ${displayName}: ${res.status} ${res.text}`);
  return res.body;
}

/**
 * Creates these resources through SCIM Bulk the way an IdP does: in requests of at most the
 * `maxOperations` that /ServiceProviderConfig advertises, which follows the limits profile (248
 * on Paid, 10 on Free: scim/bulk-cost.ts). Fails the test on anything but 200 and all 201s;
 * returns the new ids in order.
 */
export async function bulkCreate(path: '/Users' | '/Groups', resources: Record<string, unknown>[]): Promise<string[]> {
  const config = await scim('GET', '/ServiceProviderConfig');
  const size = config.body.bulk.maxOperations as number;
  const ids: string[] = [];
  for (let from = 0; from < resources.length; from += size) {
    const part = resources.slice(from, from + size);
    const res = await scim('POST', '/Bulk', {
      schemas: [BULK_REQUEST_URN],
      Operations: part.map((data, i) => ({ method: 'POST', path, bulkId: `r${i}`, data: { schemas: [path === '/Users' ? USER_URN : GROUP_URN], ...data } })),
    });
    const statuses: string[] = res.body?.Operations?.map((o: { status: string }) => o.status) ?? [];
    if (res.status !== 200 || statuses.length !== part.length || statuses.some((s) => s !== '201'))
      throw new Error(`bulkCreate ${path}: ${res.status} ${res.text.slice(0, 300)}`);
    ids.push(...res.body.Operations.map((o: { location: string }) => o.location.split('/').pop()!));
  }
  return ids;
}
