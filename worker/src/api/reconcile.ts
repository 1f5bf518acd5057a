/**
 * /api/v1/targets/{id}/reconcile: start (or continue) a reconcile run within this request's
 * budget — the cron continues a run that needs more — and read its progress and last report;
 * /reconcile/schedule sets how often the cron starts one.
 */
import { Hono } from 'hono';
import { createBudget } from '../limits/budget';
import { reconcileStatus, reconcileTarget, setReconcileSchedule } from '../provisioning/reconcile';
import { getTarget } from '../provisioning/targets';
import { ROUTES } from './routes';
import type { ApiEnv } from './types';
import { conflict, notFound, validateJson } from './validate';

export const reconcileApp = new Hono<ApiEnv>();

const TARGET = 'The target';

reconcileApp.post(ROUTES.startReconcile.path, validateJson(ROUTES.startReconcile.body), async (c) => {
  const id = c.req.param('id');
  const target = await getTarget(c.env, id);
  if (!target) return notFound(c, TARGET);
  // A paused target is not read: what it refused may be the very credentials reconcile would use.
  if (target.status === 'paused') return conflict(c, `The target is paused${target.pausedReason ? `: ${target.pausedReason}` : ''}. Resume it first.`);
  await reconcileTarget(c.env, id, { trigger: 'manual', restart: c.req.valid('json').restart, budget: createBudget(c.env, 'http') });
  const status = await reconcileStatus(c.env, id);
  return status ? c.json(status) : notFound(c, TARGET);
});

reconcileApp.get(ROUTES.getReconcile.path, async (c) => {
  const status = await reconcileStatus(c.env, c.req.param('id'));
  return status ? c.json(status) : notFound(c, TARGET);
});

reconcileApp.put(ROUTES.putReconcileSchedule.path, validateJson(ROUTES.putReconcileSchedule.body), async (c) => {
  const status = await setReconcileSchedule(c.env, c.req.param('id'), c.req.valid('json').intervalMinutes);
  return status ? c.json(status) : notFound(c, TARGET);
});
