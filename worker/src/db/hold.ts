/**
 * "Never destroy by accident": the deletion threshold counts destructive operations of a target
 * over a sliding window (`deletion_window_minutes`, default 60), across runs and modes — those
 * sent (audit events: an IdP deprovisions one request per user, so 30 single DELETEs are 30
 * runs) plus those waiting. Over the threshold, every waiting one is held for an admin's
 * approval instead of being sent. An empty or broken source therefore never deactivates everyone.
 * A user leaving the target's scope (issue #13) is destructive the same way.
 *
 * Its counterpart, the mass-creation guard (issue #13): account creations waiting or held plus
 * those sent within the same window, over `creation_threshold`, hold every waiting creation — the
 * first sync of a target, a scope change, a target switched on during an import.
 *
 * Parameters are positional (`?`) throughout: the scope condition (provisioning/scope.ts, which
 * embeds a compiled SCIM filter) brings its own, bound after the target id.
 */
import type { Target } from '../../../shared/src';
import type { SqlFragment } from '../directory/types';
import { liveOnTarget } from './held-creations';

type Thresholded = Pick<Target, 'id' | 'deletionThreshold' | 'deletionWindowMinutes'>;
type Guarded = Pick<Target, 'id' | 'creationThreshold' | 'deletionWindowMinutes' | 'creationsApprovedAt' | 'sync'>;

export interface HoldCount {
  /** operations of the kind sent within the window */
  sent: number;
  /** operations of the kind waiting (not approved) */
  pending: number;
  /** rows held by this call */
  held: number;
  /** the resources held by this call, for their own audit events */
  resources?: { resourceType: 'User' | 'Group'; resourceId: string }[];
}

/**
 * Outbox rows (in `states`) whose next send would deactivate or delete an account the relay
 * created or linked: the user left the directory, was deactivated there, or left the target's
 * scope (`scope` over `u.id`).
 */
function destructiveCandidates(scope: SqlFragment, states: string): SqlFragment {
  return {
    sql: `
    SELECT o.id FROM outbox o
      JOIN links l ON l.target_id = o.target_id AND l.resource_type = o.resource_type AND l.resource_id = o.resource_id
      LEFT JOIN users u ON o.resource_type = 'User' AND u.id = o.resource_id
      LEFT JOIN groups g ON o.resource_type = 'Group' AND g.id = o.resource_id
     WHERE o.target_id = ? AND o.state IN (${states}) AND o.approved = 0
       AND ${liveOnTarget('l')}
       AND ((o.resource_type = 'User' AND (u.pk IS NULL
              OR (coalesce(l.remote_state, 'active') <> 'deactivated' AND (u.active = 0 OR NOT (${scope.sql})))))
         OR (o.resource_type = 'Group' AND g.pk IS NULL))`,
    params: scope.params,
  };
}

/** Outbox rows (in `states`) whose send would create an account: an active user in scope, not on the target. */
function creationCandidates(scope: SqlFragment, states: string): SqlFragment {
  return {
    sql: `
    SELECT o.id FROM outbox o
      JOIN users u ON u.id = o.resource_id
      LEFT JOIN links l ON l.target_id = o.target_id AND l.resource_type = 'User' AND l.resource_id = o.resource_id
     WHERE o.target_id = ? AND o.resource_type = 'User' AND o.state IN (${states}) AND o.approved = 0
       AND coalesce(u.active, 1) <> 0 AND NOT ${liveOnTarget('l')}
       AND ${scope.sql}`,
    params: scope.params,
  };
}

/**
 * Writes of the kind, not reads (a Drupal delete is read back). Its conditions are
 * `audit_sent_idx`'s (schema.ts), so the count reads that partial index alone: keep them alike.
 */
export const sentSince = (operations: string) => `
    SELECT count(*) AS n FROM audit_events
     WHERE target_id = ? AND operation IN (${operations}) AND at >= ?
       AND outcome = 'ok' AND dry_run = 0 AND coalesce(method, '') <> 'GET'`;

const since = (target: Pick<Target, 'deletionWindowMinutes'>, now: Date) => new Date(now.getTime() - target.deletionWindowMinutes * 60_000).toISOString();
const count = (db: D1Database, f: SqlFragment, targetId: string) => db.prepare(`SELECT count(*) AS n FROM (${f.sql})`).bind(targetId, ...f.params);

/**
 * What the guards count as waiting: rows due to be sent, and rows a running run has claimed and
 * is sending (leased). Another run of the same target — two SCIM writes' waitUntil dispatches, or
 * one and the cron, without Queues — checks while the first one's rows are in flight and not yet
 * in the audit log: counted as neither, they would let the two runs together pass the threshold.
 * A leased row leaves the count in the batch that records it as sent (lanes.ts), so none counts twice.
 */
const WAITING = "'pending', 'leased'";

const destructiveCounts = (db: D1Database, target: Thresholded, scope: SqlFragment, now: Date): D1PreparedStatement[] => [
  db.prepare(sentSince("'deactivate', 'delete'")).bind(target.id, since(target, now)),
  count(db, destructiveCandidates(scope, WAITING), target.id),
  db.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state = 'held'").bind(target.id),
];

const n = (r: D1Result<{ n: number }> | undefined): number => r?.results[0]?.n ?? 0;
const readDestructive = ([sent, pending, held]: D1Result<{ n: number }>[]) => ({ sent: n(sent), pending: n(pending), held: n(held) });

