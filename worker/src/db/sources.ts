/**
 * Source rows, source links and import runs (drizzle for the row CRUD, raw statements where a
 * page of accounts is read or written in one round trip).
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { importRuns, sourceLinks, sources } from './schema';
import { MAX_PARAMS, chunk, placeholders } from './sql-helpers';

export type SourceRow = typeof sources.$inferSelect;
export type SourceInsert = typeof sources.$inferInsert;
export type SourceRowUpdate = Partial<Omit<SourceInsert, 'id' | 'created'>>;
export type ImportRunRow = typeof importRuns.$inferSelect;

export async function insertSource(d1: D1Database, row: SourceInsert): Promise<SourceRow> {
  const [inserted] = await drizzle(d1).insert(sources).values(row).returning();
  return inserted!;
}

export async function selectSources(d1: D1Database): Promise<SourceRow[]> {
  return drizzle(d1).select().from(sources).orderBy(asc(sources.created), asc(sources.id));
}

export async function selectSource(d1: D1Database, id: string): Promise<SourceRow | undefined> {
  return (await drizzle(d1).select().from(sources).where(eq(sources.id, id)).limit(1))[0];
}

export async function updateSourceRow(d1: D1Database, id: string, set: SourceRowUpdate): Promise<SourceRow | undefined> {
  return (await drizzle(d1).update(sources).set(set).where(eq(sources.id, id)).returning())[0];
}

/**
 * New settings (mapping, include filter) must reach accounts whose change stamp has not moved:
 * the row and every link's forgotten stamp are written in one batch, so a failure leaves neither.
 */
export async function updateSourceSettingsRow(d1: D1Database, id: string, set: SourceRowUpdate): Promise<SourceRow | undefined> {
  const db = drizzle(d1);
  const [rows] = await db.batch([
    db.update(sources).set(set).where(eq(sources.id, id)).returning(),
    db.update(sourceLinks).set({ remoteChanged: null }).where(eq(sourceLinks.sourceId, id)),
  ]);
  return rows[0];
}

/**
 * Updates the source only while its stored cursor is still run `runId`'s: an admin's change of
 * URL or credentials (which clears the cursor) is never undone by the run it interrupted.
 */
export async function updateSourceRowIfRun(d1: D1Database, id: string, runId: string, set: SourceRowUpdate): Promise<boolean> {
  const rows = await drizzle(d1)
    .update(sources)
    .set(set)
    .where(and(eq(sources.id, id), sql`json_extract(${sources.cursor}, '$.runId') = ${runId}`))
    .returning({ id: sources.id });
  return rows.length > 0;
}

/** Deletes the source and its links (ON DELETE CASCADE) and runs; directory users stay. */
export async function deleteSourceRow(d1: D1Database, id: string): Promise<boolean> {
  const db = drizzle(d1);
  const [rows] = await db.batch([
    db.delete(sources).where(eq(sources.id, id)).returning({ id: sources.id }),
    db.delete(importRuns).where(eq(importRuns.sourceId, id)),
  ]);
  return rows.length > 0;
}

/** A source's cursor as stored (JSON), for a compare-and-swap. */
export async function selectSourceCursor(d1: D1Database, id: string): Promise<string | null> {
  const row = await d1.prepare('SELECT cursor FROM sources WHERE id = ?').bind(id).first<{ cursor: string | null }>();
  return row?.cursor ?? null;
}

/**
 * Compare-and-swap of `sources.cursor`: only if it is still `expected` (what the invocation
 * read), so two invocations never run one source's import at once. `lastError`, when given, is
 * written by the same statement.
 */
export function swapCursorStatement(d1: D1Database, id: string, expected: string | null, next: string | null, lastError?: string): D1PreparedStatement {
  return d1
    .prepare('UPDATE sources SET cursor = ?1, last_error = coalesce(?4, last_error) WHERE id = ?2 AND cursor IS ?3')
    .bind(next, id, expected, lastError ?? null);
}

/** The swap for a run in progress, matched by its run id (its cursor moves on as it runs). */
export function saveRunCursorStatement(d1: D1Database, id: string, runId: string, next: string, lastError?: string): D1PreparedStatement {
  return d1
    .prepare("UPDATE sources SET cursor = ?1, last_error = coalesce(?4, last_error) WHERE id = ?2 AND json_extract(cursor, '$.runId') = ?3")
    .bind(next, id, runId, lastError ?? null);
}

