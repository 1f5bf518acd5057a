/**
 * The planner (issue #9): what a target should be sent next, written into its outbox at the
 * start of each of its runs. Level-triggered: it reads the change feed past the target's own
 * watermark (a change only names which resource to look at; the dispatcher reads its current
 * state), then continues a full pass over the directory if one is in progress. Nothing depends on
 * the target's status when a change happened: a paused, failing or new target has an older
 * watermark and catches up here. Each page's outbox rows and the watermark (or the pass's cursor)
 * move in one D1 batch, so a crash between pages repeats a page at worst — and coalesces.
 * For a target scoped by groups or a filter, a page with group changes also enqueues every user
 * whose place on the target now disagrees with the scope (db/scope.ts enqueueScopeDrift): members
 * added or removed, directly or through nested groups, with no record of who was removed.
 */
import type { SyncState, Target } from '../../../shared/src/targets';
import { advanceWatermark, readChangePage } from '../db/change-feed';
import { enqueueResources } from '../db/outbox';
import { enqueueScopeDrift } from '../db/scope';
import { inScopeOrLinked } from '../db/scope-conditions';
import { readResourcePage, saveSyncState } from '../db/sync-state';
import { groupScopeCondition, scopeCondition } from './scope';
import type { SqlFragment } from '../directory/types';

/** changes read per page (one read, one batch) */
const CHANGE_PAGE = 1000;
/** resources a full pass enqueues per page */
const SYNC_PAGE = 500;
/**
 * pages per run at most (each is a read and a batch, for the feed and again for a full pass): the
 * rest waits for the next run, so planning never eats a run's D1 budget. The dispatcher asks for
 * fewer when its invocation has fewer queries left (the Free plan's 50).
 */
export const MAX_PAGES = 20;
/** D1 queries one page of the feed and one of a full pass cost together */
export const QUERIES_PER_PAGE = 4;

export interface PlanResult {
  /** changes read from the feed */
  changes: number;
  /** resources a full pass enqueued */
  synced: number;
  /** the feed and any full pass are read to the end */
  caughtUp: boolean;
}

type PlannedTarget = Pick<Target, 'id' | 'pushGroups' | 'watermark' | 'sync' | 'scope'>;

export async function catchUp(db: D1Database, target: PlannedTarget, now: Date, maxPages = MAX_PAGES): Promise<PlanResult> {
  const feed = await readFeed(db, target, now, maxPages);
  const pass = target.sync && target.sync.phase !== 'done' ? await continueSync(db, target, target.sync, now, maxPages) : { synced: 0, done: true };
  return { changes: feed.changes, synced: pass.synced, caughtUp: feed.done && pass.done };
}

async function readFeed(db: D1Database, target: PlannedTarget, now: Date, maxPages: number): Promise<{ changes: number; done: boolean }> {
  let watermark = target.watermark;
  let changes = 0;
  for (let page = 0; page < maxPages; page++) {
    const rows = await readChangePage(db, watermark, CHANGE_PAGE);
    if (rows.length === 0) return { changes, done: true };
    changes += rows.length;
    const last = rows[rows.length - 1]!.seq;
    // Coalesced per resource: a user changed five times in the page is one row.
    const users = new Set<string>();
    const groups = new Set<string>();
    for (const r of rows) (r.resourceType === 'User' ? users : groups).add(r.resourceId);
    await db.batch([
      ...enqueueResources(db, target.id, 'User', [...users], last, now),
      ...(target.pushGroups ? enqueueResources(db, target.id, 'Group', [...groups], last, now) : []),
      // A membership change moves users in or out of a scope without a change of their own (issue #13).
      ...(groups.size > 0 && target.scope.kind !== 'all' ? [enqueueScopeDrift(db, scopeCondition(target.scope, target.id, 'u.id'), target.id, last, now)] : []),
      advanceWatermark(db, target.id, last),
    ]);
    watermark = last;
    if (rows.length < CHANGE_PAGE) return { changes, done: true };
  }
  return { changes, done: false };
}

/**
 * What a full pass of a scoped target needs to look at (issue #13): users in scope, and users
 * with an account on the target (they may be leaving it); a group scope's groups. Users out of
 * scope and never sent need nothing, so a group of 100 in a directory of 10,000 costs 100 rows.
 */
function passOnly(target: PlannedTarget, type: 'User' | 'Group'): SqlFragment | undefined {
  if (target.scope.kind === 'all') return undefined;
  if (type === 'Group') return groupScopeCondition(target.scope, 'groups.pk') ?? undefined;
  return inScopeOrLinked(scopeCondition(target.scope, target.id, 'users.id'), target.id);
}

/** Users first, then groups (whose pushes wait for their members' links anyway). */
async function continueSync(db: D1Database, target: PlannedTarget, start: SyncState, now: Date, maxPages: number): Promise<{ synced: number; done: boolean }> {
  let state = start;
  let synced = 0;
  for (let page = 0; page < maxPages && state.phase !== 'done'; page++) {
    const type = state.phase === 'users' ? 'User' : 'Group';
    const rows = await readResourcePage(db, type, state.afterPk, SYNC_PAGE, passOnly(target, type));
    const full = rows.length === SYNC_PAGE;
    const next: SyncState = full
      ? { ...state, afterPk: rows[rows.length - 1]!.pk, enqueued: state.enqueued + rows.length }
      : type === 'User' && target.pushGroups
        ? { ...state, phase: 'groups', afterPk: 0, enqueued: state.enqueued + rows.length }
        : { ...state, phase: 'done', afterPk: 0, enqueued: state.enqueued + rows.length, finishedAt: now.toISOString() };
    await db.batch([
      ...enqueueResources(
        db,
        target.id,
        type,
        rows.map((r) => r.id),
        state.seq,
        now,
      ),
      saveSyncState(db, target.id, next),
    ]);
    synced += rows.length;
    state = next;
  }
  return { synced, done: state.phase === 'done' };
}
