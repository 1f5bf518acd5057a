/**
 * Per-user overrides of a target's scope (issue #13): "always provision to X" / "never provision
 * to X", one row per (target, user) in target_overrides. Clearing one deletes its row.
 */
import type { Override } from '../../../shared/src/scope';
import { chunk, MAX_PARAMS, placeholders } from './sql-helpers';

export interface OverrideRow {
  userId: string;
  userName: string | null;
  override: Override;
  updated: string;
}

/** A target's overrides with the user's name (null once the user left the directory), by userName. */
export async function listOverrides(db: D1Database, targetId: string): Promise<OverrideRow[]> {
  const { results } = await db
    .prepare(
      `SELECT o.user_id AS userId, u.user_name AS userName, o.override, o.updated
         FROM target_overrides o LEFT JOIN users u ON u.id = o.user_id
        WHERE o.target_id = ? ORDER BY coalesce(u.user_name_lower, o.user_id)`,
    )
    .bind(targetId)
    .all<OverrideRow>();
  return results;
}

/** Sets (or, with null, clears) one override. */
export function putOverrideStatement(db: D1Database, targetId: string, userId: string, override: Override | null, now: Date): D1PreparedStatement {
  if (override === null) return db.prepare('DELETE FROM target_overrides WHERE target_id = ? AND user_id = ?').bind(targetId, userId);
  return db
    .prepare(
      `INSERT INTO target_overrides (target_id, user_id, override, updated) VALUES (?, ?, ?, ?)
       ON CONFLICT (target_id, user_id) DO UPDATE SET override = excluded.override, updated = excluded.updated`,
    )
    .bind(targetId, userId, override, now.toISOString());
}

/** The overrides of these users on every target: one statement per 100 ids, for a caller's batch. */
export function overridesOfUsersStatements(db: D1Database, userIds: readonly string[]): D1PreparedStatement[] {
  return chunk(userIds, MAX_PARAMS).map((part) =>
    db.prepare(`SELECT target_id AS targetId, user_id AS userId, override FROM target_overrides WHERE user_id IN (${placeholders(part.length)})`).bind(...part),
  );
}

export const overrideKey = (targetId: string, userId: string) => `${targetId} ${userId}`;
