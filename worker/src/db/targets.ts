/** Target rows (drizzle lives only under db/). JSON columns are text here; the domain parses them. */
import { asc, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { targets } from './schema';

export type TargetRow = typeof targets.$inferSelect;
export type TargetInsert = typeof targets.$inferInsert;
export type TargetRowUpdate = Partial<Omit<TargetInsert, 'id' | 'created'>>;

export async function insertTarget(d1: D1Database, row: TargetInsert): Promise<TargetRow> {
  const [inserted] = await drizzle(d1).insert(targets).values(row).returning();
  return inserted!;
}

/**
 * Every target, or only those of `ids` (the queue consumer's one: other targets are neither read
 * nor parsed), bound as one JSON array however many there are (D1: 100 bound parameters a statement).
 */
export async function selectTargets(d1: D1Database, ids?: readonly string[]): Promise<TargetRow[]> {
  const q = drizzle(d1).select().from(targets);
  return (ids ? q.where(sql`${targets.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`) : q).orderBy(asc(targets.created), asc(targets.id));
}

export async function selectTarget(d1: D1Database, id: string): Promise<TargetRow | undefined> {
  const rows = await drizzle(d1).select().from(targets).where(eq(targets.id, id)).limit(1);
  return rows[0];
}

/** Applies `set` and returns the updated row, or undefined when there is no such target. */
export async function updateTargetRow(d1: D1Database, id: string, set: TargetRowUpdate): Promise<TargetRow | undefined> {
  const rows = await drizzle(d1).update(targets).set(set).where(eq(targets.id, id)).returning();
  return rows[0];
}

/** Deletes the target; its outbox rows, links and pushed memberships go with it (ON DELETE CASCADE). */
export async function deleteTargetRow(d1: D1Database, id: string): Promise<boolean> {
  const rows = await drizzle(d1).delete(targets).where(eq(targets.id, id)).returning({ id: targets.id });
  return rows.length > 0;
}
