/**
 * /api/v1/outbox: the provisioning queue as an admin sees it. Retry makes failed and dead rows
 * due now with a fresh attempt budget; approve releases deletions held by the deletion threshold.
 */
import { Hono, type Context } from 'hono';
import { approveHeldRows, listOutbox, retryOutboxRows, selectOutboxItem, type OutboxItemRow } from '../db/provisioning-queries';
import { ROUTES } from './routes';
import type { ApiEnv } from './types';
import { conflict, notFound, validateJson, validateQuery } from './validate';

export const outboxApp = new Hono<ApiEnv>();

const ROW = 'The outbox row';
const nowIso = () => new Date().toISOString();

/** Outbox ids are integers; anything else names no row. */
const rowId = (raw: string) => (/^\d{1,15}$/.test(raw) ? Number(raw) : null);

outboxApp.get(ROUTES.listOutbox.path, validateQuery(ROUTES.listOutbox.query), async (c) => c.json(await listOutbox(c.env.DB, c.req.valid('query'))));

outboxApp.post(ROUTES.retryOutbox.path, validateJson(ROUTES.retryOutbox.body), async (c) => {
  const { targetId, state } = c.req.valid('json');
  const rows = await retryOutboxRows(c.env.DB, { targetId, states: state ? [state] : ['failed', 'dead'] }, nowIso());
  return c.json({ count: rows.length });
});

/** Answers with the changed row, or says why nothing changed: no such row, or a state the action does not apply to. */
async function changedOrWhy(c: Context<ApiEnv>, id: number, rows: OutboxItemRow[], action: string) {
  if (rows[0]) return c.json(rows[0]);
  const row = await selectOutboxItem(c.env.DB, id);
  return row ? conflict(c, `The outbox row is ${row.state}: ${action}.`) : notFound(c, ROW);
}

outboxApp.post(ROUTES.retryOutboxItem.path, validateJson(ROUTES.retryOutboxItem.body), async (c) => {
  const id = rowId(c.req.param('id'));
  if (id === null) return notFound(c, ROW);
  const rows = await retryOutboxRows(c.env.DB, { id, states: ['failed', 'dead', 'pending'] }, nowIso());
  return changedOrWhy(c, id, rows, 'only failed, dead or waiting rows can be retried (held rows need approval)');
});

outboxApp.post(ROUTES.approveOutboxItem.path, validateJson(ROUTES.approveOutboxItem.body), async (c) => {
  const id = rowId(c.req.param('id'));
  if (id === null) return notFound(c, ROW);
  const rows = await approveHeldRows(c.env.DB, { id }, nowIso());
  return changedOrWhy(c, id, rows, 'only held rows can be approved');
});
