/**
 * Small helpers over D1's prepared statements. D1 has no interactive transactions: a batch()
 * is the transaction, so every write is one batch whose first statements are guards that abort
 * the whole batch when a precondition (the row exists, its version, the client's If-Match) fails.
 */
import type { ResourceKind } from './types';

export const TABLES = { User: 'users', Group: 'groups' } as const satisfies Record<ResourceKind, string>;

export { MAX_PARAMS, chunk, placeholders } from '../db/sql-helpers';

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed/i.test(err.message);
}

export const nowIso = () => new Date().toISOString();

/** A user's or group's pk by its id, as a subquery of one bound parameter. */
export const USER_PK_BY_ID = '(SELECT pk FROM users WHERE id = ?)';
export const GROUP_PK_BY_ID = '(SELECT pk FROM groups WHERE id = ?)';

/** A value row's `value_lower`: folded in code (SQLite's lower() folds ASCII only), the same wherever a row is written. */
export const foldValue = (value: string | null | undefined): string | null => value?.toLowerCase() ?? null;

/** SQL true when the text `expr` holds a non-ASCII character, which SQLite's lower() would not fold as the engine does. */
export const nonAscii = (expr: string) => `length(CAST(${expr} AS BLOB)) <> length(${expr})`;

/**
 * SQL true when the JSON `json` holds text at the path literal `at` equal to one bound `?`, its
 * case folded (lower(), ASCII: callers refuse what nonAscii finds) when `folded`; false, never
 * NULL, when it holds no text there.
 */
export const textEquals = (json: string, at: string, folded: boolean) => {
  const text = `(${json} ->> ${at})`;
  return `json_type(${json}, ${at}) IS 'text' AND ${folded ? `lower(${text})` : text} = ?`;
};

/** `["urn:…:User", "manager"]` → `$."urn:…:User"."manager"` (registry names hold no quotes). */
export const jsonPath = (keys: readonly string[]) => `$${keys.map((k) => `."${k}"`).join('')}`;

/** Why a guarded batch was refused: each guard names its reason in the error it raises. */
export type GuardReason = 'not_found' | 'precondition' | 'unknown_member' | 'needs_read';

/**
 * A statement that fails (rolling back its batch) with `reason` unless `condition` holds, so a
 * precondition is checked inside the write's own round trip. json_extract of a path that is not
 * one raises "bad JSON path: 'guard:<reason>'", which names the guard that refused.
 */
export function guard(db: D1Database, reason: GuardReason, condition: string, params: unknown[]): D1PreparedStatement {
  return db.prepare(`SELECT CASE WHEN ${condition} THEN 1 ELSE ${refusal(reason)} END`).bind(...params);
}

/** An SQL expression that fails its statement, and so its batch, with `reason` (see guard). */
/**
 * Whether SQL can judge a write into the multi-valued attribute at `path` (a quoted JSON path)
 * of the body `d`: it is an array or absent, none of its elements is `odd` (over `e`, the element
 * of `json_each(d, path) AS e`), and at most one is primary. Otherwise the stored body decides,
 * and the write is refused to the read path.
 */
export const listJudged = (path: string, odd: string) =>
  `coalesce(json_type(d, ${path}), 'array') = 'array' AND NOT EXISTS (SELECT 1 FROM json_each(d, ${path}) AS e WHERE ${odd})
    AND (SELECT count(*) FROM json_each(d, ${path}) AS e WHERE json_type(e.value, '$."primary"') = 'true') < 2`;

export const refusal = (reason: GuardReason) => `json_extract('{}', 'guard:${reason}')`;

export function guardReasonOf(err: unknown): GuardReason | undefined {
  const match = err instanceof Error ? /bad JSON path: 'guard:(\w+)'/.exec(err.message) : null;
  return match ? (match[1] as GuardReason) : undefined;
}
