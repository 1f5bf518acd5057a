/**
 * The per-operation path of a run: `concurrency` lanes take rows from one queue, and the queue is
 * refilled (claim, then the batch's users, links and batch match) while the lanes still have work,
 * so the target never waits for the relay's own bookkeeping between claims. Outcomes are committed
 * in the background, a few hundred rows per D1 batch, in order. Memory is O(claim): a row's
 * preloaded state and its outcome are dropped once committed.
 */
import type { Target } from '../../../shared/src';
import { auditStatements, type AuditEvent } from '../db/audit';
import { claimOutbox, completeOutboxMany, releaseOutbox, type OutboxRow } from '../db/outbox';
import type { Env } from '../env';
import { MATCH_CHUNK, preloadUsers } from './bulk-batch';
import { type Budget, chargeCpu, cpuItemsLeft, hasRoom, requestsLeft } from '../limits/budget';
import { CPU_MS } from '../limits/cpu';
import type { Failure } from './failure';
import { processRow } from './process-row';
import type { SyncContext } from './sync-context';
import type { Preloaded } from './sync-user';

export const LEASE_MS = 5 * 60_000;
/** requests one row may cost at most (match + create/link update) */
export const REQUESTS_PER_ROW = 3;
/** D1 queries a run keeps for its end: the last commit, finishing the run, marking it scheduled */
export const FINISH_QUERIES = 3;
/** D1 queries of a refill: the claim, the preload of its users and links */
const REFILL_QUERIES = 3;
/**
 * D1 queries a group row makes: its row and link, its scope, its members, their scope and links,
 * the rows still queued, what was pushed and the record of what it pushes (sync-group.ts).
 */
export const GROUP_ROW_QUERIES = 10;
/** D1 queries a row may make itself: a user not preloaded reads its row and link. */
const rowQueries = (row: OutboxRow, preloaded: boolean) => (preloaded ? 0 : row.resourceType === 'User' ? 2 : GROUP_ROW_QUERIES);
/** rows claimed at once: a claim costs a read, the batch's D1 reads and its batch match */
const MAX_CLAIM = 300;
/** rows whose outcomes are committed in one D1 batch (about 1.3 statements a row) */
const COMMIT_ROWS = 100;
/** refill when fewer rows than this are queued per lane: a refill takes a few requests' time */
const LOW_WATER_PER_LANE = 8;

export interface LanesResult {
  /** the outbox had no claimable row left */
  drained: boolean;
  fatal?: Failure;
}

export interface Lanes {
  /**
   * Processes `rows` (Bulk's leftovers), or — without rows — claims the target's outbox until it
   * is empty or the budget or deadline is reached.
   */
  run(context: () => SyncContext, now: () => Date, rows?: OutboxRow[]): Promise<LanesResult>;
}

const isOutOfScopeUnlinked = (p: Preloaded | undefined) => p?.user?.inScope === false && !p.link?.remoteId;

