/**
 * How full the D1 database is, and what the relay does when it is nearly full: answer the IdP's
 * writes with a clear error (SCIM 507) and stop imports (sources/importer.ts) instead of failing
 * at random when D1 refuses a write, and say so to the admin (GET /api/v1/health, shown by the
 * console: a warning from d1WarnFraction, an error from d1FullFraction).
 *
 * D1 reports the database's size after every query (`meta.size_after`); the meter, which sees
 * every result, notes it here, so knowing the size costs no query of its own. An isolate that
 * has seen no result yet does not know it and lets writes through until it has.
 */
import { megabytes } from '../../../shared/src/api';
import { type Limits, PROFILES, parseLimits } from './profile';

let observed: number | null = null;

/** Notes the size a D1 result reports (a row from `first()` has no meta and is ignored). */
export function noteSize(result: unknown): void {
  const size = (result as { meta?: { size_after?: unknown } } | null)?.meta?.size_after;
  if (typeof size === 'number' && size > 0) observed = size;
}

/** ok; filling: the console warns (d1WarnFraction); full: IdP writes are refused and imports stop (d1FullFraction). */
export type FillLevel = 'ok' | 'filling' | 'full';

export interface DatabaseFill {
  /** the size last reported, null before any */
  bytes: number | null;
  /** the plan's database size */
  limitBytes: number;
  /** from this size on, the console warns */
  warnAtBytes: number;
  /** from this size on, IdP writes are refused and imports stop */
  fullAtBytes: number;
  level: FillLevel;
  /** level === 'full' */
  nearlyFull: boolean;
  /** what is happening and what to do, in words; null while level is ok */
  warning: string | null;
}

const percent = (fraction: number) => `${Math.round(fraction * 100)} %`;

/** What an admin can do; on the Free plan, moving to Paid (10 GB) is one more way. */
export function makeRoomWords(limits: Limits): string {
  const larger = limits.name.startsWith('free') ? `, or move the relay to the Workers Paid plan (${megabytes(PROFILES.paid.d1Bytes)})` : '';
  return `To make room, delete or deprovision the users the relay no longer needs to hold${larger}.`;
}

export function databaseFill(limits: Limits, bytes = observed): DatabaseFill {
  const warnAtBytes = Math.floor(limits.d1Bytes * limits.d1WarnFraction);
  const fullAtBytes = Math.floor(limits.d1Bytes * limits.d1FullFraction);
  const level: FillLevel = bytes === null || bytes < warnAtBytes ? 'ok' : bytes < fullAtBytes ? 'filling' : 'full';
  const holds = bytes === null ? '' : `The relay's database holds ${megabytes(bytes)} of the ${megabytes(limits.d1Bytes)} its ${limits.name} plan allows`;
  const warning =
    level === 'full'
      ? `${holds}: identity providers' creates and updates are refused (SCIM 507) and imports are stopped until there is room. ${makeRoomWords(limits)}`
      : level === 'filling'
        ? `${holds} (${percent(bytes! / limits.d1Bytes)}). From ${megabytes(fullAtBytes)} (${percent(limits.d1FullFraction)}) identity providers' creates and updates will be refused (SCIM 507) and imports will stop. ${makeRoomWords(limits)}`
        : null;
  return { bytes, limitBytes: limits.d1Bytes, warnAtBytes, fullAtBytes, level, nearlyFull: level === 'full', warning };
}

/** "nearly full (476 MB of 500 MB)", for messages that say why something stopped. */
export const nearlyFullWords = (fill: DatabaseFill): string => `nearly full (${megabytes(fill.bytes ?? 0)} of ${megabytes(fill.limitBytes)})`;

/** How long a refused writer is told to wait (SCIM 507 and the admin API's 507): room is made by an admin, not in seconds. */
export const FULL_RETRY_AFTER = '3600';

/** Why a write that would grow the database is refused now (the warning, in words), or null while there is room. */
export function refusalWhenFull(relayLimits: string | undefined): string | null {
  const fill = databaseFill(parseLimits(relayLimits));
  return fill.nearlyFull ? fill.warning : null;
}

/** Asks D1 for the size now (one trivial query), for the admin's health view. */
export async function measureDatabase(db: D1Database): Promise<number | null> {
  noteSize(await db.prepare('SELECT 1').run());
  return observed;
}
