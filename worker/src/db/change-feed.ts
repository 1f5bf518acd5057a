/**
 * The change feed as the planner reads it (issue #9): `changes` rows in `seq` order past a
 * target's watermark, and the watermark itself. A run plans a page and moves the watermark in
 * the same D1 batch as the outbox rows it wrote, so a crash between the two cannot skip work.
 */
export interface ChangeRow {
  seq: number;
  resourceType: 'User' | 'Group';
  resourceId: string;
}

/** Up to `limit` changes after `after`, oldest first (the primary key is the order). */
export async function readChangePage(db: D1Database, after: number, limit: number): Promise<ChangeRow[]> {
  const { results } = await db
    .prepare('SELECT seq, resource_type AS resourceType, resource_id AS resourceId FROM changes WHERE seq > ? ORDER BY seq LIMIT ?')
    .bind(after, limit)
    .all<ChangeRow>();
  return results;
}

/** Never backwards: two overlapping runs may plan the same page; the later write cannot undo the other. */
export function advanceWatermark(db: D1Database, targetId: string, seq: number): D1PreparedStatement {
  return db.prepare('UPDATE targets SET watermark = max(watermark, ?) WHERE id = ?').bind(seq, targetId);
}

/** The newest change's seq (0 for an empty directory): where a new target's feed starts. */
export async function headSeq(db: D1Database): Promise<number> {
  const row = await db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM changes').first<{ seq: number }>();
  return row?.seq ?? 0;
}
