/**
 * A route that takes no query parameters refuses any it is sent, by name, as the routes with a
 * query schema do (validateQuery): `GET /targets?filter=…` must not answer every target as if
 * the filter had applied. The route table says which routes take a query.
 */
import type { MiddlewareHandler } from 'hono';
import { ROUTES, type RouteSpec } from './routes';
import { invalidRequest } from './validate';

/** method + path pattern of each route without a query schema */
const WITHOUT_QUERY: { method: string; pattern: RegExp }[] = (Object.values(ROUTES) as RouteSpec[])
  .filter((spec) => !spec.query)
  .map((spec) => ({ method: spec.method.toUpperCase(), pattern: new RegExp(`^${spec.path.replace(/:[A-Za-z_]\w*/g, '[^/]+')}$`) }));

export function refuseStrayQuery(): MiddlewareHandler {
  return async function refuseStrayQueryMiddleware(c, next) {
    const url = new URL(c.req.url);
    if (url.search.length <= 1) return next();
    const path = url.pathname.replace(/^\/api\/v1/, '') || '/';
    if (!WITHOUT_QUERY.some((r) => r.method === c.req.method && r.pattern.test(path))) return next();
    const names = [...new Set(url.searchParams.keys())];
    const issues = names.map((name) => ({ path: name, message: `Unrecognized query parameter: "${name}"` }));
    return invalidRequest(c, `Invalid query: this route takes no query parameters (${names.join(', ')})`, issues);
  };
}
