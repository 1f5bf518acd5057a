/**
 * What relay A sent, read back from its audit log: every outbound request is one audit event;
 * a Bulk request adds one event per operation inside it (path "/Bulk <method path>"), which are
 * not requests of their own.
 */
import { percentile } from './load.ts';
import type { D1Like } from './runtime.ts';

/** Events that are real requests: sent (not dry run), with a method, and not a Bulk operation. */
const IS_REQUEST = "method IS NOT NULL AND path IS NOT NULL AND path NOT LIKE '/Bulk %' AND dry_run = 0";
const IS_BULK_OP = "path LIKE '/Bulk %'";

export interface RequestKind {
  /** e.g. "GET /Users?filter", "POST /Users", "PATCH /Users/{id}", "POST /Bulk" */
  kind: string;
  operation: string;
  count: number;
  failed: number;
  /** as relay A timed them (send to body read, Date.now() in workerd: whole ms) */
  p50Ms: number;
  p95Ms: number;
}

export interface Traffic {
  requests: number;
  failedRequests: number;
  /** operations carried inside Bulk requests */
  bulkOperations: number;
  failedBulkOperations: number;
  kinds: RequestKind[];
  /** distinct users that any request or Bulk operation named */
  usersTouched: string[];
}

/** The highest audit id so far: traffic after it belongs to the next phase. */
export async function auditMark(db: D1Like): Promise<number> {
  return (await db.prepare('SELECT coalesce(max(id), 0) AS id FROM audit_events').first<{ id: number }>())?.id ?? 0;
}

/** "/Users?filter=…" → "/Users?filter", "/Users/abc" → "/Users/{id}". */
function shape(method: string, path: string): string {
  const p = path.replace(/\?([^=&]+)=.*$/, '?$1').replace(/^\/(Users|Groups)\/[^/?]+/, '/$1/{id}');
  return `${method} ${p}`;
}

export async function trafficSince(db: D1Like, targetId: string, mark: number): Promise<Traffic> {
  const { results: reqs } = await db
    .prepare(`SELECT method, path, operation, outcome, duration_ms AS ms FROM audit_events WHERE target_id = ? AND id > ? AND ${IS_REQUEST}`)
    .bind(targetId, mark)
    .all<{ method: string; path: string; operation: string; outcome: string; ms: number | null }>();
  const ops = await db
    .prepare(`SELECT count(*) AS n, sum(outcome <> 'ok') AS failed FROM audit_events WHERE target_id = ? AND id > ? AND ${IS_BULK_OP}`)
    .bind(targetId, mark)
    .first<{ n: number; failed: number | null }>();
  const { results: touched } = await db
    .prepare(
      "SELECT DISTINCT resource_id AS id FROM audit_events WHERE target_id = ? AND id > ? AND resource_type = 'User' AND resource_id IS NOT NULL AND method IS NOT NULL",
    )
    .bind(targetId, mark)
    .all<{ id: string }>();
  const byKind = new Map<string, { operation: string; ms: number[]; failed: number }>();
  for (const r of reqs) {
    const key = shape(r.method, r.path);
    const k = byKind.get(key) ?? { operation: r.operation, ms: [], failed: 0 };
    if (r.ms !== null) k.ms.push(r.ms);
    if (r.outcome !== 'ok') k.failed++;
    byKind.set(key, k);
  }
  const kinds = [...byKind].map(([kind, k]) => {
    const sorted = k.ms.sort((a, b) => a - b);
    return { kind, operation: k.operation, count: k.ms.length, failed: k.failed, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
  });
  return {
    requests: reqs.length,
    failedRequests: reqs.filter((r) => r.outcome !== 'ok').length,
    bulkOperations: ops?.n ?? 0,
    failedBulkOperations: ops?.failed ?? 0,
    kinds: kinds.sort((a, b) => b.count - a.count),
    usersTouched: touched.map((t) => t.id),
  };
}
