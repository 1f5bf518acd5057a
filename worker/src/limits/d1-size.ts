/**
 * How full the D1 database is, and what the relay does when it is nearly full: answer the IdP's
 * writes with a clear error (SCIM 507) instead of failing at random when D1 refuses a write, and
 * say so to the admin (GET /api/v1/health, shown by the console).
 *
 * D1 reports the database's size after every query (`meta.size_after`); the meter, which sees
 * every result, notes it here, so knowing the size costs no query of its own. An isolate that
 * has seen no result yet does not know it and lets writes through until it has.
 */
import type { Limits } from './profile';

let observed: number | null = null;

/** Notes the size a D1 result reports (a row from `first()` has no meta and is ignored). */
export function noteSize(result: unknown): void {
  const size = (result as { meta?: { size_after?: unknown } } | null)?.meta?.size_after;
  if (typeof size === 'number' && size > 0) observed = size;
}

export interface DatabaseFill {
  /** the size last reported, null before any */
  bytes: number | null;
  /** the plan's database size */
  limitBytes: number;
  /** from this size on, IdP writes are refused */
  fullAtBytes: number;
  nearlyFull: boolean;
  warning: string | null;
}

const mb = (bytes: number) => `${Math.round(bytes / 1_000_000).toLocaleString('en-US')} MB`;

export function databaseFill(limits: Limits, bytes = observed): DatabaseFill {
  const fullAtBytes = Math.floor(limits.d1Bytes * limits.d1FullFraction);
  const nearlyFull = bytes !== null && bytes >= fullAtBytes;
  const warning = nearlyFull
    ? `The relay's database holds ${mb(bytes)} of the ${mb(limits.d1Bytes)} its ${limits.name} plan allows: identity providers' creates and updates are refused (SCIM 507) until users are deleted or the plan is larger.`
    : null;
  return { bytes, limitBytes: limits.d1Bytes, fullAtBytes, nearlyFull, warning };
}

/** Asks D1 for the size now (one trivial query), for the admin's health view. */
export async function measureDatabase(db: D1Database): Promise<number | null> {
  noteSize(await db.prepare('SELECT 1').run());
  return observed;
}
