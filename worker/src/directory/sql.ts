/**
 * Small helpers over D1's prepared statements. D1 has no interactive transactions: a batch()
 * is the transaction, so every write is one batch whose first statement is a guard that aborts
 * the whole batch when the resource's version moved underneath us.
 */
import type { ResourceKind } from './types';

export const TABLES = { User: 'users', Group: 'groups' } as const satisfies Record<ResourceKind, string>;

export { MAX_PARAMS, chunk, placeholders } from '../db/sql-helpers';

const VERSION_GUARD = 'version_guard';

/**
 * A statement that fails (and so rolls back its batch) unless the row still has `version`.
 * SQLite has no RAISE outside triggers; json() of a non-JSON string is the portable way to
 * make a statement error on a condition.
 */
export function versionGuard(db: D1Database, table: string, pk: number, version: number): D1PreparedStatement {
  return db.prepare(`SELECT json(CASE WHEN (SELECT version FROM ${table} WHERE pk = ?) = ? THEN '1' ELSE '${VERSION_GUARD}' END)`).bind(pk, version);
}

export function isVersionGuardError(err: unknown): boolean {
  return err instanceof Error && /malformed JSON/i.test(err.message);
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed/i.test(err.message);
}

export const nowIso = () => new Date().toISOString();
