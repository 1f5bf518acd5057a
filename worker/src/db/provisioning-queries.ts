/**
 * Read-mostly queries behind the admin API's provisioning views: the outbox (with retry and
 * approval), runs and the audit log. Lists page by keyset, newest first, so a page costs the same
 * on row 10 as on row 1,000,000 and rows arriving meanwhile never shift a page.
 */
import { and, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { auditEvents, outbox, runs } from './schema';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type OutboxState = (typeof outbox.$inferSelect)['state'];

export interface OutboxFilter {
  state?: OutboxState;
  targetId?: string;
  limit: number;
  /** the id of the last row of the previous page */
  cursor?: string;
}

const outboxColumns = {
  id: outbox.id,
  targetId: outbox.targetId,
  resourceType: outbox.resourceType,
  resourceId: outbox.resourceId,
  state: outbox.state,
  attempts: outbox.attempts,
  nextAttemptAt: outbox.nextAttemptAt,
  leaseUntil: outbox.leaseUntil,
  lastError: outbox.lastError,
  approved: outbox.approved,
  enqueuedAt: outbox.enqueuedAt,
  updatedAt: outbox.updatedAt,
};

/** Fetches one row more than asked, to know whether there is a next page. */
function paged<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]!) : null };
}

const clauses = (...parts: (SQL | undefined)[]) => and(...parts.filter((p): p is SQL => p !== undefined));

export async function listOutbox(d1: D1Database, f: OutboxFilter) {
  const rows = await drizzle(d1)
    .select(outboxColumns)
    .from(outbox)
    .where(
      clauses(
        f.state ? eq(outbox.state, f.state) : undefined,
        f.targetId ? eq(outbox.targetId, f.targetId) : undefined,
        f.cursor ? lt(outbox.id, Number(f.cursor)) : undefined,
      ),
    )
    .orderBy(desc(outbox.id))
    .limit(f.limit + 1);
  return paged(rows, f.limit, (last) => String(last.id));
}

export type OutboxItemRow = Awaited<ReturnType<typeof listOutbox>>['items'][number];

export async function selectOutboxItem(d1: D1Database, id: number): Promise<OutboxItemRow | undefined> {
  const rows = await drizzle(d1).select(outboxColumns).from(outbox).where(eq(outbox.id, id)).limit(1);
  return rows[0];
}

/** Rows an admin may send again: failed and dead ones, or pending ones waiting for a backoff. */
const RETRYABLE: OutboxState[] = ['failed', 'dead', 'pending'];

export interface RetryFilter {
  id?: number;
  targetId?: string;
  states: OutboxState[];
}

/** Makes the matching rows due now with a fresh attempt budget; returns the rows changed. */
export async function retryOutboxRows(d1: D1Database, f: RetryFilter, now: string): Promise<OutboxItemRow[]> {
  const states = f.states.filter((s) => RETRYABLE.includes(s));
  return drizzle(d1)
    .update(outbox)
    .set({ state: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now })
    .where(
      clauses(
        inArray(outbox.state, states),
        f.id !== undefined ? eq(outbox.id, f.id) : undefined,
        f.targetId ? eq(outbox.targetId, f.targetId) : undefined,
      ),
    )
    .returning(outboxColumns);
}

/** Held deletions an admin approved become due now; the dispatcher sees `approved` and goes ahead. */
export async function approveHeldRows(d1: D1Database, f: { id?: number; targetId?: string }, now: string): Promise<OutboxItemRow[]> {
  return drizzle(d1)
    .update(outbox)
    .set({ state: 'pending', approved: true, nextAttemptAt: now, updatedAt: now })
    .where(
      clauses(
        eq(outbox.state, 'held'),
        f.id !== undefined ? eq(outbox.id, f.id) : undefined,
        f.targetId ? eq(outbox.targetId, f.targetId) : undefined,
      ),
    )
    .returning(outboxColumns);
}

/* ───────────────────────── runs and audit ───────────────────────── */

/** Runs page by (started_at, id); the cursor carries both, joined by '|'. */
export function decodeRunCursor(cursor: string): { startedAt: string; id: string } | null {
  const at = cursor.indexOf('|');
  return at > 0 && at < cursor.length - 1 ? { startedAt: cursor.slice(0, at), id: cursor.slice(at + 1) } : null;
}

