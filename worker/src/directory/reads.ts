/**
 * Reads of users and groups in D1: one by id, and list pages with their filtered total, each one
 * round trip. Writes (resources.ts) read their row back with the same SELECT.
 */
import { MEMBER_COLUMNS, MEMBER_JOINS } from './memberships';
import { TABLES } from './sql';
import type { ListQuery, ResourceKind, StoredResource } from './types';

export const SELECT = 'pk, id, version, created, last_modified AS lastModified, data';

/**
 * A group carries up to MEMBERS_INLINE members in its own read (membersJson), so a GET or a list
 * page of groups is one D1 round trip; a larger group's membersJson is NULL and its members are a
 * second read (worker/src/scim/service.ts `render`), which keeps every row far below D1's 2 MB.
 */
export const MEMBERS_INLINE = 1_000;
const MEMBERS_JSON = `CASE WHEN (SELECT count(*) FROM group_members WHERE group_pk = groups.pk) <= ${MEMBERS_INLINE}
  THEN (SELECT json_group_array(json_object('id', id, 'type', type, 'display', display))
          FROM (SELECT ${MEMBER_COLUMNS} FROM ${MEMBER_JOINS} WHERE m.group_pk = groups.pk ORDER BY m.rowid)) END AS membersJson`;

/**
 * Reads of users carry their groups (User.groups) in the same statement, reads of groups their
 * members when asked for, so a GET or a list page is one D1 round trip. RETURNING cannot hold a
 * subquery, so writes read the row back with a SELECT at the end of their batch.
 */
const readSelect = (kind: ResourceKind, withMembers: boolean) =>
  kind === 'User'
    ? `${SELECT}, (SELECT json_group_array(json_object('id', g.id, 'display', g.display_name)) FROM group_members m JOIN groups g ON g.pk = m.group_pk WHERE m.member_id = users.id) AS groupsJson`
    : withMembers
      ? `${SELECT}, ${MEMBERS_JSON}`
      : SELECT;

/** One resource by id, as reads and write read-backs select it (a statement a caller may batch with others). */
export const readBack = (db: D1Database, kind: ResourceKind, id: string, withMembers: boolean) =>
  db.prepare(`SELECT ${readSelect(kind, withMembers)} FROM ${TABLES[kind]} WHERE id = ?`).bind(id);

export async function loadResource(db: D1Database, kind: ResourceKind, id: string, opts: { withMembers?: boolean } = {}): Promise<StoredResource | null> {
  return readBack(db, kind, id, opts.withMembers ?? false).first<StoredResource>();
}

interface ListResult {
  rows: StoredResource[];
  total: number;
}

/**
 * The page's statement. A page past the first by `startIndex` (Okta's import pages this way):
 * OFFSET steps over every row before it, and stepping over the table's rows reads their whole
 * bodies, so the rows before it are stepped over by pk alone — in `users_pk_idx` /
 * `groups_pk_idx`, a covering index of pks when the order is the default one — and only the
 * page's rows are read. At 100,000 users the last page took 45–70 ms of SQLite, now ~1 ms (Node's
 * SQLite). Every order ends on the pk, so both forms give the same rows in the same order.
 */
function pageStatement(db: D1Database, kind: ResourceKind, q: ListQuery & { withMembers?: boolean }): D1PreparedStatement {
  const table = TABLES[kind];
  const where = q.after ? `(${q.where.sql}) AND (${q.after.sql})` : q.where.sql;
  const whereParams = q.after ? [...q.where.params, ...q.after.params] : q.where.params;
  const select = readSelect(kind, q.withMembers ?? false);
  const order = q.orderBy;
  if (q.offset === 0)
    return db.prepare(`SELECT ${select} FROM ${table} WHERE ${where} ORDER BY ${order.sql} LIMIT ? OFFSET 0`).bind(...whereParams, ...order.params, q.limit);
  return db
    .prepare(`SELECT ${select} FROM ${table} WHERE pk IN (SELECT pk FROM ${table} WHERE ${where} ORDER BY ${order.sql} LIMIT ? OFFSET ?) ORDER BY ${order.sql}`)
    .bind(...whereParams, ...order.params, q.limit, q.offset, ...order.params);
}

/** One round trip: the page and (when asked) the filtered total, in one batch. */
export async function listResources(db: D1Database, kind: ResourceKind, q: ListQuery & { withMembers?: boolean }): Promise<ListResult> {
  const table = TABLES[kind];
  const page = pageStatement(db, kind, q);
  if (!q.withTotal) {
    const { results } = await page.all<StoredResource>();
    return { rows: results, total: -1 };
  }
  const count = db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${q.where.sql}`).bind(...q.where.params);
  const [rows, total] = await db.batch<unknown>([page, count]);
  return { rows: rows!.results as StoredResource[], total: (total!.results[0] as { n: number }).n };
}
