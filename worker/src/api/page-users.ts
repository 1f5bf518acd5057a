/**
 * POST /api/v1/users: creates or updates a directory user from what an admin page shows (the
 * extension's popup, for a site that is neither a source nor a target). SCIM validation errors
 * come back in the admin API's format, with the key path of the offending attribute.
 */
import { Hono } from 'hono';
import { lookupUsers } from '../db/directory-views';
import { ScimError } from '../scim/errors';
import { baseUrlOf } from '../scim/http';
import { upsertPageUser } from '../scim/upsert-page-user';
import { dispatchAutomaticAfter } from '../provisioning/dispatch-after';
import { ROUTES } from './routes';
import type { ApiEnv } from './types';
import { conflict, invalidRequest, validateJson } from './validate';

export const pageUsersApp = new Hono<ApiEnv>();

pageUsersApp.post(ROUTES.upsertUser.path, validateJson(ROUTES.upsertUser.body), async (c) => {
  let result;
  try {
    result = await upsertPageUser({ db: c.env.DB, baseUrl: baseUrlOf(c) }, c.req.valid('json'));
  } catch (err) {
    if (!(err instanceof ScimError)) throw err;
    if (err.status === 409 || err.status === 412) return conflict(c, err.message);
    return invalidRequest(c, err.message, [{ path: '', message: err.message }]);
  }
  // Provisioned like a SCIM write: the automatic targets run after the response.
  if (result.outcome !== 'unchanged') dispatchAutomaticAfter(c.env, c.executionCtx);
  const { found } = await lookupUsers(c.env.DB, { ids: [result.id] });
  const { links: _, ...user } = found.ids.get(result.id)!;
  return c.json({ outcome: result.outcome, user });
});
