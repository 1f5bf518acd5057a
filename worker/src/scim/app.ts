/** The SCIM 2.0 service provider mounted at /scim/v2. */
import { Hono, type Context } from 'hono';
import { requireScope } from '../auth/middleware';
import { BOOKMARK_HEADER, openSession } from '../db/d1-session';
import { FULL_RETRY_AFTER, refusalWhenFull } from '../limits/d1-size';
import { parseLimits } from '../limits/profile';
import { runBulk } from './bulk';
import { discoveryRoutes } from './discovery';
import { ScimError } from './errors';
import { baseUrlOf, readJson, scimErrorResponse, scimJson } from './http';
import { listParamsFromBody } from './list-params';
import { allowOnly, meNotImplemented } from './method-not-allowed';
import { resourceRoutes, type ScimApp } from './resource-routes';
import { RESOURCE_TYPES, groupResourceType, userResourceType } from './schema/registry';
import { listPage, listResponse, type ListPage } from './list';

const renderAuthFailure = (_c: Context, f: { status: 401 | 403; detail: string }) =>
  scimErrorResponse(new ScimError(f.status, f.detail), f.status === 401 ? { 'www-authenticate': 'Bearer realm="scim"' } : {});

/**
 * Reads need scim:read; everything else needs scim:write. A search is a read only when it is a
 * POST: PUT or DELETE on /Users/.search with a read token is 403, never a handler's business.
 */
const isRead = (c: Context) => c.req.method === 'GET' || c.req.method === 'HEAD' || (c.req.method === 'POST' && c.req.path.endsWith('/.search'));
const scopeFor = (c: Context) => (isRead(c) ? 'scim:read' : 'scim:write');

export const scimApp = new Hono<ScimApp>();

// Discovery documents hold no directory data; IdPs read them before they are configured.
scimApp.route('/', discoveryRoutes);

scimApp.use('*', requireScope(scopeFor, renderAuthFailure));

// A nearly full database refuses what would grow it, in words, before D1 refuses a write at
// random (limits/d1-size.ts); deletes go through, they are how an admin makes room.
scimApp.use('*', async function refuseWritesWhenFull(c, next) {
  if (!isRead(c) && c.req.method !== 'DELETE') {
    const refused = refusalWhenFull(c.env.RELAY_LIMITS);
    if (refused) throw new ScimError(507, refused, undefined, { 'retry-after': FULL_RETRY_AFTER });
  }
  await next();
});

/**
 * Directory queries run in a D1 session (read replication) and the response carries its bookmark.
 * Writes, and reads unless RELAY_D1_READS is "replica", start at the primary: an IdP does not
 * send bookmarks back, and must read what it has just written. A client that does send the
 * bookmark reads its own writes from any replica. The token check stays on the binding (the
 * primary), so a token created a moment ago is never refused by a lagging replica.
 */
scimApp.use('*', async function d1Session(c, next) {
  const start = c.env.RELAY_D1_READS === 'replica' && isRead(c) ? 'first-unconstrained' : 'first-primary';
  const session = openSession(c.env.DB, c.req.header(BOOKMARK_HEADER), start);
  c.set('db', session.db);
  await next();
  const bookmark = session.bookmark();
  if (bookmark) c.res.headers.set(BOOKMARK_HEADER, bookmark);
});

scimApp.route('/Users', resourceRoutes(userResourceType));
scimApp.route('/Groups', resourceRoutes(groupResourceType));

scimApp.post('/Bulk', async (c) => scimJson(await runBulk({ db: c.var.db, baseUrl: baseUrlOf(c) }, await readJson(c), parseLimits(c.env.RELAY_LIMITS))));
scimApp.all('/Bulk', allowOnly('POST'));
scimApp.all('/Me', meNotImplemented);
scimApp.all('/Me/*', meNotImplemented);

/**
 * Root search (RFC 7644 §3.4.3) across Users then Groups. A filter naming an attribute one type
 * lacks simply matches nothing there; one that no type understands is invalidFilter.
 */
scimApp.post('/.search', async (c) => {
  const params = listParamsFromBody(await readJson(c));
  if (params.cursor !== undefined) throw new ScimError(400, 'Cursor paging is offered per resource type (/Users/.search, /Groups/.search).', 'invalidValue');
  const ctx = { db: c.var.db, baseUrl: baseUrlOf(c) };
  const pages: ListPage[] = [];
  let lastError: ScimError | undefined;
  let skipped = params.startIndex - 1;
  let room = params.count;
  for (const rt of RESOURCE_TYPES) {
    try {
      const head = await listPage(ctx, rt, { ...params, startIndex: 1, count: 0 });
      const start = Math.min(skipped, head.totalResults);
      skipped -= start;
      const page = room > 0 && start < head.totalResults ? await listPage(ctx, rt, { ...params, startIndex: start + 1, count: room }) : head;
      room -= page.resources.length;
      pages.push({ ...page, resources: page === head ? [] : page.resources });
    } catch (err) {
      if (!(err instanceof ScimError) || err.scimType !== 'invalidFilter') throw err;
      lastError = err;
    }
  }
  if (pages.length === 0 && lastError) throw lastError;
  return scimJson(
    listResponse({
      totalResults: pages.reduce((n, p) => n + p.totalResults, 0),
      resources: pages.flatMap((p) => p.resources),
      startIndex: params.startIndex,
    }),
  );
});
scimApp.all('/.search', allowOnly('POST'));
