/**
 * /api/v1/outbox: the provisioning queue as an admin sees it. Retry makes failed and dead rows
 * due now with a fresh attempt budget; approve releases deletions held by the deletion threshold;
 * dead letters are the work-queue messages the consumer gave up on (README "Queues").
 */
import { Hono, type Context } from 'hono';
import { approveHeldRows, listAudit, listOutbox, retryOutboxRows, selectOutboxItem, type OutboxItemRow } from '../db/provisioning-queries';
import { dispatchTargetNow } from '../provisioning/dispatch-after';
import { getTarget } from '../provisioning/targets';
import { DEAD_LETTER_OPERATION } from '../queue/dead-letters';
import { toAuditEvent } from './logs';
import { ROUTES } from './routes';
import type { ApiEnv } from './types';
import { conflict, notFound, validateJson, validateQuery } from './validate';

export const outboxApp = new Hono<ApiEnv>();

const ROW = 'The outbox row';
const nowIso = () => new Date().toISOString();

/** Outbox ids are integers; anything else names no row. */
const rowId = (raw: string) => (/^\d{1,15}$/.test(raw) ? Number(raw) : null);

outboxApp.get(ROUTES.listOutbox.path, validateQuery(ROUTES.listOutbox.query), async (c) => c.json(await listOutbox(c.env.DB, c.req.valid('query'))));

outboxApp.get(ROUTES.listDeadLetters.path, validateQuery(ROUTES.listDeadLetters.query), async (c) => {
  const page = await listAudit(c.env.DB, { ...c.req.valid('query'), operation: DEAD_LETTER_OPERATION });
  return c.json({ items: page.items.map(toAuditEvent), nextCursor: page.nextCursor });
});

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
  // The approved row goes out now, in the background of this request, not at the next cron.
  const target = rows[0] ? await getTarget(c.env, rows[0].targetId) : null;
  if (target) dispatchTargetNow(c.env, c.executionCtx, target);
  return changedOrWhy(c, id, rows, 'only held rows can be approved');
});
