/**
 * The dead-letter queue's consumer: a message the work consumer gave up on after `max_retries`
 * (wrangler.toml) is recorded in the audit log as a `dead_letter` event, with the error its runs
 * kept hitting, so GET /api/v1/outbox/dead-letters and the console's outbox show it. The work it
 * named is not lost: the cron's safety net enqueues the target again while it has work due, and
 * an admin can run it from the console once the cause is fixed.
 */
import { auditStatements, type AuditEvent } from '../db/audit';
import { lastRunError } from '../db/work-queue';
import type { Env } from '../env';
import { workMessageSchema } from './messages';

export const DEAD_LETTER_OPERATION = 'dead_letter';

export async function recordDeadLetters(env: Env, batch: MessageBatch<unknown>): Promise<void> {
  const at = new Date().toISOString();
  const events: AuditEvent[] = [];
  for (const message of batch.messages) {
    const parsed = workMessageSchema.safeParse(message.body);
    const work = parsed.success ? parsed.data : null;
    const cause = work?.kind === 'target' ? await lastRunError(env.DB, work.targetId) : null;
    const what = !work ? 'An unreadable message' : work.kind === 'target' ? `The ${work.mode} run of this target` : 'The import of this source';
    events.push({
      at,
      // The audit log is keyed by target; a source's dead letter is filed under the source's id.
      targetId: work ? (work.kind === 'target' ? work.targetId : work.sourceId) : '(unknown)',
      runId: null,
      resourceType: work?.kind === 'source' ? 'Source' : null,
      resourceId: work?.kind === 'source' ? work.sourceId : null,
      operation: DEAD_LETTER_OPERATION,
      method: null,
      path: null,
      httpStatus: null,
      durationMs: null,
      outcome: 'dead',
      error: `${what} kept failing and was set aside after its retries (message ${message.id})${cause ? `: ${cause}` : '.'}`,
      attributesChanged: null,
      dryRun: false,
    });
  }
  if (events.length > 0) await env.DB.batch(auditStatements(env.DB, events));
  batch.ackAll();
}