/** An import run's counts so far; a run stopped by a full database is running again (its stop message goes). */
export function importRunCountsStatement(d1: D1Database, runId: string, counts: Record<string, number>): D1PreparedStatement {
  return d1
    .prepare(
      "UPDATE import_runs SET counts = ?1, status = CASE status WHEN 'stopped' THEN 'running' ELSE status END, error = CASE status WHEN 'stopped' THEN NULL ELSE error END WHERE id = ?2",
    )
    .bind(JSON.stringify(counts), runId);
}

/** An import run stopped by a nearly full database, with its counts and the message that says so. */
export function stopImportRunStatement(d1: D1Database, runId: string, counts: Record<string, number>, error: string): D1PreparedStatement {
  return d1
    .prepare("UPDATE import_runs SET counts = ?1, status = 'stopped', error = ?2 WHERE id = ?3 AND status IN ('running', 'stopped')")
    .bind(JSON.stringify(counts), error, runId);
}

export async function insertImportRun(d1: D1Database, row: typeof importRuns.$inferInsert): Promise<void> {
  await drizzle(d1).insert(importRuns).values(row);
}

export async function updateImportRun(d1: D1Database, id: string, set: Partial<typeof importRuns.$inferInsert>): Promise<void> {
  await drizzle(d1).update(importRuns).set(set).where(eq(importRuns.id, id));
}

export async function selectImportRun(d1: D1Database, sourceId: string, id: string): Promise<ImportRunRow | undefined> {
  return (
    await drizzle(d1)
      .select()
      .from(importRuns)
      .where(and(eq(importRuns.sourceId, sourceId), eq(importRuns.id, id)))
      .limit(1)
  )[0];
}

export async function selectImportRuns(d1: D1Database, sourceId: string, limit: number): Promise<ImportRunRow[]> {
  return drizzle(d1).select().from(importRuns).where(eq(importRuns.sourceId, sourceId)).orderBy(desc(importRuns.startedAt), desc(importRuns.id)).limit(limit);
}

export interface SourceLinkRow {
  remoteId: string;
  remoteUid: string | null;
  userId: string;
  seenPass: string | null;
  remoteChanged: string | null;
  removedAt: string | null;
}

const LINK_SELECT =
  'remote_id AS remoteId, remote_uid AS remoteUid, user_id AS userId, seen_pass AS seenPass, remote_changed AS remoteChanged, removed_at AS removedAt';

export async function selectLinks(d1: D1Database, sourceId: string, remoteIds: readonly string[]): Promise<Map<string, SourceLinkRow>> {
  const out = new Map<string, SourceLinkRow>();
  const parts = chunk(remoteIds, MAX_PARAMS - 1);
  if (parts.length === 0) return out;
  const results = await d1.batch(
    parts.map((p) =>
      d1.prepare(`SELECT ${LINK_SELECT} FROM source_links WHERE source_id = ? AND remote_id IN (${placeholders(p.length)})`).bind(sourceId, ...p),
    ),
  );
  for (const r of results) for (const row of r.results as SourceLinkRow[]) out.set(row.remoteId, row);
  return out;
}

/**
 * Upserts of links after a page was applied. `seen_pass` holds when the account was last seen
 * in any listing (ISO time): a reconciliation sweeps what it did not see since it started.
 */
export function upsertLinkStatements(
  d1: D1Database,
  sourceId: string,
  links: readonly { remoteId: string; remoteUid: string | null; userId: string; remoteChanged: string | null; seenAt: string }[],
): D1PreparedStatement[] {
  return links.map((l) =>
    d1
      .prepare(
        `INSERT INTO source_links (source_id, remote_id, remote_uid, user_id, seen_pass, remote_changed, removed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)
         ON CONFLICT (source_id, remote_id) DO UPDATE SET remote_uid = ?3, user_id = ?4, seen_pass = ?5, remote_changed = ?6, removed_at = NULL`,
      )
      .bind(sourceId, l.remoteId, l.remoteUid, l.userId, l.seenAt, l.remoteChanged),
  );
}

/** Links no listing has seen since the reconciliation started (accounts gone from the source), not yet handled. */
const UNSEEN = 'source_id = ?1 AND removed_at IS NULL AND (seen_pass IS NULL OR seen_pass < ?2)';

export async function countUnseen(d1: D1Database, sourceId: string, since: string): Promise<number> {
  return (await d1.prepare(`SELECT count(*) AS n FROM source_links WHERE ${UNSEEN}`).bind(sourceId, since).first<{ n: number }>())?.n ?? 0;
}

/** The next unseen links after `after` (keyset by remote_id: what a sweep left alone is not read again). */
export async function selectUnseen(d1: D1Database, sourceId: string, since: string, limit: number, after = ''): Promise<SourceLinkRow[]> {
  return (
    await d1
      .prepare(`SELECT ${LINK_SELECT} FROM source_links WHERE ${UNSEEN} AND remote_id > ?4 ORDER BY remote_id LIMIT ?3`)
      .bind(sourceId, since, limit, after)
      .all<SourceLinkRow>()
  ).results;
}

