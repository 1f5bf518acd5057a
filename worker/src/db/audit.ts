/** Audit events and runs. */
export interface AuditEvent {
  at: string;
  targetId: string;
  runId: string | null;
  resourceType: string | null;
  resourceId: string | null;
  operation: string;
  method: string | null;
  path: string | null;
  httpStatus: number | null;
  durationMs: number | null;
  outcome: string;
  error: string | null;
  attributesChanged: string[] | null;
  dryRun: boolean;
}

const AUDIT_COLUMNS = 14;
/** Rows per INSERT: D1 binds at most 100 parameters per statement. */
const AUDIT_ROWS_PER_STATEMENT = Math.floor(100 / AUDIT_COLUMNS);

/** Multi-row INSERTs (seven events a statement): a run writes one event per request. */
export function auditStatements(db: D1Database, events: readonly AuditEvent[]): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < events.length; i += AUDIT_ROWS_PER_STATEMENT) {
    const part = events.slice(i, i + AUDIT_ROWS_PER_STATEMENT);
    out.push(
      db
        .prepare(
          `INSERT INTO audit_events (at, target_id, run_id, resource_type, resource_id, operation, method, path, http_status, duration_ms, outcome, error, attributes_changed, dry_run)
           VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        )
        .bind(
          ...part.flatMap((e) => [
            e.at,
            e.targetId,
            e.runId,
            e.resourceType,
            e.resourceId,
            e.operation,
            e.method,
            e.path,
            e.httpStatus,
            e.durationMs,
            e.outcome,
            e.error,
            e.attributesChanged ? JSON.stringify(e.attributesChanged) : null,
            e.dryRun ? 1 : 0,
          ]),
        ),
    );
  }
  return out;
}

/** A run's start, for a caller that sends it in a batch of its own (the dispatcher: with its guards' counts). */
export const startRunStatement = (db: D1Database, id: string, targetId: string, mode: string, now: Date): D1PreparedStatement =>
  db.prepare('INSERT INTO runs (id, target_id, mode, started_at) VALUES (?, ?, ?, ?)').bind(id, targetId, mode, now.toISOString());

export async function finishRun(db: D1Database, id: string, counts: Record<string, number>, status: 'done' | 'failed', now: Date): Promise<void> {
  await db.prepare('UPDATE runs SET finished_at = ?, counts = ?, status = ? WHERE id = ?').bind(now.toISOString(), JSON.stringify(counts), status, id).run();
}
