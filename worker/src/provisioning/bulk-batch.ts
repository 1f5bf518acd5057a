/**
 * The Bulk path (DESIGN.md "SCIM Bulk where the target's ServiceProviderConfig offers it"): a
 * batch of user rows costs a handful of requests instead of two per user. Read before write
 * still holds — unlinked users are matched first, many at once, with one `or` filter per chunk —
 * then creates, updates, deactivations and deletions go out as Bulk operations. Anything Bulk
 * cannot settle (a 409, a vanished account) falls back to the per-operation path.
 */
import { auditStatements, type AuditEvent } from '../db/audit';
import { loadUsersAndLinks } from '../db/bulk-state';
import { saveLink, type LinkUpdate } from '../db/links';
import { completeOutbox, type OutboxRow } from '../db/outbox';
import type { JsonObject } from '../scim/schema/normalize';
import { POLICY, type Failure } from './failure';
import { failureFate } from './row-fate';
import { applyMapping, changedAttributes, getPath, payloadHash, toPatchOperations } from './mapping';
import { decide, patchBody, type Decision } from './decide';
import { protectedLink, protectedReason } from './protected';
import { recordProtected } from './sync-context';
import { buildFilter } from './scim-client';
import type { SyncContext } from './sync-context';
import { storedPayload, usesEtags } from './conditional-write';
import type { Preloaded } from './sync-user';

/** Values per `or` filter: keeps the query string well under common URL limits. */
export const MATCH_CHUNK = 50;
/** Statements per D1 batch when recording a large Bulk batch. */
const COMMIT_SLICE = 500;

/**
 * For the per-operation path: reads the batch's users and links in one round trip, and matches
 * its unlinked users up front, one `or` filter per 50 users, so each new user then costs one
 * request (its create) instead of two.
 */
export async function preloadUsers(ctx: SyncContext, rows: OutboxRow[]): Promise<Map<string, Preloaded>> {
  const out = new Map<string, Preloaded>();
  const ids = rows.filter((r) => r.resourceType === 'User').map((r) => r.resourceId);
  if (ids.length === 0) return out;
  const { users, links } = await loadUsersAndLinks(ctx.db, ctx.target.id, ids, ctx.scope);
  const items = [];
  for (const id of ids) {
    const user = users.get(id) ?? null;
    const link = links.get(id) ?? null;
    out.set(id, { user, link });
    if (!user || link?.remoteId || !ctx.operations.create || user.inScope === false) continue;
    const resource: JsonObject = { id: user.id, ...(JSON.parse(user.data) as JsonObject) };
    if (resource.active === false) continue;
    items.push({ row: rows.find((r) => r.resourceId === id)!, payload: applyMapping(ctx.target.mapping, resource, 'create').payload });
  }
  if (items.length < 2) return out;
  // Chunk by chunk (side by side, within the run's request limit): a chunk whose read failed
  // leaves only its own rows to read for themselves and meet the failure with their own policy.
  const chunks: (typeof items)[] = [];
  for (let c = 0; c < items.length; c += MATCH_CHUNK) chunks.push(items.slice(c, c + MATCH_CHUNK));
  await Promise.all(
    chunks.map(async (part) => {
      const matched = await matchMany(ctx, part);
      if ('failure' in matched) return;
      for (const i of part) out.get(i.row.resourceId)!.prematched = matched.ids.get(i.row.resourceId) ?? null;
    }),
  );
  return out;
}

interface Planned extends Decision {
  row: OutboxRow;
}

export interface BulkBatchResult {
  counts: Record<string, number>;
  /** rows to run through the per-operation path */
  fallback: OutboxRow[];
  fatal?: Failure;
}

