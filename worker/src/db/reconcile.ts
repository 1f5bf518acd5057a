/**
 * Reconcile's storage: the run's state on the target row, what a listing saw (reconcile_seen),
 * the drift it found (reconcile_drift), and the link changes that record what the target holds.
 * Lists of ids travel as one JSON parameter (json_each): a page of 1,000 is one statement under
 * D1's 100 bound parameters.
 */
export interface ReconcileRow {
  id: string;
  kind: 'scim' | 'drupal-jsonapi' | 'wordpress-rest' | 'joomla-webservices';
  status: 'active' | 'paused';
  created: string;
  state: string | null;
  lastReconcileAt: string | null;
  intervalMinutes: number;
}

const ROW = `id, kind, status, created, reconcile_state AS state, last_reconcile_at AS lastReconcileAt, reconcile_interval_minutes AS intervalMinutes`;

export async function loadReconcileRow(db: D1Database, targetId: string): Promise<ReconcileRow | null> {
  return db.prepare(`SELECT ${ROW} FROM targets WHERE id = ?`).bind(targetId).first<ReconcileRow>();
}

export async function listReconcileRows(db: D1Database): Promise<ReconcileRow[]> {
  return (await db.prepare(`SELECT ${ROW} FROM targets ORDER BY created, id`).all<ReconcileRow>()).results;
}

/**
 * Takes the run for this invocation: writes `next` only while the stored state is still `prev`
 * (compare-and-swap), so two invocations never work on one target's run at once.
 */
export async function swapReconcileState(db: D1Database, targetId: string, prev: string | null, next: string): Promise<boolean> {
  const r = await db.prepare('UPDATE targets SET reconcile_state = ?1 WHERE id = ?2 AND reconcile_state IS ?3').bind(next, targetId, prev).run();
  return (r.meta.changes ?? 0) > 0;
}

export function saveReconcileState(db: D1Database, targetId: string, state: string, finishedAt?: string): D1PreparedStatement {
  return finishedAt
    ? db.prepare('UPDATE targets SET reconcile_state = ?, last_reconcile_at = ? WHERE id = ?').bind(state, finishedAt, targetId)
    : db.prepare('UPDATE targets SET reconcile_state = ? WHERE id = ?').bind(state, targetId);
}

export function setReconcileInterval(db: D1Database, targetId: string, minutes: number): D1PreparedStatement {
  return db.prepare('UPDATE targets SET reconcile_interval_minutes = ? WHERE id = ?').bind(minutes, targetId);
}

/** A new run starts from nothing seen and no drift. */
export function clearRunStatements(db: D1Database, targetId: string): D1PreparedStatement[] {
  return [
    db.prepare('DELETE FROM reconcile_seen WHERE target_id = ?').bind(targetId),
    db.prepare('DELETE FROM reconcile_drift WHERE target_id = ?').bind(targetId),
  ];
}

/** Remote ids a listing page returned (with Drupal roles as JSON). */
export function seenStatement(
  db: D1Database,
  targetId: string,
  type: 'User' | 'Group',
  items: readonly { id: string; roles: string[] | null }[],
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR REPLACE INTO reconcile_seen (target_id, resource_type, remote_id, roles)
       SELECT ?1, ?2, json_extract(value, '$.id'), json_extract(value, '$.roles') FROM json_each(?3)`,
    )
    .bind(targetId, type, JSON.stringify(items));
}

export interface DriftRow {
  resourceType: 'User' | 'Group';
  resourceId: string;
  kind: string;
  detail: string | null;
  repairable: boolean;
}

export function driftStatement(db: D1Database, targetId: string, items: readonly DriftRow[], now: Date): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR REPLACE INTO reconcile_drift (target_id, resource_type, resource_id, kind, detail, repairable, at)
       SELECT ?1, json_extract(value, '$.resourceType'), json_extract(value, '$.resourceId'), json_extract(value, '$.kind'),
              json_extract(value, '$.detail'), json_extract(value, '$.repairable'), ?2 FROM json_each(?3)`,
    )
    .bind(targetId, now.toISOString(), JSON.stringify(items.map((d) => ({ ...d, repairable: d.repairable ? 1 : 0 }))));
}

export interface LinkedUser {
  resourceId: string;
  remoteId: string;
  payload: string | null;
  remoteState: string | null;
  /** the link's state: `out_of_scope` accounts are the engine's to deactivate, never drift (issue #13) */
  state?: string;
  /** the directory user's SCIM body; null when the user is gone from the directory */
  data: string | null;
  /** the directory group's pk (groups only) */
  groupPk?: number;
}

