/**
 * Drives relay A's cron the way Cron Triggers would — one `scheduled` invocation at a time,
 * through Miniflare's trigger route — until a target's outbox is empty, and records each tick.
 */
import type { D1Like } from './runtime.ts';

/** wrangler.toml's cron; the handler ignores which cron fired it. */
export const CRON = '*/5 * * * *';
/** Miniflare 4 (wrangler's) serves the cron here with `unsafeTriggerHandlers`; 5.x: /cdn-cgi/local/scheduled. */
export const SCHEDULED_ROUTE = '/cdn-cgi/handler/scheduled';

export interface Tick {
  /** wall time of the `scheduled` invocation (it answers when the handler has returned) */
  ms: number;
  /** outbox rows the run claimed, and its counts (created, updated, skip, failed_…) */
  counts: Record<string, number>;
  runStatus: string;
  /** rows left for the target after the tick */
  left: number;
}

export interface DrainResult {
  /** first tick sent to outbox empty (includes the bench's own bookkeeping between ticks) */
  ms: number;
  /** sum of the ticks' own wall times */
  tickMs: number;
  ticks: Tick[];
  /** rows left when the drain stopped (0 when drained) */
  left: number;
  /** why the drain stopped early, if it did */
  stuck?: string;
  /** seconds waited for rows in retry backoff */
  backoffWaitS: number;
}

/**
 * Work the target still has: its outbox rows, plus one while its watermark is behind the change
 * feed or a full pass is still enqueuing (issue #9: a run plans those into the outbox first).
 */
async function outboxLeft(db: D1Like, targetId: string): Promise<number> {
  const row = await db
    .prepare(
      `SELECT (SELECT count(*) FROM outbox WHERE target_id = ?1)
            + (SELECT CASE WHEN t.watermark < (SELECT coalesce(max(seq), 0) FROM changes)
                             OR coalesce(json_extract(t.sync_state, '$.phase'), 'done') <> 'done' THEN 1 ELSE 0 END
                 FROM targets t WHERE t.id = ?1) AS n`,
    )
    .bind(targetId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function lastRun(db: D1Like, targetId: string): Promise<{ counts: Record<string, number>; status: string } | null> {
  const row = await db
    .prepare('SELECT counts, status FROM runs WHERE target_id = ? ORDER BY rowid DESC LIMIT 1')
    .bind(targetId)
    .first<{ counts: string; status: string }>();
  return row ? { counts: JSON.parse(row.counts) as Record<string, number>, status: row.status } : null;
}

/** Rows that no tick will take: failed, dead or held ones, or pending ones due later. */
async function blocked(db: D1Like, targetId: string): Promise<{ states: Record<string, number>; nextDue: string | null }> {
  const { results } = await db
    .prepare('SELECT state, count(*) AS n, min(next_attempt_at) AS due FROM outbox WHERE target_id = ? GROUP BY state')
    .bind(targetId)
    .all<{ state: string; n: number; due: string }>();
  return { states: Object.fromEntries(results.map((r) => [r.state, r.n])), nextDue: results.find((r) => r.state === 'pending')?.due ?? null };
}

export interface DrainOptions {
  db: D1Like;
  relayUrl: string;
  targetId: string;
  maxTicks: number;
  /** longest wait for rows in retry backoff before giving up */
  maxBackoffWaitS: number;
  onTick?: (tick: Tick, index: number) => void;
}

export async function drainOutbox(opts: DrainOptions): Promise<DrainResult> {
  const { db, targetId } = opts;
  const ticks: Tick[] = [];
  let backoffWaitS = 0;
  const t0 = performance.now();
  let left = await outboxLeft(db, targetId);
  let stuck: string | undefined;
  while (left > 0) {
    if (ticks.length >= opts.maxTicks) {
      stuck = `${left} rows left after ${ticks.length} ticks`;
      break;
    }
    // isDue(): a scheduled target runs once per intervalMinutes (≥ 1); each tick stands for the
    // next cron firing after the interval has passed.
    await db.prepare('UPDATE targets SET last_scheduled_at = NULL WHERE id = ?').bind(targetId).run();
    const t = performance.now();
    const res = await fetch(`${opts.relayUrl}${SCHEDULED_ROUTE}?cron=${encodeURIComponent(CRON)}`);
    const body = await res.text();
    const ms = performance.now() - t;
    if (res.status !== 200) throw new Error(`scheduled handler answered ${res.status}: ${body.slice(0, 300)}`);
    const run = await lastRun(db, targetId);
    left = await outboxLeft(db, targetId);
    const tick: Tick = { ms, counts: run?.counts ?? {}, runStatus: run?.status ?? 'none', left };
    ticks.push(tick);
    opts.onTick?.(tick, ticks.length - 1);
    if (run?.status === 'failed') {
      stuck = `the run failed (target paused?): ${JSON.stringify(run.counts)}`;
      break;
    }
    if (left > 0 && !((tick.counts.claimed ?? 0) > 0)) {
      const b = await blocked(db, targetId);
      const waitMs = b.nextDue ? Date.parse(b.nextDue) - Date.now() : Number.NaN;
      if (Number.isFinite(waitMs) && waitMs > 0 && backoffWaitS + waitMs / 1000 <= opts.maxBackoffWaitS) {
        backoffWaitS += waitMs / 1000;
        await new Promise((r) => setTimeout(r, waitMs + 50));
        continue;
      }
      stuck = `nothing claimable: ${JSON.stringify(b.states)}${b.nextDue ? `, next due ${b.nextDue}` : ''}`;
      break;
    }
  }
  return { ms: performance.now() - t0, tickMs: ticks.reduce((s, x) => s + x.ms, 0), ticks, left, ...(stuck ? { stuck } : {}), backoffWaitS };
}