export async function processBulkBatch(ctx: SyncContext, rows: OutboxRow[], maxOperations: number): Promise<BulkBatchResult> {
  const counts: Record<string, number> = {};
  const count = (k: string, n = 1) => (counts[k] = (counts[k] ?? 0) + n);
  const { users, links } = await loadUsersAndLinks(
    ctx.db,
    ctx.target.id,
    rows.map((r) => r.resourceId),
    ctx.scope,
  );
  const planned: Planned[] = [];
  const toMatch: { row: OutboxRow; payload: JsonObject; hash: string }[] = [];
  for (const row of rows) {
    const user = users.get(row.resourceId);
    const link = links.get(row.resourceId) ?? null;
    ctx.label = { operation: 'read', resourceType: 'User', resourceId: row.resourceId };
    const d = await decide(ctx, user ? ({ id: user.id, ...(JSON.parse(user.data) as JsonObject) } as JsonObject) : null, link, user?.inScope !== false);
    const p: Planned | 'match' = d === 'match' ? d : { ...d, row };
    if (p === 'match') {
      const { payload } = applyMapping(ctx.target.mapping, { id: user!.id, ...(JSON.parse(user!.data) as JsonObject) }, 'create');
      toMatch.push({ row, payload, hash: await payloadHash(payload) });
    } else planned.push(p);
  }
  const matched = await matchMany(ctx, toMatch);
  if ('failure' in matched) return settleAll(ctx, rows, matched.failure, counts);
  for (const m of toMatch) {
    const remoteId = matched.ids.get(m.row.resourceId);
    const reason = remoteId ? protectedReason(ctx.protection, { userName: m.payload.userName, remoteId }) : null;
    if (reason) {
      ctx.label = { operation: 'match', resourceType: 'User', resourceId: m.row.resourceId };
      planned.push({
        row: m.row,
        action: 'skip',
        attributes: [],
        link: { ...protectedLink(reason, m.payload.userName), remoteId },
        protected: recordProtected(ctx, reason),
      });
      continue;
    }
    const link: LinkUpdate = { state: 'in_sync', success: true, payloadHash: m.hash, payload: JSON.stringify(m.payload), remoteState: 'active', error: null };
    const attributes = changedAttributes(undefined, m.payload);
    planned.push(
      remoteId
        ? {
            row: m.row,
            action: 'link',
            attributes,
            link: { ...link, remoteId },
            op: { method: 'PATCH', path: `/Users/${remoteId}`, data: patchBody(toPatchOperations(undefined, m.payload, [])) },
          }
        : { row: m.row, action: 'create', attributes, link, op: { method: 'POST', path: '/Users', bulkId: String(m.row.id), data: m.payload } },
    );
  }
  const fallback: OutboxRow[] = [];
  const stmts: D1PreparedStatement[] = [];
  const now = ctx.now();
  for (const p of planned.filter((x) => !x.op)) {
    stmts.push(...completeOutbox(ctx.db, p.row, now));
    if (p.link) stmts.push(saveLink(ctx.db, ctx.target.id, 'User', p.row.resourceId, p.link, now));
    count(p.action);
  }
  const sendable = planned.filter((x) => x.op);
  const parts: Planned[][] = [];
  for (let i = 0; i < sendable.length; i += maxOperations) parts.push(sendable.slice(i, i + maxOperations));
  let fatal: Failure | undefined;
  const sendPart = async (part: Planned[]) => {
    if (ctx.dryRun) {
      for (const p of part) recordOp(ctx, p, null, 'dry_run', null);
      for (const p of part) stmts.push(...completeOutbox(ctx.db, p.row, now));
      count('dry_run', part.length);
      return;
    }
    const result = await ctx.client.bulk(part.map((p) => p.op!));
    if (!result.ok) {
      stmts.push(...part.flatMap((p) => fate(ctx, p.row, result.failure, now)));
      count(`failed_${result.failure.kind}`, part.length);
      if (POLICY[result.failure.kind] === 'pause_target') fatal = result.failure;
      return;
    }
    part.forEach((p, j) => {
      const r = result.value.find((x) => (p.op!.bulkId ? x.bulkId === p.op!.bulkId : false)) ?? result.value[j];
      if (!r || r.failure) {
        const failure: Failure = r?.failure ?? { kind: 'transient', message: 'The target did not answer this Bulk operation.' };
        recordOp(ctx, p, r?.status ?? null, failure.kind, failure.message);
        // 409 (exists after all) and 404 (linked account gone) need a read: per operation.
        // 412 (changed on the target since): the per-operation path re-reads and retries at the version read.
        if (failure.kind === 'conflict' || failure.kind === 'not_found' || failure.kind === 'precondition_failed') fallback.push(p.row);
        else stmts.push(...fate(ctx, p.row, failure, now));
        count(`failed_${failure.kind}`);
        return;
      }
      const remoteId =
        p.link?.remoteId ?? (r.location ? decodeURIComponent(r.location.split('/').pop() ?? '') : undefined) ?? (r.response?.id as string | undefined);
      recordOp(ctx, p, r.status, 'ok', null);
      stmts.push(...completeOutbox(ctx.db, p.row, now));
      // The version the target answered goes with the stored payload for the next If-Match.
      const payload = p.link?.payload && r.version && usesEtags(ctx) ? { payload: storedPayload(JSON.parse(p.link.payload) as JsonObject, r.version) } : {};
      if (p.link) stmts.push(saveLink(ctx.db, ctx.target.id, 'User', p.row.resourceId, { ...p.link, ...payload, ...(remoteId ? { remoteId } : {}) }, now));
      count(p.action);
    });
  };
  // Up to the target's concurrency Bulk requests in flight.
  ctx.label = { operation: 'bulk', resourceType: 'User', resourceId: null };
  const queue = [...parts];
  await Promise.all(
    Array.from({ length: Math.min(ctx.target.concurrency, queue.length) }, async () => {
      for (let part = queue.shift(); part && !fatal; part = queue.shift()) await sendPart(part);
    }),
  );
  stmts.push(...auditStatements(ctx.db, ctx.audit));
  // Large batches in slices: each row's statements are adjacent, and a row recorded without its
  // link is re-linked by the next run's match, never duplicated.
  for (let i = 0; i < stmts.length; i += COMMIT_SLICE) await ctx.db.batch(stmts.slice(i, i + COMMIT_SLICE));
  ctx.audit.length = 0;
  return { counts, fallback, ...(fatal ? { fatal } : {}) };
}

