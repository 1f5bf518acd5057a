/**
 * The work queue (Cloudflare Queues, README "Queues"): what is enqueued and how. A message only
 * names what to look at — "plan and drain target T in mode M", "continue source S's import" —
 * and the consumer reads the current state, so a duplicate, late or extra message is harmless
 * (the planner's watermark and the outbox leases make running a target twice a no-op).
 * Level-triggered, like the rest of the engine: a message is a hint, the database is the truth.
 */
import { z } from 'zod';
import type { Env } from '../env';

export const workMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('target'),
    targetId: z.string().min(1),
    mode: z.enum(['automatic', 'scheduled']),
    /** run a scheduled target whatever its interval (an admin's "run now") */
    force: z.boolean().optional(),
  }),
  z.strictObject({ kind: z.literal('source'), sourceId: z.string().min(1) }),
]);
export type WorkMessage = z.infer<typeof workMessageSchema>;

export type WorkQueue = Queue<WorkMessage>;

/** One key per unit of work: messages with the same key in one send or one batch are one run. */
export const workKey = (m: WorkMessage): string => (m.kind === 'target' ? `target:${m.targetId}:${m.mode}` : `source:${m.sourceId}`);

/** Queues accept at most 100 messages per sendBatch and a delay of at most 12 hours. */
const SEND_BATCH_MAX = 100;
export const MAX_DELAY_SECONDS = 12 * 60 * 60;

/** Sends each distinct message once, in batches of 100; returns how many were sent. */
export async function enqueueWork(queue: WorkQueue, messages: readonly WorkMessage[], delaySeconds = 0): Promise<number> {
  const distinct = [...new Map(messages.map((m) => [workKey(m), m])).values()];
  const delay = Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(delaySeconds)));
  for (let i = 0; i < distinct.length; i += SEND_BATCH_MAX) {
    await queue.sendBatch(distinct.slice(i, i + SEND_BATCH_MAX).map((body) => ({ body, ...(delay > 0 ? { delaySeconds: delay } : {}) })));
  }
  return distinct.length;
}

/** The work queue when the deployment has one (env.WORK_QUEUE bound), else null: the cron and waitUntil paths. */
export const workQueueOf = (env: Env): WorkQueue | null => env.WORK_QUEUE ?? null;

export const targetMessage = (targetId: string, mode: 'automatic' | 'scheduled', force = false): WorkMessage =>
  force ? { kind: 'target', targetId, mode, force } : { kind: 'target', targetId, mode };
export const sourceMessage = (sourceId: string): WorkMessage => ({ kind: 'source', sourceId });
