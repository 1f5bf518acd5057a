/**
 * Automatic mode: once a directory change has committed (its outbox rows were written in the
 * same batch), the automatic targets are run. With a work queue bound (README "Queues") each of
 * them gets one message — the consumer drains it in its own invocation, with its own limits —
 * so the write's invocation spends one D1 read (cached 30 s) and one send. Without one they are
 * drained after the response, inside the write's `waitUntil`; the next cron picks up leftovers.
 * One place for every caller (SCIM writes, imports, the admin API), so they cannot drift apart.
 */
import type { Target } from '../../../shared/src/targets';
import type { Env } from '../env';
import { enqueueWork, targetMessage, workQueueOf } from '../queue/messages';
import { type Budget, createBudget } from '../limits/budget';
import { dispatch } from './dispatcher';
import { automaticTargetIds } from './targets';

type WaitUntil = { waitUntil(p: Promise<unknown>): void };

export function dispatchAutomaticAfter(env: Env, ctx: WaitUntil, budget?: Budget): void {
  const queue = workQueueOf(env);
  const run = async () => {
    const ids = await automaticTargetIds(env);
    if (ids.length === 0) return;
    if (queue)
      await enqueueWork(
        queue,
        ids.map((id) => targetMessage(id, 'automatic')),
      );
    // After the response: waitUntil's time, and the queries and CPU the request left (limits/budget.ts).
    else await dispatch(env, { mode: 'automatic', budget: budget ?? createBudget(env, 'waitUntil') });
  };
  ctx.waitUntil(run().catch((err) => console.error(JSON.stringify({ event: 'automatic_dispatch_failed', error: String(err) }))));
}

/**
 * An admin's action that releases work now (approving held deletions, resuming, "Sync all") runs
 * the target in the background of the same request instead of waiting for the next cron: in its
 * automatic mode when that is on, else its scheduled mode, whatever the interval. With a work
 * queue it is enqueued instead, marked to run whatever the interval.
 */
export function dispatchTargetNow(env: Env, ctx: WaitUntil, target: Pick<Target, 'id' | 'status' | 'modes'>): void {
  if (target.status !== 'active') return;
  const mode = target.modes.automatic.enabled ? 'automatic' : target.modes.scheduled.enabled ? 'scheduled' : null;
  if (!mode) return;
  const queue = workQueueOf(env);
  const run = queue
    ? enqueueWork(queue, [targetMessage(target.id, mode, true)])
    : dispatch(env, { mode, targetIds: [target.id], force: true, budget: createBudget(env, 'waitUntil') });
  ctx.waitUntil(run.catch((err) => console.error(JSON.stringify({ event: 'target_dispatch_failed', targetId: target.id, error: String(err) }))));
}
