/**
 * CPU, which a Worker cannot read: `Date.now()` stands still while it computes (a Spectre
 * mitigation), so no budget can watch its own CPU time. The plan's CPU limit (10 ms on Free,
 * 30 s on Paid) is kept by a cost model instead: per item of work, what `npm run bench:limits`
 * measured as workerd process CPU — an upper bound, since it includes workerd's HTTP and the
 * local SQLite, which on Cloudflare runs inside D1 and is not the Worker's CPU.
 *
 * Every budget (budget.ts) carries the CPU its invocation may still spend by this model; the
 * work that scales with users — a dispatch's claims, an import's pages — asks it how many items
 * fit and charges what it did.
 */
/**
 * A reconcile that finds nothing, measured: relay A's process CPU ÷ remote users compared, 0.16 ms
 * (of which 0.06 SQLite) for 2,000 users at load 11.6 (`BENCH_PHASES=queue-paid
 * BENCH_QUEUE_USERS=2000 npm run bench:limits`; the sync before it cost 0.44 ms a user).
 */
const RECONCILED_MS = 0.16;

export const CPU_MS = {
  /** an invocation's own: routing, the token, the budget, a run's bookkeeping */
  base: 2,
  /**
   * one operation of an inbound SCIM Bulk, beyond its request's `base`: bench:limits at 100,000
   * users (`BENCH_PHASES=directory`, bench/results/limits-2026-12-07T21-10-45-240Z.json) measured
   * a Bulk of 100 PATCHes at 95 ms p95 of process CPU and of 100 creates at 72.5, against ~5 ms
   * for one such request alone: (95 − 5) / 100, the dearer kind, so the charge errs high
   */
  bulkOperation: 0.9,
  /** one outbox row provisioned: mapped, sent (alone or in a Bulk), its outcome committed (bench:limits, queue phase: ~0.4 ms a user) */
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
export const itemsWithin = (cpuMs: number, perItemMs: number): number => Math.max(0, Math.floor(cpuMs / perItemMs));

/**
 * The page size an import reads at, from the profile's CPU: a Free invocation (10 ms) takes one
 * page of 11 accounts, not Drupal's 50 or WordPress's 100; Paid reads the source's own maximum.
 * A run keeps the size it started with: its next pages follow the URL it read.
 */
export const importPageSize = (cpuMs: number, sourceMaximum: number): number => pageWithin(cpuMs - CPU_MS.base, CPU_MS.importedUser, sourceMaximum);
