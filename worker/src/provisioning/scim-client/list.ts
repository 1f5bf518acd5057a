/**
 * Listing a SCIM target's resources page by page (RFC 7644 §3.4.2.4, index-based paging), for
 * reconcile: it reads what the target holds instead of asking about one account at a time. Only
 * the attributes the caller names are asked for (`attributes`, §3.4.2.5), so a page of 1,000
 * users stays small. Kept beside the client, not in it: the engine's writes never list.
 */
import { readAs, readResource } from './readers';
import { listResponseSchema, type ScimResource } from './schemas';
import { createTransport, type ScimConnection } from './transport';
import type { ClientHooks, Result } from './types';

export interface ScimListPage {
  resources: ScimResource[];
  /** the target's total for the query, when it says */
  totalResults: number | undefined;
}

export interface ScimListQuery {
  /** 1-based (RFC 7644 §3.4.2.4) */
  startIndex: number;
  count: number;
  /** attribute names to return (id is always returned) */
  attributes?: readonly string[];
}

export interface ScimLister {
  list(type: 'Users' | 'Groups', query: ScimListQuery): Promise<Result<ScimListPage>>;
  /** one resource by id: a `not_found` failure confirms it is gone */
  get(type: 'Users' | 'Groups', id: string): Promise<Result<ScimResource>>;
}

export function createScimLister(conn: ScimConnection, hooks: ClientHooks = {}): ScimLister {
  const send = createTransport(conn, hooks);
  const readPage = readAs(listResponseSchema, 'ListResponse');
  return {
    async list(type, q) {
      const params = new URLSearchParams({ startIndex: String(q.startIndex), count: String(q.count) });
      if (q.attributes?.length) params.set('attributes', q.attributes.join(','));
      const res = await send('GET', `/${type}?${params.toString()}`, readPage);
      if (!res.ok) return res;
      return { ...res, value: { resources: (res.value.Resources ?? []) as ScimResource[], totalResults: res.value.totalResults } };
    },
    get: (type, id) => send('GET', `/${type}/${encodeURIComponent(id)}`, readResource),
  };
}