/**
 * A removed link forgets the account's change stamp: if the account shows up again (a removal
 * that was wrong, a filter widened), the next listing re-applies it rather than skipping it as
 * unchanged — which would leave it deactivated.
 */
export function markRemovedStatement(d1: D1Database, sourceId: string, remoteId: string, at: string): D1PreparedStatement {
  return d1.prepare('UPDATE source_links SET removed_at = ?, remote_changed = NULL WHERE source_id = ? AND remote_id = ?').bind(at, sourceId, remoteId);
}

/** Directory users of the given ids: their stored SCIM body and their groups. */
export async function selectUserBodies(d1: D1Database, ids: readonly string[]): Promise<Map<string, { data: string; groupsJson: string }>> {
  const out = new Map<string, { data: string; groupsJson: string }>();
  const parts = chunk([...new Set(ids)], MAX_PARAMS);
  if (parts.length === 0) return out;
  const results = await d1.batch(
    parts.map((p) =>
      d1
        .prepare(
          `SELECT u.id, u.data, (SELECT json_group_array(json_object('id', g.id, 'display', g.display_name, 'externalId', g.external_id)) FROM group_members m JOIN groups g ON g.pk = m.group_pk WHERE m.member_id = u.id) AS groupsJson
             FROM users u WHERE u.id IN (${placeholders(p.length)})`,
        )
        .bind(...p),
    ),
  );
  for (const r of results) for (const row of r.results as { id: string; data: string; groupsJson: string }[]) out.set(row.id, row);
  return out;
}

/** Which of these directory user ids still exist. */
export async function selectExistingUserIds(d1: D1Database, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const parts = chunk([...new Set(ids)], MAX_PARAMS);
  if (parts.length === 0) return out;
  const results = await d1.batch(parts.map((p) => d1.prepare(`SELECT id FROM users WHERE id IN (${placeholders(p.length)})`).bind(...p)));
  for (const r of results) for (const row of r.results as { id: string }[]) out.add(row.id);
  return out;
}

/** Of these directory users, those another source has a live link to (user id → that source's id). */
export async function selectLinkedElsewhere(d1: D1Database, sourceId: string, userIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const parts = chunk([...new Set(userIds)], MAX_PARAMS - 1);
  if (parts.length === 0) return out;
  const results = await d1.batch(
    parts.map((p) =>
      d1
        .prepare(
          `SELECT user_id AS userId, source_id AS sourceId FROM source_links WHERE source_id != ? AND removed_at IS NULL AND user_id IN (${placeholders(p.length)})`,
        )
        .bind(sourceId, ...p),
    ),
  );
  for (const r of results) for (const row of r.results as { userId: string; sourceId: string }[]) out.set(row.userId, row.sourceId);
  return out;
}

/** Users by folded userName, to adopt a directory user an account already matches. */
export async function selectUserIdsByUserName(d1: D1Database, userNames: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const parts = chunk([...new Set(userNames.map((u) => u.toLowerCase()))], MAX_PARAMS);
  if (parts.length === 0) return out;
  const results = await d1.batch(
    parts.map((p) => d1.prepare(`SELECT id, user_name_lower AS k FROM users WHERE user_name_lower IN (${placeholders(p.length)})`).bind(...p)),
  );
  for (const r of results) for (const row of r.results as { id: string; k: string }[]) out.set(row.k, row.id);
  return out;
}

/** Groups by externalId or by folded displayName. */
export async function selectGroups(
  d1: D1Database,
  externalIds: readonly string[],
  names: readonly string[],
): Promise<{ id: string; displayName: string; externalId: string | null }[]> {
  if (externalIds.length === 0 && names.length === 0) return [];
  const stmts = [
    ...chunk(externalIds, MAX_PARAMS).map((p) =>
      d1.prepare(`SELECT id, display_name AS displayName, external_id AS externalId FROM groups WHERE external_id IN (${placeholders(p.length)})`).bind(...p),
    ),
    ...chunk(
      names.map((n) => n.toLowerCase()),
      MAX_PARAMS,
    ).map((p) =>
      d1
        .prepare(`SELECT id, display_name AS displayName, external_id AS externalId FROM groups WHERE display_name_lower IN (${placeholders(p.length)})`)
        .bind(...p),
    ),
  ];
  const results = await d1.batch(stmts);
  return results.flatMap((r) => r.results as { id: string; displayName: string; externalId: string | null }[]);
}
