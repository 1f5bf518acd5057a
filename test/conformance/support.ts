/**
 * Small helpers shared by the conformance and vendor suites. They wrap test/helpers/scim.ts;
 * nothing here knows how the worker is built — only what RFC 7643 / 7644 / 9865 say.
 */
import { expect } from 'vitest';
import { ERROR_URN, LIST_URN, SCIM_JSON, USER_URN, scim, type ScimResponse } from '../helpers/scim';

/** A short random tag; every test builds its userNames / displayNames from one, so tests never collide. */
export function tag(prefix = 't'): string {
  return `${prefix}${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

/** `?a=1&b=2`, each value URI-encoded; `true` gives a bare key (`?cursor`), undefined is skipped. */
export function qs(params: Record<string, string | number | boolean | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === false) continue;
    parts.push(v === true ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** RFC 7644 §3.12: an error is a SCIM Error message whose `status` is the HTTP status as a string. */
export function expectScimError(res: ScimResponse, status: number, scimType?: string | string[]): void {
  expect(res.status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`).toBe(status);
  expect(res.body, `error body is not JSON: ${res.text.slice(0, 200)}`).toBeTypeOf('object');
  expect(res.body.schemas).toContain(ERROR_URN);
  expect(res.body.status).toBe(String(status));
  if (scimType !== undefined) {
    const allowed = Array.isArray(scimType) ? scimType : [scimType];
    expect(allowed, `scimType was ${JSON.stringify(res.body.scimType)}: ${res.text.slice(0, 300)}`).toContain(res.body.scimType);
  }
}

export function expectStatus(res: ScimResponse, status: number): void {
  expect(res.status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`).toBe(status);
}

/** RFC 7644 §3.1 / §8.1: SCIM responses use the media type application/scim+json. */
export function expectScimContentType(res: ScimResponse): void {
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/scim\+json/i);
}

/** RFC 7644 §3.4.2: a query response is a ListResponse with integer totalResults. */
export function expectList(res: ScimResponse): any[] {
  expectStatus(res, 200);
  expect(res.body.schemas).toContain(LIST_URN);
  expect(Number.isInteger(res.body.totalResults)).toBe(true);
  return (res.body.Resources ?? []) as any[];
}

/** GET /Users with a filter (and other query params); returns the ListResponse's Resources. */
export async function findUsers(filter: string, extra: Record<string, string | number | boolean | undefined> = {}): Promise<any[]> {
  return expectList(await scim('GET', `/Users${qs({ filter, ...extra })}`));
}

export async function getUser(id: string, query = ''): Promise<any> {
  const res = await scim('GET', `/Users/${id}${query}`);
  expectStatus(res, 200);
  return res.body;
}

export async function getGroup(id: string, query = ''): Promise<any> {
  const res = await scim('GET', `/Groups/${id}${query}`);
  expectStatus(res, 200);
  return res.body;
}

export function patchBody(...Operations: unknown[]): Record<string, unknown> {
  return { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations };
}

let spcCache: any;
/** /ServiceProviderConfig, read once per file: limits are taken from it rather than hard-coded. */
export async function serviceProviderConfig(): Promise<any> {
  if (!spcCache) {
    const res = await scim('GET', '/ServiceProviderConfig');
    expectStatus(res, 200);
    spcCache = res.body;
  }
  return spcCache;
}

/** The page-size limits: RFC 9865 `pagination` where advertised, else the design defaults (100 / 1000). */
export async function pageSizes(): Promise<{ defaultPageSize: number; maxPageSize: number }> {
  const spc = await serviceProviderConfig();
  return {
    defaultPageSize: spc.pagination?.defaultPageSize ?? 100,
    maxPageSize: spc.pagination?.maxPageSize ?? spc.filter?.maxResults ?? 1000,
  };
}

/** Create many users with limited concurrency. */
export async function createUsers(userNames: string[], extra: (n: string, i: number) => Record<string, unknown> = () => ({})): Promise<any[]> {
  const out: any[] = new Array(userNames.length);
  const width = 10;
  for (let i = 0; i < userNames.length; i += width) {
    await Promise.all(
      userNames.slice(i, i + width).map(async (userName, j) => {
        const res = await scim('POST', '/Users', { schemas: [USER_URN], userName, ...extra(userName, i + j) });
        if (res.status !== 201) throw new Error(`create ${userName}: ${res.status} ${res.text}`);
        out[i + j] = res.body;
      }),
    );
  }
  return out;
}

export function ids(resources: any[]): string[] {
  return resources.map((r) => r.id).sort();
}

/** The stored representation without the volatile parts, for "did not change" assertions. */
export function snapshot(resource: any): string {
  return JSON.stringify(resource);
}

export { SCIM_JSON };
