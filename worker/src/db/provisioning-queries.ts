/**
 * Read-mostly queries behind the admin API's provisioning views: the outbox (with retry and
 * approval), runs and the audit log. Lists page by keyset, newest first, so a page costs the same
 * on row 10 as on row 1,000,000 and rows arriving meanwhile never shift a page.
 */
import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { isHeldCreation } from './held-creations';
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
  /** held by the creation threshold, not the deletion threshold (issue #13) */
  creates: sql<number>`${sql.raw(isHeldCreation('outbox'))}`.mapWith((n: number) => n === 1),
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
      clauses(inArray(outbox.state, states), f.id !== undefined ? eq(outbox.id, f.id) : undefined, f.targetId ? eq(outbox.targetId, f.targetId) : undefined),
    )
    .returning(outboxColumns);
}

/** Held deletions an admin approved become due now; the dispatcher sees `approved` and goes ahead. */
export async function approveHeldRows(d1: D1Database, f: { id?: number; targetId?: string }, now: string): Promise<OutboxItemRow[]> {
  return drizzle(d1)
    .update(outbox)
    .set({ state: 'pending', approved: true, nextAttemptAt: now, updatedAt: now })
    .where(clauses(eq(outbox.state, 'held'), f.id !== undefined ? eq(outbox.id, f.id) : undefined, f.targetId ? eq(outbox.targetId, f.targetId) : undefined))
    .returning(outboxColumns);
}

/* ───────────────────────── runs and audit ───────────────────────── */

/** Runs page by (started_at, id); the cursor carries both, joined by '|'. */
function decodeRunCursor(cursor: string): { startedAt: string; id: string } | null {
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

export async function listAudit(d1: D1Database, f: { targetId?: string; resourceId?: string; operation?: string; limit: number; cursor?: string }) {
  const rows = await drizzle(d1)
    .select()
    .from(auditEvents)
    .where(
      clauses(
        f.targetId ? eq(auditEvents.targetId, f.targetId) : undefined,
        // audit_resource_idx leads with resource_type: every resourceId the API serves is a User or Group
        f.resourceId ? and(inArray(auditEvents.resourceType, ['User', 'Group']), eq(auditEvents.resourceId, f.resourceId)) : undefined,
        f.operation ? eq(auditEvents.operation, f.operation) : undefined,
        f.cursor ? lt(auditEvents.id, Number(f.cursor)) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(f.limit + 1);
  return paged(rows, f.limit, (last) => String(last.id));
}

export type AuditRow = typeof auditEvents.$inferSelect;
