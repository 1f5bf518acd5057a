/**
 * A user deleted from the directory keeps a status (issue #9) while any target has not settled
 * it: work still queued for it, or a remote account that still exists (deactivated, or blocked by
 * a Drupal site whose cancel method does not delete). Read from its links and outbox rows, which
 * outlive the directory row.
 */
export interface TombstoneLink {
  targetId: string;
  targetName: string;
  state: 'in_sync' | 'pending' | 'failed' | 'never' | 'out_of_scope';
  remoteId: string | null;
  remoteState: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  payload: string | null;
}

export interface Tombstone {
  targets: { id: string; name: string }[];
  links: TombstoneLink[];
  outstanding: number;
}

export async function selectTombstone(db: D1Database, userId: string): Promise<Tombstone | null> {
  const [targets, links, outstanding] = await db.batch([
    db.prepare('SELECT id, name FROM targets ORDER BY created, id'),
    db
      .prepare(
        `SELECT l.target_id AS targetId, t.name AS targetName, l.state, l.remote_id AS remoteId, l.remote_state AS remoteState,
                l.last_attempt_at AS lastAttemptAt, l.last_success_at AS lastSuccessAt, l.next_attempt_at AS nextAttemptAt,
                l.last_error AS lastError, l.payload
           FROM links l JOIN targets t ON t.id = l.target_id
          WHERE l.resource_type = 'User' AND l.resource_id = ?`,
      )
      .bind(userId),
    db
      .prepare("SELECT count(*) AS n FROM outbox WHERE resource_type = 'User' AND resource_id = ? AND state IN ('pending', 'leased', 'held', 'failed', 'dead')")
      .bind(userId),
  ]);
  const rows = links!.results as unknown as TombstoneLink[];
  const n = (outstanding!.results[0] as { n: number } | undefined)?.n ?? 0;
  const remains = rows.some((l) => l.remoteId && l.remoteState !== 'deleted');
  if (n === 0 && !remains) return null;
  return { targets: targets!.results as { id: string; name: string }[], links: rows, outstanding: n };
}
