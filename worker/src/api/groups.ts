/**
 * GET /api/v1/groups: the directory's groups for the console's scope editor (issue #13), which
 * scopes a target to "members of groups" by group id.
 */
import { Hono } from 'hono';
import { searchGroups } from '../db/group-search';
import { ROUTES } from './routes';
import type { ApiEnv } from './types';
import { validateQuery } from './validate';

export const groupsApp = new Hono<ApiEnv>();

groupsApp.get(ROUTES.searchGroups.path, validateQuery(ROUTES.searchGroups.query), async (c) =>
  c.json({ items: await searchGroups(c.env.DB, c.req.valid('query')) }),
);
