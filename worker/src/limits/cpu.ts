/**
 * CPU, which a Worker cannot read: `Date.now()` stands still while it computes (a Spectre
 * mitigation), so no budget can watch its own CPU time. The plan's CPU limit (10 ms on Free,
 * 30 s on Paid) is kept by a cost model instead: per item of work, an upper bound of what
 * `npm run bench:limits` measured.
 *
 * Every budget (budget.ts) carries the CPU its invocation may still spend by this model; the
 * work that scales with users — a dispatch's claims, an import's pages — asks it how many items
 * fit and charges what it did.
 *
 * Checked against the Worker's own CPU, measured in its isolate (bench/lib/isolate-cpu.ts: V8's
 * profiler on the worker's isolate, scaled by a pure-JS standard of known CPU; its check within
 * −12 % to +9 %), `BENCH_PHASES=queue-free,queue-paid BENCH_QUEUE_USERS=1000` and `queue-paid
 * BENCH_QUEUE_USERS=2000`, 1-minute load 3.8–4.8 on 2 shared cores (2026-12-07 22:21 and 22:32):
 * - per item the constants are upper bounds, with a margin for a slower production CPU: a Paid
 *   consumer invocation provisioned 1,000 and 2,000 rows at 0.21 and 0.16 ms a row, its fixed
 *   part included (`outboundRow` 0.4: ≥ 1.9×); a Paid "Reconcile now" compared 1,000 and 2,000
 *   users at 0.09 and 0.06 ms a user (`reconciledUser` 0.16: ≥ 1.7×); `GET /plan` decided 200
 *   rows in 10.3 ms p50, 18.6 p95 at 20,000 users (`plannedRow` 0.1 a row: the p95's 0.09);
 * - an invocation's fixed part is charged on its own: `base` for the invocation, and
 *   `targetRun` for each target's run it makes (issue #11). Before them, a Free consumer
 *   invocation of 19 rows measured 11.4 ms mean, 18.6 p95, 32.2 max against the 9.6 ms charged
 *   then (2 + 19 × 0.4): its ~11 D1 queries through the D1 client, two parses of its target, the
 *   claim, the Bulk request and the commit cost 8–13 ms, not 2. With one D1 round trip fewer and
 *   the target read and parsed once (dispatcher.ts, targets.ts), it is ~7.4 ms (TARGET_RUN_MS),
 *   so a Free invocation provisions 6 rows (10 − 2 − 5.5 at 0.4), not 20 — and holds one run, so
 *   due targets take turns (dispatcher.ts). A reconcile's fixed part is not charged on its own
 *   yet; `importedUser` is not measured there (bench:limits runs no import).
 */
/**
 * A reconcile that finds nothing: relay A's process CPU ÷ remote users compared, 0.16 ms (of which
 * 0.06 SQLite) for 2,000 users at load 11.6 (`BENCH_PHASES=queue-paid BENCH_QUEUE_USERS=2000
 * npm run bench:limits`); the Worker's own CPU measured in its isolate since: 0.06 ms a user.
 */
const RECONCILED_MS = 0.16;

/**
 * A Free consumer invocation's fixed part, measured in its isolate (`BENCH_PHASES=queue-free
 * BENCH_QUEUE_USERS=1000`, 2026-12-07 22:54, load 3.9–5.5, after issue #11's cuts): 51
 * invocations of 20 rows spent 10.6 ms mean (8.9 p50), of which 20 × 0.16 ms (the per-row cost
 * a Paid invocation of 2,000 rows measured, its fixed part included, so an upper bound) are
 * rows: 7.4 ms fixed, the invocation's `base` 2 of it. Charged so, a Free invocation provisions
 * 6 rows for 9.9 ms: measured (23:08, load 3.0–4.5) 7.3 ms mean, 6.8 p50, 11.1 p95, 32.6 max (the
 * first, a cold isolate), 21 of 167 over their charge; through the two runs' means ~5.8 ms fixed
 * and ~0.24 a row. The mean is covered, the tail is not (README, "Worker CPU, measured").
 */
const TARGET_RUN_MS = 5.5;

export const CPU_MS = {
  /** an invocation's own: routing, the token, the budget (a SCIM or admin request: 0.5–2 ms measured in the isolate) */
  base: 2,
  /**
   * one target's run beyond its invocation's `base`, whatever it sends: the run lease, reading and
   * parsing the target, its change feed, the run's start and guards, the claim and the preload
   * of its users and links, the Bulk request's own part, the commit, the finish — ~9 D1 queries
   * through the D1 client at ~0.2 ms each (issue #11; see TARGET_RUN_MS)
   */
  targetRun: TARGET_RUN_MS,
  /**
   * one operation of an inbound SCIM Bulk, beyond its request's `base`: bench:limits at 100,000
   * users (`BENCH_PHASES=directory`, bench/results/limits-2026-12-07T21-10-45-240Z.json) measured
   * a Bulk of 100 PATCHes at 95 ms p95 of process CPU and of 100 creates at 72.5, against ~5 ms
   * for one such request alone: (95 − 5) / 100, the dearer kind, so the charge errs high (the Worker's own CPU, measured since in its isolate at 20,000 users: 41 ms p95
   * for the 100 PATCHes, 10.6 for the creates)
   */
  bulkOperation: 0.9,
  /** one outbox row provisioned: mapped, sent (alone or in a Bulk), its outcome committed (bench:limits, queue phase: ~0.4 ms a user of process CPU, 0.16 of the Worker's own) */
  outboundRow: 0.4,
  /** one account read from a source page and applied to the directory (bench:limits model: ~0.7 ms a user) */
  importedUser: 0.7,
  /** one remote account (or group) read by reconcile and compared with what the directory says (bench:limits, queue phases' reconcile: RECONCILED_MS) */
  reconciledUser: RECONCILED_MS,
  /** one waiting row decided for GET /targets/{id}/plan: mapped and hashed (bench:limits at 20,000 users: 200 rows in ~20 ms) */
  plannedRow: 0.1,
} as const;

/**
 * A page size that fits `cpuMs` at `perItemMs` an item: at least 1, at most what the other side serves.
 * Reconcile reads a target's pages at the size its run's first budget allows (a Free cron's
 * quarter share reads smaller pages than a Free "Reconcile now"), and keeps it for the run.
 */
export const pageWithin = (cpuMs: number | undefined, perItemMs: number, maximum: number): number =>
  cpuMs === undefined ? maximum : Math.max(1, Math.min(maximum, itemsWithin(cpuMs, perItemMs)));

/** How many items of `perItemMs` fit in `cpuMs`. */
export const itemsWithin = (cpuMs: number, perItemMs: number): number => Math.max(0, Math.floor(cpuMs / perItemMs + ROUNDING));
/** Charges in ms add up in binary floating point: 6.3 − 5.5 is 0.7999…, which must still hold 2 rows of 0.4. */
const ROUNDING = 1e-9;

/**
 * The page size an import reads at, from the profile's CPU: a Free invocation (10 ms) takes one
 * page of 11 accounts, not Drupal's 50 or WordPress's 100; Paid reads the source's own maximum.
 * A run keeps the size it started with: its next pages follow the URL it read.
 */
export const importPageSize = (cpuMs: number, sourceMaximum: number): number => pageWithin(cpuMs - CPU_MS.base, CPU_MS.importedUser, sourceMaximum);
