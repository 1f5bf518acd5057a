/**
 * What grows with every write and is only history once read: the change log past every target's
 * watermark, the audit log, finished provisioning runs and finished import runs. The cron prunes
 * them a slice at a time, so the database holds the directory rather than its past (README
 * "Retention"). One batch per cron invocation: one D1 query, whatever the plan.
 *
 * Each statement takes the table's oldest rows by rowid (ids grow with time) and deletes those
 * past the cutoff, so it reads at most `slice` rows through the primary key — never a scan of
 * the recent rows, which are most of the table.
 */

/** Rows per table per cron invocation: 1,440 invocations a day prune up to 720,000 rows a table. */
export const PRUNE_SLICE = 500;
/** A change every target has planned is kept this long after it was made (for the admin's eyes, not the engine's). */
export const CHANGES_KEEP_DAYS = 7;
export const DEFAULT_AUDIT_DAYS = 90;

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

/**
 * The audit log's retention in days: RELAY_AUDIT_RETENTION_DAYS, a whole number of at least one
 * day (the deletion threshold's window reads the last hours of it), else the default.
 */
export function auditRetentionDays(value: string | undefined): number {
  const days = Number(value);
  return value !== undefined && Number.isInteger(days) && days >= 1 ? days : DEFAULT_AUDIT_DAYS;
}

function pruneStatements(db: D1Database, now: Date, auditDays: number, slice = PRUNE_SLICE): D1PreparedStatement[] {
  const auditCutoff = daysBefore(now, auditDays);
  return [
    // A change no target still has to plan: below every target's watermark (a paused target
    // keeps its own), never the newest row (the feed's head), and older than CHANGES_KEEP_DAYS.
    // With no targets at all, everything but the head may go.
    db
      .prepare(
        `DELETE FROM changes WHERE seq IN (SELECT seq FROM changes ORDER BY seq LIMIT ?1)
            AND seq <= (SELECT coalesce(min(watermark), (SELECT max(seq) FROM changes)) FROM targets)
            AND seq < (SELECT max(seq) FROM changes)
            AND at < ?2`,
      )
      .bind(slice, daysBefore(now, CHANGES_KEEP_DAYS)),
    db.prepare('DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events ORDER BY id LIMIT ?1) AND at < ?2').bind(slice, auditCutoff),
    // Finished runs past the audit's retention, keeping each target's newest (the console shows it).
    db
      .prepare(
        `DELETE FROM runs WHERE rowid IN (SELECT rowid FROM runs ORDER BY rowid LIMIT ?1)
            AND finished_at IS NOT NULL AND started_at < ?2
            AND id <> (SELECT r.id FROM runs r WHERE r.target_id = runs.target_id ORDER BY r.started_at DESC LIMIT 1)`,
      )
      .bind(slice, auditCutoff),
    // Finished import runs likewise; a held (awaiting approval) or stopped run stays, and so does
    // each source's newest, whatever its age.
    db
      .prepare(
        `DELETE FROM import_runs WHERE rowid IN (SELECT rowid FROM import_runs ORDER BY rowid LIMIT ?1)
            AND status IN ('done', 'failed') AND started_at < ?2
            AND id <> (SELECT r.id FROM import_runs r WHERE r.source_id = import_runs.source_id ORDER BY r.started_at DESC LIMIT 1)`,
      )
      .bind(slice, auditCutoff),
  ];
}

export interface Pruned {
  changes: number;
  auditEvents: number;
  runs: number;
  importRuns: number;
}

/** One slice of each table, in one batch (one D1 query); what went, per table. */
export async function pruneHistory(db: D1Database, now: Date, auditDays: number, slice = PRUNE_SLICE): Promise<Pruned> {
  const [changes, auditEvents, runs, importRuns] = (await db.batch(pruneStatements(db, now, auditDays, slice))).map((r) => r.meta.changes ?? 0);
  return { changes: changes!, auditEvents: auditEvents!, runs: runs!, importRuns: importRuns! };
}
