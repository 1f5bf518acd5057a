/** Lists and searches (RFC 7644 §3.4.2, §3.4.3) with index or cursor paging (RFC 9865). */
import { listResources } from '../directory/reads';
import { decodeCursor, encodeCursor, queryFingerprint } from './cursor';
import { compileSort } from './filter/sort-to-sql';
import { compileFilter } from './filter/to-sql';
import type { ListParams } from './list-params';
import { parseProjection, wants } from './projection';
import type { JsonObject } from './schema/normalize';
import type { ResourceTypeDef } from './schema/types';
import { render, type ScimContext } from './service';

export const LIST_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ListPage {
  totalResults: number;
  resources: JsonObject[];
  startIndex?: number;
  nextCursor?: string;
}

export async function listPage(ctx: ScimContext, rt: ResourceTypeDef, params: ListParams): Promise<ListPage> {
  const where = params.filter ? compileFilter(rt, params.filter) : { sql: '1', params: [] };
  const orderBy = compileSort(rt, params.sortBy, params.descending);
  const p = parseProjection(rt, params.attributes, params.excludedAttributes);
  const withMembers = rt.name === 'Group' && wants(p, 'members');
  if (params.cursor === undefined) {
    const { rows, total } = await listResources(ctx.db, rt.name, {
      where,
      orderBy,
      limit: params.count,
      offset: params.startIndex - 1,
      withTotal: true,
      withMembers,
    });
    return { totalResults: total, resources: await render(ctx, rt, rows, p), startIndex: params.startIndex };
  }
  const fingerprint = queryFingerprint(rt.name, params.filterText, params.sortByText, String(params.descending));
  const state = decodeCursor(params.cursor, fingerprint);
  const keyset = !params.sortBy;
  const after = keyset && state?.k !== undefined ? { sql: `${rt.table}.pk ${params.descending ? '<' : '>'} ?`, params: [state.k] } : undefined;
  const offset = keyset ? 0 : (state?.o ?? 0);
  const { rows, total } = await listResources(ctx.db, rt.name, {
    where,
    orderBy,
    limit: params.count + 1,
    offset,
    withTotal: true,
    withMembers,
    ...(after ? { after } : {}),
  });
  const page = rows.slice(0, params.count);
  const more = rows.length > params.count && page.length > 0;
  const nextCursor = more ? encodeCursor(keyset ? { k: page[page.length - 1]!.pk, h: fingerprint } : { o: offset + page.length, h: fingerprint }) : undefined;
  return { totalResults: total, resources: await render(ctx, rt, page, p), ...(nextCursor ? { nextCursor } : {}) };
}

export function listResponse(page: ListPage): JsonObject {
  return {
    schemas: [LIST_RESPONSE_URN],
    totalResults: page.totalResults,
    itemsPerPage: page.resources.length,
    ...(page.startIndex !== undefined ? { startIndex: page.startIndex } : {}),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    Resources: page.resources,
  };
}