export function createLanes(env: Env, target: Target, budget: Budget, deadline: number, counts: Record<string, number>, runId: string): Lanes {
  const count = (k: string, n = 1) => (counts[k] = (counts[k] ?? 0) + n);
  const interval = 1000 / target.rateLimitPerSecond;
  let nextStart = Date.now();

  return {
    async run(context, now, rows) {
      const queue: OutboxRow[] = [];
      const preloaded = new Map<string, Preloaded>();
      let inFlight = 0;
      // Out of D1 queries or CPU for another claim: no more refills this run (the rows queued still run).
      let claimsOver = false;
      // D1 queries the running rows may still make, and one for a commit under way
      let reserved = 1;
      let exhausted = false;
      let fatal: Failure | undefined;
      let refilling: Promise<void> | null = null;

      // Outcomes waiting to be committed; each commit is chained after the previous one.
      let statements: D1PreparedStatement[] = [];
      let completed: OutboxRow[] = [];
      let audit: AuditEvent[] = [];
      let rowsWaiting = 0;
      let committing: Promise<unknown> = Promise.resolve();
      const commit = () => {
        if (statements.length === 0 && completed.length === 0 && audit.length === 0) return;
        const batch = [...statements, ...completeOutboxMany(env.DB, completed, now()), ...auditStatements(env.DB, audit)];
        statements = [];
        completed = [];
        audit = [];
        rowsWaiting = 0;
        committing = committing.then(() => env.DB.batch(batch));
      };

      const add = async (batch: OutboxRow[]) => {
        const ctx = context();
        const loaded = await preloadUsers(ctx, batch);
        budget.requests -= ctx.requests;
        audit.push(...ctx.audit);
        for (const [id, p] of loaded) preloaded.set(id, p);
        queue.push(...batch);
      };
      // Requests the queued and running rows may still need (~1 each; 2 keeps a margin).
      const room = () => requestsLeft(budget) - 2 * (queue.length + inFlight);
      const refill = async () => {
        // No more rows than the CPU left provisions (limits/cpu.ts: 6 a Free invocation). The
        // CPU does not come back within the run, so its end is the end of the claims: a refill
        // that returned without claiming or ending them would be asked again at once, forever.
        const cpuFit = cpuItemsLeft(budget, CPU_MS.outboundRow);
        if (cpuFit < 1 || !hasRoom(budget, 0, FINISH_QUERIES + reserved + REFILL_QUERIES)) {
          claimsOver = true;
          return;
        }
        // Whole batch-match chunks: a claim of 217 would cost a fifth search for 17 users.
        const fit = Math.min(MAX_CLAIM, Math.floor(room() / 2), cpuFit);
        const limit = fit > MATCH_CHUNK ? fit - (fit % MATCH_CHUNK) : fit;
        if (limit < 1) return;
        const claimed = await claimOutbox(env.DB, target.id, limit, now(), LEASE_MS, runId);
        if (claimed.length === 0) {
          exhausted = true;
          return;
        }
        count('claimed', claimed.length);
        chargeCpu(budget, claimed.length * CPU_MS.outboundRow);
        await add(claimed);
      };
      // A row released unsent gives back the CPU its claim charged: only what was provisioned is spent.
      const unclaim = () => chargeCpu(budget, -CPU_MS.outboundRow);
      // A row starts only while its requests and D1 queries fit with the run's end still paid for.
      const canStart = (queries = 0) => !fatal && hasRoom(budget, REQUESTS_PER_ROW, FINISH_QUERIES + reserved + queries) && Date.now() <= deadline;

      if (rows) {
        await add(rows);
        exhausted = true;
      }
      const lane = async () => {
        for (;;) {
          if (!exhausted && !claimsOver && !refilling && queue.length < LOW_WATER_PER_LANE * target.concurrency && canStart() && room() >= 2) {
            refilling = refill().finally(() => (refilling = null));
          }
          const row = queue.shift();
          if (!row) {
            if (refilling) {
              await refilling;
              continue;
            }
            return;
          }
          const p = preloaded.get(row.resourceId);
          preloaded.delete(row.resourceId);
          const queries = rowQueries(row, p !== undefined);
          if (!canStart(queries)) {
            statements.push(releaseOutbox(env.DB, row));
            unclaim();
            continue;
          }
          // Reserved before the rate limit's wait: lanes that all passed canStart() while waiting
          // took the same room, and a group push could start past the Free plan's 50.
          inFlight++;
          reserved += queries;
          // Rate limit: starts are spaced by 1/rate seconds across the lanes — except a user out of
          // the target's scope with no account there (issue #13), which sends nothing.
          if (!isOutOfScopeUnlinked(p)) {
            const wait = nextStart - Date.now();
            nextStart = Math.max(nextStart, Date.now()) + interval;
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          const ctx = context();
          const result = await processRow(ctx, row, p);
          inFlight--;
          reserved -= queries;
          budget.requests -= ctx.requests;
          // A group waiting for its members that sent nothing is released, not provisioned: the
          // CPU back may claim rows another lane found no CPU for while this one ran.
          if (result.outcome.deferred && ctx.requests === 0) {
            unclaim();
            claimsOver = false;
          }
          statements.push(...result.statements);
          if (result.completed) completed.push(result.completed);
          audit.push(...result.audit);
          if (++rowsWaiting >= COMMIT_ROWS) commit();
          count(result.outcome.ok ? result.outcome.action : `failed_${result.outcome.failure?.kind ?? 'unknown'}`);
          if (result.fatal) fatal ??= result.fatal;
        }
      };
      try {
        await Promise.all(Array.from({ length: Math.max(1, target.concurrency) }, lane));
      } finally {
        commit();
        await committing;
      }
      return { drained: exhausted && !rows && queue.length === 0, ...(fatal ? { fatal } : {}) };
    },
  };
}
