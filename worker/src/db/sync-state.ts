/**
 * Storage of a target's full pass over the directory (initial sync, "Sync all"): its keyset
 * cursor and counts in `targets.sync_state` (JSON, validated by `syncStateSchema`), the pages of
 * resources it enqueues, and how much of what it enqueued is still waiting in the outbox.
 */
import type { SyncState } from '../../../shared/src/targets';
import type { SqlFragment } from '../directory/types';

/**
 * Starts a pass: the totals are counted and the watermark jumps to the head of the feed in the
 * same statement, since the pass will read every resource as it is now; changes after the head
 * reach the target through the feed.
 */
export function startSyncStatement(db: D1Database, targetId: string, reason: SyncState['reason'], pushGroups: boolean, now: Date): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE targets SET
         watermark = max(watermark, (SELECT coalesce(max(seq), 0) FROM changes)),
         sync_state = json_object('reason', ?2, 'phase', 'users', 'afterPk', 0, 'seq', (SELECT coalesce(max(seq), 0) FROM changes),
           'total', (SELECT count(*) FROM users) + CASE WHEN ?3 THEN (SELECT count(*) FROM groups) ELSE 0 END,
           'enqueued', 0, 'startedAt', ?4, 'finishedAt', NULL)
       WHERE id = ?1`,
    )
    .bind(targetId, reason, pushGroups ? 1 : 0, now.toISOString());
}

/** Compare-and-swap on the pass's start: a pass restarted meanwhile ("Sync all" again) wins. */
export function saveSyncState(db: D1Database, targetId: string, state: SyncState): D1PreparedStatement {
  return db
    .prepare("UPDATE targets SET sync_state = ?1 WHERE id = ?2 AND json_extract(sync_state, '$.startedAt') = ?3")
    .bind(JSON.stringify(state), targetId, state.startedAt);
}

/**
 * The next keyset page of users or groups: `pk > afterPk`, so a deep page costs the same as the
 * first. `only` narrows it (a condition over `users.id` / `groups.pk`, e.g. a target's scope).
 */
export async function readResourcePage(
  db: D1Database,
  type: 'User' | 'Group',
  afterPk: number,
  limit: number,
  only?: SqlFragment,
): Promise<{ pk: number; id: string }[]> {
  const table = type === 'User' ? 'users' : 'groups';
  const { results } = await db
    .prepare(`SELECT pk, id FROM ${table} WHERE ${table}.pk > ?${only ? ` AND ${only.sql}` : ''} ORDER BY pk LIMIT ?`)
    .bind(afterPk, ...(only?.params ?? []), limit)
    .all<{ pk: number; id: string }>();
  return results;
}

/** Rows of the target still to settle (pending, leased or held): what separates "enqueued" from "done". */
export async function countOutstanding(db: D1Database, targetId: string): Promise<number> {
  const row = await db
    .prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state IN ('pending', 'leased', 'held')")
    .bind(targetId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
