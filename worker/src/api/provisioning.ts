/**
 * /api/v1 provisioning actions: provision a user now (manual mode, with a step trace per
 * target), save-and-test a target, preview its payload for a user, plan and run its queue.
 */
import { Hono } from 'hono';
import { loadResource } from '../directory/reads';
import { createBudget } from '../limits/budget';
import { dispatch } from '../provisioning/dispatcher';
import { provisionUser } from '../provisioning/manual';
import { MappingError, mappingProblems } from '../provisioning/mapping';
import { planTarget } from '../provisioning/plan';
import { previewPageUser, previewPayload } from '../provisioning/preview';
import { sitePayload } from '../provisioning/site-payload';
import { testTarget } from '../provisioning/test-target';
import { dispatchTargetNow } from '../provisioning/dispatch-after';
import { enqueueWork, targetMessage, workQueueOf } from '../queue/messages';
import { catchUp } from '../provisioning/planner';
import { syncProgress } from '../provisioning/sync-progress';
import { getTarget, listTargets, startSync } from '../provisioning/targets';
import { ROUTES } from './routes';
import type { ApiEnv } from './types';
import { invalidRequest, notFound, validateJson, validateQuery } from './validate';

export const provisioningApp = new Hono<ApiEnv>();

provisioningApp.post(ROUTES.provisionUser.path, validateJson(ROUTES.provisionUser.body), async (c) => {
  const id = c.req.param('id');
  const { targetIds } = c.req.valid('json');
  if (targetIds) {
    const known = new Set((await listTargets(c.env)).map((t) => t.id));
    const missing = targetIds.filter((t) => !known.has(t));
    if (missing.length > 0)
      return invalidRequest(
        c,
        `Unknown target(s): ${missing.join(', ')}`,
        missing.map((m) => ({ path: `targetIds.${targetIds.indexOf(m)}`, message: 'no such target' })),
      );
  }
  const user = await loadResource(c.env.DB, 'User', id);
  if (!user) return notFound(c, 'The user');
  return c.json({ userId: id, results: await provisionUser(c.env, id, targetIds) });
});

provisioningApp.post(ROUTES.testTarget.path, validateJson(ROUTES.testTarget.body), async (c) => {
  const result = await testTarget(c.env, c.req.param('id'), c.req.valid('json').existingUserName);
  return result ? c.json(result) : notFound(c, 'The target');
});

provisioningApp.post(ROUTES.previewTarget.path, validateJson(ROUTES.previewTarget.body), async (c) => {
  const saved = await getTarget(c.env, c.req.param('id'));
  if (!saved) return notFound(c, 'The target');
  const { userId, user, phase, mapping } = c.req.valid('json');
  const target = mapping ? { ...saved, mapping } : saved;
  // An edited mapping is checked like a saved one, so the editor can point at the rule.
  const issues = (mapping ?? []).flatMap((rule, i) => mappingProblems([rule]).map((message) => ({ path: `mapping.${i}`, message })));
  if (issues.length > 0) return invalidRequest(c, `The mapping cannot be applied: ${issues[0]!.message}`, issues);
  try {
    const preview = user ? previewPageUser(target, user, phase) : await previewPayload(c.env, target, userId!, phase);
    return preview
      ? c.json({ payload: preview.payload, cleared: preview.cleared, site: sitePayload(target, preview.payload, phase) })
      : notFound(c, 'The user');
  } catch (err) {
    if (err instanceof MappingError) return invalidRequest(c, `The mapping cannot be applied: ${err.message}`, [{ path: 'mapping', message: err.message }]);
    throw err;
  }
});

provisioningApp.get(ROUTES.planTarget.path, validateQuery(ROUTES.planTarget.query), async (c) => {
  const target = await getTarget(c.env, c.req.param('id'));
  if (!target) return notFound(c, 'The target');
  const { mode } = c.req.valid('query');
  // The next run starts by reading the change feed and any full pass into the outbox: so does
  // the plan (it writes work, never sends it), or a new target's initial sync would not show.
  // Planning moves only the watermark and the pass's cursor, which deciding does not read.
  if (target.status === 'active' && target.modes[mode].enabled) await catchUp(c.env.DB, target, new Date());
  return c.json({ targetId: target.id, mode, operations: await planTarget(c.env, target, mode) });
});

/** "Run now": drains the target's queue in this request, whatever its schedule; the work queue (if bound) goes on with what is left. */
provisioningApp.post(ROUTES.runTarget.path, validateJson(ROUTES.runTarget.body), async (c) => {
  const target = await getTarget(c.env, c.req.param('id'));
  if (!target) return notFound(c, 'The target');
  const { mode } = c.req.valid('json');
  const [run] = await dispatch(c.env, { mode, targetIds: [target.id], force: true, budget: createBudget(c.env, 'http') });
  const queue = workQueueOf(c.env);
  if (queue && run && (!run.drained || run.caughtUp === false))
    c.executionCtx.waitUntil(
      enqueueWork(queue, [targetMessage(target.id, mode, true)]).catch((err) =>
        console.error(JSON.stringify({ event: 'enqueue_failed', targetId: target.id, error: String(err) })),
      ),
    );
  return c.json(run ?? { runId: null, targetId: target.id, counts: {}, drained: true });
});

provisioningApp.get(ROUTES.getTargetSync.path, async (c) => {
  const target = await getTarget(c.env, c.req.param('id'));
  return target ? c.json(await syncProgress(c.env.DB, target, new Date())) : notFound(c, 'The target');
});

/** "Sync all": starts a full pass and runs the target at once where a mode is on. */
provisioningApp.post(ROUTES.syncTarget.path, async (c) => {
  const target = await startSync(c.env, c.req.param('id'), 'on_demand');
  if (!target) return notFound(c, 'The target');
  dispatchTargetNow(c.env, c.executionCtx, target);
  return c.json(await syncProgress(c.env.DB, target, new Date()));
});
