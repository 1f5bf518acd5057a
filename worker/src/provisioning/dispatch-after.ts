/**
 * Automatic mode: once a directory change has committed (its outbox rows were written in the
 * same batch), drain the automatic targets after the response; the next cron picks up leftovers.
 * One place for every caller (SCIM writes, imports), so they cannot drift apart.
 */
import type { Target } from '../../../shared/src/targets';
import type { Env } from '../env';
import { type Budget, createBudget } from '../limits/budget';
import { dispatch } from './dispatcher';
import { hasAutomaticTargets } from './targets';

export function dispatchAutomaticAfter(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, budget?: Budget): void {
  // After the response: waitUntil's time, and the queries the request left (limits/budget.ts).
  const run = async () => {
    if (await hasAutomaticTargets(env)) await dispatch(env, { mode: 'automatic', budget: budget ?? createBudget(env, 'waitUntil') });
  };
  ctx.waitUntil(run().catch((err) => console.error(JSON.stringify({ event: 'automatic_dispatch_failed', error: String(err) }))));
}

/**
 * An admin's action that releases work now (approving held deletions, resuming, "Sync all") runs
 * the target in the background of the same request instead of waiting for the next cron: in its
 * automatic mode when that is on, else its scheduled mode, whatever the interval.
 */
export function dispatchTargetNow(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, target: Pick<Target, 'id' | 'status' | 'modes'>): void {
  if (target.status !== 'active') return;
  const mode = target.modes.automatic.enabled ? 'automatic' : target.modes.scheduled.enabled ? 'scheduled' : null;
  if (!mode) return;
  ctx.waitUntil(
    dispatch(env, { mode, targetIds: [target.id], force: true, budget: createBudget(env, 'waitUntil') }).catch((err) =>
      console.error(JSON.stringify({ event: 'target_dispatch_failed', targetId: target.id, error: String(err) })),
    ),
  );
}