export async function listRuns(d1: D1Database, f: { targetId?: string; limit: number; cursor?: string }) {
  const after = f.cursor ? decodeRunCursor(f.cursor) : null;
  const rows = await drizzle(d1)
    .select()
    .from(runs)
    .where(
      clauses(
        f.targetId ? eq(runs.targetId, f.targetId) : undefined,
        after ? or(lt(runs.startedAt, after.startedAt), and(eq(runs.startedAt, after.startedAt), lt(runs.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(runs.startedAt), desc(runs.id))
    .limit(f.limit + 1);
  return paged(rows, f.limit, (last) => `${last.startedAt}|${last.id}`);
}

export type RunRow = typeof runs.$inferSelect;

export async function listAudit(d1: D1Database, f: { targetId?: string; resourceId?: string; limit: number; cursor?: string }) {
  const rows = await drizzle(d1)
    .select()
    .from(auditEvents)
    .where(
      clauses(
        f.targetId ? eq(auditEvents.targetId, f.targetId) : undefined,
        // audit_resource_idx leads with resource_type: every resourceId the API serves is a User or Group
        f.resourceId ? and(inArray(auditEvents.resourceType, ['User', 'Group']), eq(auditEvents.resourceId, f.resourceId)) : undefined,
        f.cursor ? lt(auditEvents.id, Number(f.cursor)) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(f.limit + 1);
  return paged(rows, f.limit, (last) => String(last.id));
}

export type AuditRow = typeof auditEvents.$inferSelect;

/* ─────────────── directory reads: users with their links, for search and lookup ─────────────── */

/** D1 allows at most 100 bound parameters per statement. */
const MAX_PARAMS = 100;

export interface UserLinkRow {
  targetId: string;
  state: 'in_sync' | 'pending' | 'failed' | 'never';
  remoteId: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
}

export interface UserRecord {
  id: string;
  userName: string;
  displayName: string | null;
  active: boolean;
  emails: string[];
  externalId: string | null;
  links: UserLinkRow[];
}

export interface TargetRef {
  id: string;
  name: string;
  status: 'active' | 'paused';
}

type RawUser = Omit<UserRecord, 'active' | 'emails' | 'links' | 'displayName'> & {
  key: string;
  displayName: unknown;
  active: number | null;
  emailsJson: string;
  linksJson: string;
};

/**
 * A user, its emails (primary first, via user_values_user_idx) and its links (links_resource_idx)
 * in one row, so a page of users is one statement.
 */
const USER_SELECT = `u.id, u.user_name AS userName, u.external_id AS externalId, u.active,
  json_extract(u.data, '$.displayName') AS displayName,
  (SELECT json_group_array(e.value) FROM (SELECT value FROM user_values WHERE user_pk = u.pk AND attr = 'emails' AND value IS NOT NULL ORDER BY "primary" DESC, rowid) e) AS emailsJson,
  (SELECT json_group_array(json_object('targetId', l.target_id, 'state', l.state, 'remoteId', l.remote_id, 'lastAttemptAt', l.last_attempt_at,
     'lastSuccessAt', l.last_success_at, 'nextAttemptAt', l.next_attempt_at, 'lastError', l.last_error))
     FROM links l WHERE l.resource_type = 'User' AND l.resource_id = u.id) AS linksJson`;

function toUserRecord(r: RawUser): UserRecord {
  return {
    id: r.id,
    userName: r.userName,
    displayName: typeof r.displayName === 'string' ? r.displayName : null,
    // the directory stores a missing `active` as NULL; SCIM users are active unless told otherwise
    active: r.active !== 0,
    emails: JSON.parse(r.emailsJson) as string[],
    externalId: r.externalId,
    links: JSON.parse(r.linksJson) as UserLinkRow[],
  };
}

export const LOOKUP_KINDS = ['userNames', 'emails', 'externalIds', 'ids'] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

/** How each kind of key finds its users, all through an index; `fold` is how keys compare. */
const LOOKUP_SQL: Record<LookupKind, { key: string; from: string; where: string; fold: boolean }> = {
  userNames: { key: 'u.user_name_lower', from: 'users u', where: 'u.user_name_lower', fold: true },
  emails: { key: 'v.value_lower', from: "user_values v JOIN users u ON u.pk = v.user_pk AND v.attr = 'emails'", where: 'v.value_lower', fold: true },
  externalIds: { key: 'u.external_id', from: 'users u', where: 'u.external_id', fold: false },
  ids: { key: 'u.id', from: 'users u', where: 'u.id', fold: false },
};

export const lookupKeyOf = (kind: LookupKind, key: string) => (LOOKUP_SQL[kind].fold ? key.toLowerCase() : key);

const chunk = <T>(items: readonly T[], size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Finds the users for many keys of several kinds in one D1 round trip (one batch: the targets,
 * then a statement per kind per 100 keys). Keys come back folded as `lookupKeyOf` folds them; a
 * key that matches several users (a shared email) yields the oldest.
 */
export async function lookupUsers(
  d1: D1Database,
  keys: Partial<Record<LookupKind, readonly string[]>>,
): Promise<{ targets: TargetRef[]; found: Record<LookupKind, Map<string, UserRecord>> }> {
  const plan: { kind: LookupKind; stmt: D1PreparedStatement }[] = [];
  for (const kind of LOOKUP_KINDS) {
    const q = LOOKUP_SQL[kind];
    const folded = [...new Set((keys[kind] ?? []).map((k) => lookupKeyOf(kind, k)))];
    for (const part of chunk(folded, MAX_PARAMS)) {
      const sqlText = `SELECT ${q.key} AS key, ${USER_SELECT} FROM ${q.from} WHERE ${q.where} IN (${part.map(() => '?').join(', ')}) ORDER BY u.pk`;
      plan.push({ kind, stmt: d1.prepare(sqlText).bind(...part) });
    }
  }
  const [targetsResult, ...results] = await d1.batch([d1.prepare('SELECT id, name, status FROM targets ORDER BY created, id'), ...plan.map((p) => p.stmt)]);
  const found = Object.fromEntries(LOOKUP_KINDS.map((k) => [k, new Map<string, UserRecord>()])) as Record<LookupKind, Map<string, UserRecord>>;
  results.forEach((result, i) => {
    const map = found[plan[i]!.kind];
    for (const row of result!.results as RawUser[]) if (!map.has(row.key)) map.set(row.key, toUserRecord(row));
  });
  return { targets: targetsResult!.results as TargetRef[], found };
}

export interface UserSearch {
  userName?: string;
  email?: string;
  externalId?: string;
  q?: string;
  limit: number;
}

/** Beyond every other code point: `x <= s < x || MAX_CHAR` is "s starts with x", indexably. */
const MAX_CHAR = '\u{10FFFF}';

/**
 * Searches the directory: the given filters all apply (exact, userName and email
 * case-insensitively); `q` matches a userName or email prefix, or an exact externalId or id.
 * Ordered by userName. Each term is an indexed lookup, so SQLite answers the OR by a union.
 */
export async function searchUsers(d1: D1Database, s: UserSearch): Promise<{ targets: TargetRef[]; users: UserRecord[] }> {
  const where: string[] = [];
  const params: string[] = [];
  const add = (clause: string, ...values: string[]) => {
    where.push(clause);
    params.push(...values);
  };
  const emailIn = (cmp: string) => `u.pk IN (SELECT user_pk FROM user_values WHERE attr = 'emails' AND ${cmp})`;
  if (s.userName) add('u.user_name_lower = ?', s.userName.toLowerCase());
  if (s.email) add(emailIn('value_lower = ?'), s.email.toLowerCase());
  if (s.externalId) add('u.external_id = ?', s.externalId);
  if (s.q) {
    const low = s.q.toLowerCase();
    const prefix = (col: string) => `${col} >= ? AND ${col} < ?`;
    add(`(${prefix('u.user_name_lower')} OR ${emailIn(prefix('value_lower'))} OR u.external_id = ? OR u.id = ?)`, low, low + MAX_CHAR, low, low + MAX_CHAR, s.q, s.q);
  }
  const sqlText = `SELECT '' AS key, ${USER_SELECT} FROM users u ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY u.user_name_lower LIMIT ?`;
  const [targetsResult, usersResult] = await d1.batch([
    d1.prepare('SELECT id, name, status FROM targets ORDER BY created, id'),
    d1.prepare(sqlText).bind(...params, s.limit),
  ]);
  return { targets: targetsResult!.results as TargetRef[], users: (usersResult!.results as RawUser[]).map(toUserRecord) };
}
