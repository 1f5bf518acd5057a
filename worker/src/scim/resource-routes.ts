/** /Users and /Groups: the same handlers over two resource types. */
import { Hono, type Context } from 'hono';
import type { Env } from '../env';
import type { AuthVariables } from '../auth/middleware';
import { etagOf } from './codec';
import { isNotModified } from './etag';
import { baseUrlOf, conditions, readJson, scimJson } from './http';
import { listParamsFromBody, listParamsFromQuery } from './list-params';
import { ID_ONLY, parseProjection } from './projection';
import type { ResourceTypeDef } from './schema/types';
import { listPage, listResponse } from './list';
import { allowOnly } from './method-not-allowed';
import { createResource, deleteById, getResource, patchResource, replaceWhole, type ScimContext } from './service';

/** The SCIM routes' context: the principal, and the D1 session their queries run in (app.ts). */
export type ScimApp = { Bindings: Env; Variables: AuthVariables & { db: D1Database } };
type App = ScimApp;

export function resourceRoutes(rt: ResourceTypeDef) {
  const app = new Hono<App>();
  const ctxOf = (c: Context<App>): ScimContext => ({ db: c.var.db, baseUrl: baseUrlOf(c) });
  const projectionOf = (c: { req: { query(name: string): string | undefined } }) =>
    parseProjection(rt, c.req.query('attributes'), c.req.query('excludedAttributes'));

  app.get('/', async (c) =>
    scimJson(
      listResponse(
        await listPage(
          ctxOf(c),
          rt,
          listParamsFromQuery((n) => c.req.query(n)),
        ),
      ),
    ),
  );

  app.post('/.search', async (c) => scimJson(listResponse(await listPage(ctxOf(c), rt, listParamsFromBody(await readJson(c))))));
  // Before the /:id routes, so PUT /Users/.search is a wrong method, not a user named ".search".
  app.all('/.search', allowOnly('POST'));

  app.post('/', async (c) => {
    const w = await createResource(ctxOf(c), rt, await readJson(c), projectionOf(c));
    return scimJson(w.resource, 201, { etag: etagOf(w.version), location: w.location });
  });

  app.get('/:id', async (c) => {
    const w = await getResource(ctxOf(c), rt, c.req.param('id'), projectionOf(c));
    if (isNotModified(c.req.header('if-none-match'), w.version)) return new Response(null, { status: 304, headers: { etag: etagOf(w.version) } });
    return scimJson(w.resource, 200, { etag: etagOf(w.version), location: w.location });
  });

  app.put('/:id', async (c) => {
    const w = await replaceWhole(ctxOf(c), rt, c.req.param('id'), await readJson(c), conditions(c), projectionOf(c));
    return scimJson(w.resource, 200, { etag: etagOf(w.version), location: w.location });
  });

  app.patch('/:id', async (c) => {
    const p = projectionOf(c);
    const body = await readJson(c);
    // Groups answer 204 unless a projection asks for the body (RFC 7644 §3.5.2 allows either):
    // Entra ID and Okta expect 204, and a 50,000-member group is not re-read after each change.
    if (rt.name === 'Group' && !p) {
      const w = await patchResource(ctxOf(c), rt, c.req.param('id'), body, conditions(c), ID_ONLY);
      return new Response(null, { status: 204, headers: { etag: etagOf(w.version), location: w.location } });
    }
    const w = await patchResource(ctxOf(c), rt, c.req.param('id'), body, conditions(c), p);
    return scimJson(w.resource, 200, { etag: etagOf(w.version), location: w.location });
  });

  app.delete('/:id', async (c) => {
    await deleteById(ctxOf(c), rt, c.req.param('id'), conditions(c));
    return new Response(null, { status: 204 });
  });

  app.all('/', allowOnly('GET', 'POST'));
  app.all('/:id', allowOnly('GET', 'PUT', 'PATCH', 'DELETE'));

  return app;
}
