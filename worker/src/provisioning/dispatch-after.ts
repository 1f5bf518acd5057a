/**
 * Automatic mode: once a directory change has committed (its outbox rows were written in the
 * same batch), drain the automatic targets after the response; the next cron picks up leftovers.
 * One place for every caller (SCIM writes, imports), so they cannot drift apart.
 */
import type { Env } from '../env';
import { dispatch, type Budget } from './dispatcher';
import { hasAutomaticTargets } from './targets';

export function dispatchAutomaticAfter(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, budget?: Budget): void {
  const run = async () => {
    if (await hasAutomaticTargets(env)) await dispatch(env, { mode: 'automatic', ...(budget ? { budget } : {}) });
  };
  ctx.waitUntil(run().catch((err) => console.error(JSON.stringify({ event: 'automatic_dispatch_failed', error: String(err) }))));
}
