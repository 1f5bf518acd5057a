/**
 * SCIM Relay worker: the SCIM 2.0 service provider (/scim/v2), the admin API (/api/v1), the
 * cron entry point and the work queue's consumer.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { apiApp } from './api/app';
import type { Env } from './env';
import { ScimError } from './scim/errors';
import { scimApp } from './scim/app';
import { scimErrorResponse } from './scim/http';
import { dispatch } from './provisioning/dispatcher';
import { type Budget, createBudget, settle, shareOf } from './limits/budget';
import { dispatchAutomaticAfter } from './provisioning/dispatch-after';
import { runDueReconciles } from './provisioning/reconcile';
import { runImports } from './sources/importer';
import { metered } from './limits/meter';
import { parseLimits, type InvocationKind } from './limits/profile';
import { consumeWork } from './queue/consumer';
import { enqueueDueWork } from './queue/due-work';
import { workQueueOf } from './queue/messages';
import { auditRetentionDays, pruneHistory } from './db/retention';
import { type CronWork, cronOrder } from './cron-order';

const app = new Hono<{ Bindings: Env }>();

app.get('/', (c) => c.json({ name: 'SCIM Relay', scim: `${new URL(c.req.url).origin}/scim/v2`, api: `${new URL(c.req.url).origin}/api/v1` }));
// Automatic mode: after a SCIM write has committed, enqueue the automatic targets (work queue bound) or drain them in waitUntil.
app.use('/scim/v2/*', async function dispatchAfterWrite(c, next) {
  await next();
  if (c.req.method !== 'GET' && c.res.status < 300 && !c.req.path.endsWith('/.search')) dispatchAutomaticAfter(c.env, c.executionCtx);
});
app.route('/scim/v2', scimApp);
app.route('/api/v1', apiApp);

app.notFound((c) => {
  const detail = `Nothing at ${c.req.method} ${c.req.path}.`;
  return c.req.path.startsWith('/scim/') ? scimErrorResponse(new ScimError(404, detail)) : c.json({ error: 'not_found', message: detail }, 404);
});

// Expected failures carry their own response; anything else is a bug: a bare 500 and a log line.
app.onError((err, c) => {
  const isScim = c.req.path.startsWith('/scim/');
  if (err instanceof ScimError) return isScim ? scimErrorResponse(err) : c.json({ error: err.scimType ?? 'error', message: err.message }, err.status as 400);
  if (err instanceof HTTPException) return err.getResponse();
  console.error(JSON.stringify({ event: 'unhandled_error', method: c.req.method, path: c.req.path, error: String(err), stack: (err as Error).stack }));
  return isScim ? scimErrorResponse(new ScimError(500, 'Internal server error.')) : c.json({ error: 'internal', message: 'Internal server error.' }, 500);
});

/**
 * With RELAY_ENFORCE_LIMITS=1 (the tests) every invocation runs under the limits harness: it
 * fails the moment it spends more D1 queries, subrequests or connections than the RELAY_LIMITS
 * profile allows, as Cloudflare would. Otherwise it is only counted.
 */
function underLimits<R>(env: Env, kind: InvocationKind, fn: (env: Env) => R): R {
  // Metered always (counting is cheap): the budgets read what the invocation has spent.
  return metered(env, parseLimits(env.RELAY_LIMITS), kind, env.RELAY_ENFORCE_LIMITS === '1', (e) => fn(e));
}

export default {
  fetch: (request, env, ctx) => underLimits(env, 'http', (e) => app.fetch(request, e, ctx)),
  scheduled: (controller, env) => underLimits(env, 'cron', (e) => runCron(e, new Date(controller.scheduledTime))),
  queue: (batch, env) => underLimits(env, 'queue', (e) => consumeWork(batch, e)),
} satisfies ExportedHandler<Env>;

/**
 * Cron Triggers. Each tick first prunes a slice of old history (db/retention.ts). With a work queue bound, due reconcile runs run here and the rest is only
 * enqueued (due-work.ts): sources, due scheduled targets and stuck automatic targets, each
 * consumed in its own invocation. Without one: due source imports run (or continue) first, then
 * due reconcile runs; then scheduled targets whose interval has passed are drained, and whatever
 * the automatic targets left behind (retries, rows beyond the last invocation's budget), in one
 * dispatch that shares the tick's CPU among them all.
 */
async function runCron(env: Env, at: Date): Promise<void> {
  const budget = createBudget(env, 'cron');
  const queue = workQueueOf(env);
  // History past its retention goes a slice at a time: one D1 query per tick (db/retention.ts).
  await pruneHistory(env.DB, new Date(), auditRetentionDays(env.RELAY_AUDIT_RETENTION_DAYS)).catch((err) =>
    console.error(JSON.stringify({ event: 'prune_failed', error: String(err) })),
  );
  if (queue) {
    // Reconcile first: the drift it queues is then enqueued by this same tick.
    await runDueReconciles(env, budget).catch((err) => console.error(JSON.stringify({ event: 'reconcile_failed', error: String(err) })));
    await enqueueDueWork(env, queue, new Date()).catch((err) => console.error(JSON.stringify({ event: 'enqueue_failed', error: String(err) })));
    return;
  }
  /** A part of the tick, within `fraction` of what is left; what it did not spend goes back. */
  const inShare = (fraction: number, failed: string, run: (share: Budget) => Promise<unknown>) => async () => {
    const share = shareOf(budget, fraction);
    const given = share.requests;
    await run(share).catch((err) => console.error(JSON.stringify({ event: failed, error: String(err) })));
    settle(budget, share, given);
  };
  const work: Record<CronWork, () => Promise<void>> = {
    // Imports may spend at most 60% of the tick's subrequests, D1 queries and time, so the outbox always gets a share.
    import: inShare(0.6, 'import_failed', (share) => runImports(env, { budget: share })),
    // Reconcile runs that are due or in progress, with at most a quarter of what is left: they
    // read the target and queue drift, which the dispatches then repair.
    reconcile: inShare(0.25, 'reconcile_failed', (share) => runDueReconciles(env, share)),
    // One dispatch for both modes, so a scheduled target's long sync and the automatic targets
    // share the tick's CPU (dispatcher.ts); each run is isolated there.
    dispatch: async () => {
      await dispatch(env, { mode: ['scheduled', 'automatic'], budget }).catch((err) =>
        console.error(JSON.stringify({ event: 'dispatch_failed', error: String(err) })),
      );
    },
  };
  for (const kind of cronOrder(budget.cpuGiven, at)) await work[kind]();
}
