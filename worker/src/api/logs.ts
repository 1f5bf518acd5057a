/** /api/v1/runs and /api/v1/audit: what the dispatcher did, newest first, paged by keyset. */
import { Hono } from 'hono';
import { listAudit, listRuns, type AuditRow, type RunRow } from '../db/provisioning-queries';
import { ROUTES } from './routes';
import type { AuditEventView, Run } from '../../../shared/src/api';
import type { ApiEnv } from './types';
import { validateQuery } from './validate';

export const logsApp = new Hono<ApiEnv>();

// Both JSON columns are written by the dispatcher from typed values: past that edge, trusted.
export const toRun = (r: RunRow): Run => ({ ...r, counts: JSON.parse(r.counts) as Record<string, number> });

export const toAuditEvent = (e: AuditRow): AuditEventView => ({
  ...e,
  attributesChanged: e.attributesChanged === null ? null : (JSON.parse(e.attributesChanged) as string[]),
});

logsApp.get(ROUTES.listRuns.path, validateQuery(ROUTES.listRuns.query), async (c) => {
  const page = await listRuns(c.env.DB, c.req.valid('query'));
  return c.json({ items: page.items.map(toRun), nextCursor: page.nextCursor });
});

logsApp.get(ROUTES.listAudit.path, validateQuery(ROUTES.listAudit.query), async (c) => {
  const page = await listAudit(c.env.DB, c.req.valid('query'));
  return c.json({ items: page.items.map(toAuditEvent), nextCursor: page.nextCursor });
});