/** Matches many unlinked users with one `or` filter per chunk, attribute by attribute. */
async function matchMany(ctx: SyncContext, items: { row: OutboxRow; payload: JsonObject }[]): Promise<{ ids: Map<string, string> } | { failure: Failure }> {
  const ids = new Map<string, string>();
  let left = items;
  ctx.label = { operation: 'match', resourceType: 'User', resourceId: null };
  for (const path of ctx.target.matching) {
    const keyed = left.map((i) => ({ i, v: getPath(i.payload, path) })).filter((x) => typeof x.v === 'string' || typeof x.v === 'number');
    const chunks: (typeof keyed)[] = [];
    for (let c = 0; c < keyed.length; c += MATCH_CHUNK) chunks.push(keyed.slice(c, c + MATCH_CHUNK));
    let failure: Failure | undefined;
    // The chunks' reads go out side by side, within the target's concurrency.
    await Promise.all(
      Array.from({ length: Math.min(ctx.target.concurrency, chunks.length) }, async () => {
        for (let part = chunks.shift(); part && !failure; part = chunks.shift()) {
          const found = await ctx.client.searchUsers(part.map((x) => buildFilter(path, x.v!)).join(' or '), part.length * 2);
          if (!found.ok) {
            failure = found.failure;
            return;
          }
          // Compare as the target would for userName-like attributes: case-insensitively.
          const byValue = new Map<string, string[]>();
          for (const r of found.value) {
            const v = getPath(r, path);
            if (v === undefined || v === null) continue;
            const k = String(v).toLowerCase();
            byValue.set(k, [...(byValue.get(k) ?? []), String(r.id)]);
          }
          for (const x of part) {
            const hits = byValue.get(String(x.v).toLowerCase()) ?? [];
            if (hits.length === 1) ids.set(x.i.row.resourceId, hits[0]!);
          }
        }
      }),
    );
    if (failure) return { failure };
    left = left.filter((i) => !ids.has(i.row.resourceId));
  }
  return { ids };
}

function fate(ctx: SyncContext, row: OutboxRow, failure: Failure, now: Date): D1PreparedStatement[] {
  const f = failureFate(ctx.db, row, failure, now);
  return [f.outbox, saveLink(ctx.db, ctx.target.id, 'User', row.resourceId, f.link, now)];
}

/** A failure of the whole request (network, 5xx, 401) is every row's failure. */
async function settleAll(ctx: SyncContext, rows: OutboxRow[], failure: Failure, counts: Record<string, number>): Promise<BulkBatchResult> {
  const now = ctx.now();
  await ctx.db.batch([...rows.flatMap((r) => fate(ctx, r, failure, now)), ...auditStatements(ctx.db, ctx.audit)]);
  ctx.audit.length = 0;
  counts[`failed_${failure.kind}`] = (counts[`failed_${failure.kind}`] ?? 0) + rows.length;
  return { counts, fallback: [], ...(POLICY[failure.kind] === 'pause_target' ? { fatal: failure } : {}) };
}

/** One audit event per Bulk operation, beside the event of the Bulk request itself. */
function recordOp(ctx: SyncContext, p: Planned, status: number | null, outcome: string, error: string | null): void {
  const e: AuditEvent = {
    at: ctx.now().toISOString(),
    targetId: ctx.target.id,
    runId: ctx.runId,
    resourceType: 'User',
    resourceId: p.row.resourceId,
    operation: p.action,
    method: p.op!.method,
    path: `/Bulk ${p.op!.path}`,
    httpStatus: status,
    durationMs: null,
    outcome,
    error,
    attributesChanged: p.attributes,
    dryRun: outcome === 'dry_run',
  };
  ctx.audit.push(e);
}
