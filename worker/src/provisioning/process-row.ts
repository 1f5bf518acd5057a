/**
 * One leased outbox row: sync it, and say what to record — the link, the audit events, the row's
 * fate — for the dispatcher to commit with other rows'. What happens on failure comes from the
 * POLICY table alone.
 */
import type { AuditEvent } from '../db/audit';
import { saveLink } from '../db/links';
import { deferOutbox, releaseOutbox, type OutboxRow } from '../db/outbox';
import { POLICY, type Failure } from './failure';
import { failureFate } from './row-fate';
import { MappingError } from './mapping';
import type { SyncContext } from './sync-context';
import { syncGroup } from './sync-group';
import { syncUser, type Preloaded, type SyncOutcome } from './sync-user';

/** a deferred row (a group waiting for its members) is due again after this */
export const DEFER_MS = 5_000;

export interface RowResult {
  outcome: SyncOutcome;
  /** the target refused us (auth / config): stop and pause it */
  fatal?: Failure;
  /** what to record: the row's fate after a failure, the link — committed by the caller */
  statements: D1PreparedStatement[];
  /** the row succeeded: the caller completes it together with others (completeOutboxMany) */
  completed?: OutboxRow;
  /** the row's audit events, written by the caller together with others' */
  audit: AuditEvent[];
}

/** `preloaded`: what the dispatcher read for the whole batch (user, link, batch match). */
export async function processRow(ctx: SyncContext, row: OutboxRow, preloaded?: Preloaded): Promise<RowResult> {
  let outcome: SyncOutcome;
  try {
    outcome = row.resourceType === 'User' ? await syncUser(ctx, row.resourceId, preloaded) : await syncGroup(ctx, row.resourceId);
  } catch (err) {
    if (err instanceof MappingError) {
      // A mapping that cannot be applied is the target's configuration: pause it and say why.
      outcome = {
        action: 'none',
        ok: false,
        failure: { kind: 'fatal', message: `The attribute mapping is invalid: ${err.message}` },
        remoteId: null,
        attributesChanged: [],
        destructive: false,
        detail: 'invalid mapping',
      };
    } else {
      // A bug or a storage failure: keep the row for a retry and say what happened.
      console.error(JSON.stringify({ event: 'sync_error', targetId: ctx.target.id, resourceId: row.resourceId, error: String(err) }));
      outcome = {
        action: 'none',
        ok: false,
        failure: { kind: 'transient', message: `Internal error: ${String(err)}` },
        remoteId: null,
        attributesChanged: [],
        destructive: false,
        detail: 'internal error',
      };
    }
  }
  const now = ctx.now();
  const stmts: D1PreparedStatement[] = [];
  if (!outcome.ok) {
    const fate = failureFate(ctx.db, row, outcome.failure!, now);
    stmts.push(fate.outbox);
    outcome.link = fate.link;
  }
  if (outcome.link && !ctx.dryRun) stmts.push(saveLink(ctx.db, ctx.target.id, row.resourceType, row.resourceId, outcome.link, now));
  // Done in part: back to pending as it is, for the next claim to carry on.
  if (outcome.ok && outcome.continues) stmts.push(releaseOutbox(ctx.db, row));
  // Waiting for other rows (a group's members): due again shortly, not claimed again at once.
  else if (outcome.ok && outcome.deferred) stmts.push(deferOutbox(ctx.db, row, new Date(now.getTime() + DEFER_MS), outcome.deferred, now));
  for (const e of ctx.audit)
    if (outcome.attributesChanged.length > 0 && e.operation === outcome.action && e.outcome === 'ok') e.attributesChanged = outcome.attributesChanged;
  return {
    outcome,
    statements: stmts,
    audit: ctx.audit,
    ...(outcome.ok && !outcome.continues && !outcome.deferred ? { completed: row } : {}),
    ...(outcome.failure && POLICY[outcome.failure.kind] === 'pause_target' ? { fatal: outcome.failure } : {}),
  };
}
