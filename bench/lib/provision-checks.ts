/**
 * The directory-side facts bench:provision checks: what is queued in relay A's outbox, what
 * relay B wrote to its change log, and whether B ends up holding A's users with A's titles.
 */
import type { Client } from './client.ts';
import type { D1Like } from './runtime.ts';

export async function outboxIds(db: D1Like, targetId: string): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT resource_id AS id FROM outbox WHERE target_id = ? AND resource_type = 'User'")
    .bind(targetId)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** The last change-log sequence number: writes after it belong to the next phase. */
export async function changeMark(db: D1Like): Promise<number> {
  return (await db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM changes').first<{ seq: number }>())?.seq ?? 0;
}

/** Writes a relay made since `mark`: every SCIM write leaves exactly one change row. */
export async function changesSince(db: D1Like, mark: number): Promise<{ rows: number; resources: number }> {
  const r = await db
    .prepare('SELECT count(*) AS rows, count(DISTINCT resource_id) AS resources FROM changes WHERE seq > ?')
    .bind(mark)
    .first<{ rows: number; resources: number }>();
  return { rows: r?.rows ?? 0, resources: r?.resources ?? 0 };
}

/**
 * Queues users for a target as if they had changed, without changing them (the dispatcher
 * reads the directory's current state, so a row only says "look at this user again").
 */
export async function enqueueUsers(db: D1Like, targetId: string, ids: string[]): Promise<void> {
  const now = new Date().toISOString();
  const stmts = ids.map((id) =>
    db
      .prepare(
        "INSERT INTO outbox (target_id, resource_type, resource_id, state, change_seq, attempts, next_attempt_at, enqueued_at, updated_at) VALUES (?, 'User', ?, 'pending', 0, 0, ?, ?, ?)",
      )
      .bind(targetId, id, now, now, now),
  );
  for (let i = 0; i < stmts.length; i += 500) await db.batch(stmts.slice(i, i + 500));
}

export async function totalUsers(client: Client): Promise<number> {
  return (await client.json<{ totalResults: number }>({ method: 'GET', path: '/scim/v2/Users?count=0', expect: [200] })).totalResults;
}

/** userName (lower-cased: it is case-insensitive) → title, read page by page. */
export async function titlesByUserName(client: Client): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (let start = 1; ; start += 1000) {
    const page = await client.json<{ totalResults: number; Resources?: { userName: string; title?: string }[] }>({
      method: 'GET',
      path: `/scim/v2/Users?attributes=userName,title&startIndex=${start}&count=1000`,
      expect: [200],
    });
    for (const u of page.Resources ?? []) out.set(u.userName.toLowerCase(), u.title);
    if (start + 1000 > page.totalResults || (page.Resources ?? []).length === 0) return out;
  }
}

export interface Correctness {
  usersOnB: number;
  expected: number;
  missingOnB: number;
  extraOnB: number;
  titlesWrong: number;
  updatedTitlesArrived: number;
  updated: number;
}

/** B holds exactly A's users, and every title — the updated ones in particular — matches A's. */
export async function compareDirectories(a: Client, b: Client, updatedUserNames: Set<string>): Promise<Correctness> {
  const [onA, onB, usersOnB] = await Promise.all([titlesByUserName(a), titlesByUserName(b), totalUsers(b)]);
  let missingOnB = 0;
  let titlesWrong = 0;
  let updatedTitlesArrived = 0;
  for (const [userName, title] of onA) {
    if (!onB.has(userName)) missingOnB++;
    else if (onB.get(userName) !== title) titlesWrong++;
    else if (updatedUserNames.has(userName)) updatedTitlesArrived++;
  }
  const extraOnB = [...onB.keys()].filter((u) => !onA.has(u)).length;
  return { usersOnB, expected: onA.size, missingOnB, extraOnB, titlesWrong, updatedTitlesArrived, updated: updatedUserNames.size };
}
