/**
 * The cron's share when a work queue is bound: it enqueues, it does not drain. Every active
 * source (the consumer's importer starts a run only when one is due or in progress, so a message
 * for a source with nothing to do costs one read), every scheduled target whose interval has
 * passed, and — the safety net — every automatic target with work nobody is doing (a due row, an
 * expired lease, changes past its watermark, a full pass in progress), whatever became of the
 * message that should have carried it.
 */
import { selectStuckTargetIds } from '../db/work-queue';
import type { Env } from '../env';
import { isDue } from '../provisioning/dispatcher';
import { listTargets } from '../provisioning/targets';
import { listSources } from '../sources/sources';
import { enqueueWork, sourceMessage, targetMessage, type WorkMessage, type WorkQueue } from './messages';

export async function enqueueDueWork(env: Env, queue: WorkQueue, now: Date): Promise<number> {
  const [sources, targets, stuck] = await Promise.all([listSources(env), listTargets(env), selectStuckTargetIds(env.DB, now)]);
  const stuckIds = new Set(stuck);
  const active = targets.filter((t) => t.status === 'active');
  const messages: WorkMessage[] = [
    ...sources.filter((s) => s.status === 'active').map((s) => sourceMessage(s.id)),
    ...active.filter((t) => t.modes.scheduled.enabled && isDue(t, 'scheduled', now, false)).map((t) => targetMessage(t.id, 'scheduled')),
    ...active.filter((t) => t.modes.automatic.enabled && stuckIds.has(t.id)).map((t) => targetMessage(t.id, 'automatic')),
  ];
  return enqueueWork(queue, messages);
}