/** Links of the given remote users with their directory users, one statement per page. */
export async function linkedUsersByRemote(db: D1Database, targetId: string, remoteIds: readonly string[]): Promise<LinkedUser[]> {
  if (remoteIds.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT l.resource_id AS resourceId, l.remote_id AS remoteId, l.payload, l.remote_state AS remoteState, l.state, u.data
         FROM links l LEFT JOIN users u ON u.id = l.resource_id
        WHERE l.target_id = ?1 AND l.resource_type = 'User' AND l.remote_id IN (SELECT value FROM json_each(?2))`,
    )
    .bind(targetId, JSON.stringify(remoteIds))
    .all<LinkedUser>();
  return results;
}

/**
 * Linked, active users (or linked groups) whose remote id the complete listing did not return,
 * after `after` in resource id order: each is confirmed gone (404) by a read before anything changes.
 */
export async function unseenLinks(db: D1Database, targetId: string, type: 'User' | 'Group', after: string, limit: number): Promise<LinkedUser[]> {
  const directory = type === 'User' ? 'JOIN users d ON d.id = l.resource_id AND d.active IS NOT 0' : 'JOIN groups d ON d.id = l.resource_id';
  const { results } = await db
    .prepare(
      `SELECT l.resource_id AS resourceId, l.remote_id AS remoteId, l.payload, l.remote_state AS remoteState, d.data, ${type === 'Group' ? 'd.pk' : 'NULL'} AS groupPk
         FROM links l ${directory}
        WHERE l.target_id = ?1 AND l.resource_type = ?2 AND l.remote_id IS NOT NULL AND l.remote_state IS NOT 'deleted' AND l.resource_id > ?3
          AND l.state <> 'out_of_scope'
          AND NOT EXISTS (SELECT 1 FROM reconcile_seen s WHERE s.target_id = ?1 AND s.resource_type = ?2 AND s.remote_id = l.remote_id)
        ORDER BY l.resource_id LIMIT ?4`,
    )
    .bind(targetId, type, after, limit)
    .all<LinkedUser>();
  return results;
}

/** The target holds `payload` (observed): the next sync sends the difference to the desired payload. */
export function observeLinkStatement(db: D1Database, targetId: string, resourceId: string, payload: string, hash: string): D1PreparedStatement {
  return db
    .prepare(
      "UPDATE links SET payload = ?, payload_hash = ?, state = 'pending', remote_state = 'active' WHERE target_id = ? AND resource_type = 'User' AND resource_id = ?",
    )
    .bind(payload, hash, targetId, resourceId);
}

/** The remote account (or group) is gone: forget it, so the sync engine matches and creates again. */
export function forgetRemoteStatements(db: D1Database, targetId: string, type: 'User' | 'Group', resourceId: string): D1PreparedStatement[] {
  const forget = db
    .prepare(
      "UPDATE links SET remote_id = NULL, remote_key = NULL, payload = NULL, payload_hash = NULL, remote_state = NULL, state = 'pending' WHERE target_id = ? AND resource_type = ? AND resource_id = ?",
    )
    .bind(targetId, type, resourceId);
  // A recreated group has none of its members yet.
  return type === 'Group' ? [forget, db.prepare('DELETE FROM pushed_members WHERE target_id = ? AND group_id = ?').bind(targetId, resourceId)] : [forget];
}

export interface LinkedGroup {
  resourceId: string;
  remoteId: string;
  groupPk: number;
}

/** Links of the given remote groups (SCIM), or every linked group (Drupal roles: `remoteIds` null). */
export async function linkedGroups(db: D1Database, targetId: string, remoteIds: readonly string[] | null): Promise<LinkedGroup[]> {
  const { results } = await db
    .prepare(
      `SELECT l.resource_id AS resourceId, l.remote_id AS remoteId, g.pk AS groupPk
         FROM links l JOIN groups g ON g.id = l.resource_id
        WHERE l.target_id = ?1 AND l.resource_type = 'Group' AND l.remote_id IS NOT NULL AND l.remote_state IS NOT 'deleted'
          AND (?2 IS NULL OR l.remote_id IN (SELECT value FROM json_each(?2)))
        ORDER BY l.resource_id`,
    )
    .bind(targetId, remoteIds === null ? null : JSON.stringify(remoteIds))
    .all<LinkedGroup>();
  return results;
}

/**
 * The directory members the target should hold for a group, as the sync engine computes them
 * (linked users with a remote account — or one being recreated by this run), beside the members
 * the target holds (`observed`: remote ids from a SCIM group, or `role`: accounts the listing
 * saw with that Drupal role), both as directory user ids. One statement: many go in one batch.
 */
export function membershipStatement(
  db: D1Database,
  targetId: string,
  groupPk: number,
  observed: { remoteIds: readonly string[] } | { role: string },
): D1PreparedStatement {
  const held =
    'remoteIds' in observed
      ? `SELECT 'o' AS k, l.resource_id AS id FROM links l WHERE l.target_id = ?1 AND l.resource_type = 'User' AND l.remote_id IN (SELECT value FROM json_each(?3))`
      : `SELECT 'o' AS k, l.resource_id AS id FROM reconcile_seen s, json_each(s.roles) r
           JOIN links l ON l.target_id = s.target_id AND l.resource_type = 'User' AND l.remote_id = s.remote_id
          WHERE s.target_id = ?1 AND s.resource_type = 'User' AND r.value = ?3`;
  return db
    .prepare(
      `${held}
       UNION ALL
       SELECT 'w', m.member_id FROM group_members m
         JOIN links l ON l.target_id = ?1 AND l.resource_type = 'User' AND l.resource_id = m.member_id
        WHERE m.group_pk = ?2 AND m.member_type = 'User' AND l.state <> 'out_of_scope'
          AND ((l.remote_id IS NOT NULL AND l.remote_state IS NOT 'deleted')
               OR EXISTS (SELECT 1 FROM reconcile_drift d WHERE d.target_id = ?1 AND d.resource_type = 'User' AND d.resource_id = m.member_id AND d.kind = 'deleted' AND d.repairable = 1))`,
    )
    .bind(targetId, groupPk, 'remoteIds' in observed ? JSON.stringify(observed.remoteIds) : observed.role);
}

/** What the target holds becomes what was last pushed: the group sync then adds and removes the difference. */
export function replacePushedStatements(db: D1Database, targetId: string, groupId: string, memberIds: readonly string[]): D1PreparedStatement[] {
  return [
    db.prepare('DELETE FROM pushed_members WHERE target_id = ? AND group_id = ?').bind(targetId, groupId),
    db
      .prepare('INSERT OR IGNORE INTO pushed_members (target_id, group_id, member_id) SELECT ?1, ?2, value FROM json_each(?3)')
      .bind(targetId, groupId, JSON.stringify(memberIds)),
  ];
}

/** Ids of the repairable drift of one resource type, users before groups when enqueued. */
export async function repairableIds(db: D1Database, targetId: string, type: 'User' | 'Group'): Promise<string[]> {
  const { results } = await db
    .prepare('SELECT DISTINCT resource_id AS id FROM reconcile_drift WHERE target_id = ? AND resource_type = ? AND repairable = 1 ORDER BY resource_id')
    .bind(targetId, type)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** Repairable drift still queued (pending or being worked on): the repair is not over. */
export async function pendingRepairs(db: D1Database, targetId: string): Promise<number> {
  const row = await db
    .prepare(
      `SELECT COUNT(*) AS n FROM reconcile_drift d JOIN outbox o ON o.target_id = d.target_id AND o.resource_type = d.resource_type AND o.resource_id = d.resource_id
        WHERE d.target_id = ? AND d.repairable = 1 AND o.state IN ('pending', 'leased')`,
    )
    .bind(targetId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Repairable drift per kind whose link is in sync again with nothing left queued. */
export async function fixedPerKind(db: D1Database, targetId: string): Promise<Record<string, number>> {
  const { results } = await db
    .prepare(
      `SELECT d.kind, COUNT(*) AS n FROM reconcile_drift d
         JOIN links l ON l.target_id = d.target_id AND l.resource_type = d.resource_type AND l.resource_id = d.resource_id
        WHERE d.target_id = ?1 AND d.repairable = 1 AND l.state = 'in_sync' AND l.remote_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.target_id = d.target_id AND o.resource_type = d.resource_type AND o.resource_id = d.resource_id)
        GROUP BY d.kind`,
    )
    .bind(targetId)
    .all<{ kind: string; n: number }>();
  return Object.fromEntries(results.map((r) => [r.kind, r.n]));
}

export async function listDrift(db: D1Database, targetId: string, limit: number): Promise<DriftRow[]> {
  const { results } = await db
    .prepare(
      'SELECT resource_type AS resourceType, resource_id AS resourceId, kind, detail, repairable FROM reconcile_drift WHERE target_id = ? ORDER BY at, resource_type DESC, resource_id LIMIT ?',
    )
    .bind(targetId, limit)
    .all<Omit<DriftRow, 'repairable'> & { repairable: number }>();
  return results.map((r) => ({ ...r, repairable: r.repairable === 1 }));
}