async function holdRows(db: D1Database, rows: SqlFragment, targetId: string, message: string, now: Date): Promise<HoldCount['resources']> {
  const { results } = await db
    .prepare(
      `UPDATE outbox SET state = 'held', last_error = ?, updated_at = ? WHERE id IN (${rows.sql}) RETURNING resource_type AS resourceType, resource_id AS resourceId`,
    )
    .bind(message, now.toISOString(), targetId, ...rows.params)
    .all<{ resourceType: 'User' | 'Group'; resourceId: string }>();
  return results;
}

async function holdDestructiveOver(
  db: D1Database,
  target: Thresholded,
  scope: SqlFragment,
  now: Date,
  c: { sent: number; pending: number },
): Promise<HoldCount> {
  const { sent, pending } = c;
  if (pending === 0 || sent + pending <= target.deletionThreshold) return { sent, pending, held: 0 };
  const resources = await holdRows(db, destructiveCandidates(scope, "'pending'"), target.id, holdMessage(target, { sent, pending }), now);
  return { sent, pending, held: resources!.length, resources };
}

export function holdMessage(target: Thresholded, c: Pick<HoldCount, 'sent' | 'pending'>): string {
  return `Held for approval: ${c.pending} deactivation(s)/deletion(s) waiting and ${c.sent} sent in the last ${target.deletionWindowMinutes} min exceed the threshold of ${target.deletionThreshold}.`;
}

/**
 * An admin's approval (POST /targets/{id}/approve) stands the guard down for the window that
 * follows it, and for the rest of a full pass that was in progress when it was given: an approved
 * initial sync or scope change is not held again page after page.
 */
export function isCreationGuardDown(target: Guarded, now: Date): boolean {
  if (target.creationThreshold === 0) return true;
  const approved = target.creationsApprovedAt;
  if (!approved) return false;
  if (approved >= since(target, now)) return true;
  return target.sync !== null && target.sync.phase !== 'done' && target.sync.startedAt <= approved;
}

/** Account creations sent within the window, and those waiting, being sent or held (not approved). */
const creationCounts = (db: D1Database, target: Guarded, scope: SqlFragment, now: Date): D1PreparedStatement[] => [
  db.prepare(sentSince("'create'")).bind(target.id, since(target, now)),
  count(db, creationCandidates(scope, `${WAITING}, 'held'`), target.id),
];

const readCreations = ([sent, pending]: D1Result<{ n: number }>[]) => ({ sent: n(sent), pending: n(pending) });

/** Creations waiting or held (not approved) plus creations sent within the window, over the threshold: hold the waiting ones. */
async function holdCreationsOver(db: D1Database, target: Guarded, scope: SqlFragment, now: Date, c: { sent: number; pending: number }): Promise<HoldCount> {
  if (c.pending === 0 || c.sent + c.pending <= target.creationThreshold) return { ...c, held: 0 };
  const resources = await holdRows(db, creationCandidates(scope, "'pending'"), target.id, creationHoldMessage(target, c), now);
  return { ...c, held: resources!.length, resources };
}

/**
 * Both guards of a run (the creation guard only when `creations`), their counts read in one D1
 * round trip rather than two (issue #11), after the writes in `first` (the run's start) in the
 * same batch. Counting both before either holds answers as counting them in turn: a destructive
 * candidate is live on the target, a creation candidate is not.
 */
export async function holdGuarded(
  db: D1Database,
  target: Thresholded & Guarded,
  scope: SqlFragment,
  now: Date,
  creations: boolean,
  first: D1PreparedStatement[] = [],
): Promise<{ destructive: HoldCount; creations: HoldCount | null }> {
  const guardCreations = creations && !isCreationGuardDown(target, now);
  const results = await db.batch<{ n: number }>([
    ...first,
    ...destructiveCounts(db, target, scope, now),
    ...(guardCreations ? creationCounts(db, target, scope, now) : []),
  ]);
  const counts = results.slice(first.length);
  const destructive = await holdDestructiveOver(db, target, scope, now, readDestructive(counts.slice(0, 3)));
  if (!creations) return { destructive, creations: null };
  return {
    destructive,
    creations: guardCreations ? await holdCreationsOver(db, target, scope, now, readCreations(counts.slice(3))) : { sent: 0, pending: 0, held: 0 },
  };
}

/** Both guards' counts in one D1 round trip (a target's sync status): the destructive candidates, sent and held; the creations sent and waiting. */
export async function countGuards(
  db: D1Database,
  target: Thresholded & Guarded,
  scope: SqlFragment,
  now: Date,
): Promise<{ destructive: { sent: number; pending: number; held: number }; creations: { sent: number; pending: number } }> {
  const counts = await db.batch<{ n: number }>([...destructiveCounts(db, target, scope, now), ...creationCounts(db, target, scope, now)]);
  return { destructive: readDestructive(counts.slice(0, 3)), creations: readCreations(counts.slice(3)) };
}

export function creationHoldMessage(target: Pick<Target, 'creationThreshold' | 'deletionWindowMinutes'>, c: Pick<HoldCount, 'sent' | 'pending'>): string {
  return `Held for approval: ${c.pending} account creation(s) waiting and ${c.sent} created in the last ${target.deletionWindowMinutes} min exceed the creation threshold of ${target.creationThreshold}.`;
}
