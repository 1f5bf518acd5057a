/**
 * The admin API (/api/v1): JSON in and out, an admin-scoped bearer token on every route, zod
 * validation whose errors name the failing key paths. The route table (routes.ts) is shared by
 * the sub-apps and the OpenAPI document at /api/v1/openapi.json.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requireScope } from '../auth/middleware';
import { SecretsUnavailable, SecretUnreadable } from '../auth/secrets';
import { databaseFill, measureDatabase } from '../limits/d1-size';
import { parseLimits } from '../limits/profile';
import { logsApp } from './logs';
import { groupsApp } from './groups';
import { buildOpenApiDocument } from './openapi';
import { outboxApp } from './outbox';
import { pageUsersApp } from './page-users';
import { provisioningApp } from './provisioning';
import { reconcileApp } from './reconcile';
import { refuseStrayQuery } from './refuse-stray-query';
import { ROUTES } from './routes';
import { sourcesApp } from './sources';
import { targetsApp } from './targets';
import { tokensApp } from './tokens';
import type { ApiEnv } from './types';
import { usersApp } from './users';

export const apiApp = new Hono<ApiEnv>();

/** No admin request comes near this (500 lookup keys, 200 mapping rules are tens of kilobytes). */
export const MAX_BODY_BYTES = 1024 * 1024;

apiApp.use(
  '*',
  requireScope('admin', (c, f) => c.json({ error: f.status === 401 ? 'unauthorized' : 'forbidden', message: f.detail }, f.status)),
);

// Checked after the token (a stranger's body is not read at all) and before anything parses the
// body: by Content-Length when there is one, else while a chunked body is read, which stops at
// the limit, so an oversized body is neither buffered whole nor parsed.
apiApp.use(
  '*',
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: 'payload_too_large', message: `The request body is larger than ${MAX_BODY_BYTES} bytes (1 MB).` }, 413),
  }),
);

apiApp.use('*', refuseStrayQuery());

/** A trivial authenticated route: the benchmarks' baseline, and the extension's connection check. */
apiApp.get(ROUTES.ping.path, (c) => c.json({ ok: true, token: c.get('principal').name }));

apiApp.get(ROUTES.health.path, async (c) => {
  const limits = parseLimits(c.env.RELAY_LIMITS);
  return c.json({ limits: limits.name, database: databaseFill(limits, await measureDatabase(c.env.DB)) });
});

apiApp.get(ROUTES.openapi.path, (c) => c.json(buildOpenApiDocument(`${new URL(c.req.url).origin}/api/v1`)));

// Each sub-app registers full paths from the route table, so they mount at the root.
apiApp.route('/', targetsApp);
apiApp.route('/', outboxApp);
apiApp.route('/', logsApp);
apiApp.route('/', usersApp);
apiApp.route('/', groupsApp);
apiApp.route('/', provisioningApp);
apiApp.route('/', reconcileApp);
apiApp.route('/', pageUsersApp);
apiApp.route('/', tokensApp);
apiApp.route('/', sourcesApp);

// A missing RELAY_ENCRYPTION_KEY is a deployment problem the admin can fix: say so. So is one
// row's credential that no longer opens (the key rotated, the value copied from another row):
// the row is in a state the admin must repair by entering it again, hence 409. Anything else
// goes on to the worker's handler (a bare 500 and a log line).
apiApp.onError((err, c) => {
  if (err instanceof SecretsUnavailable) return c.json({ error: 'secrets_unavailable', message: err.message }, 503);
  if (err instanceof SecretUnreadable) return c.json({ error: 'secret_unreadable', message: err.message }, 409);
  throw err;
});
