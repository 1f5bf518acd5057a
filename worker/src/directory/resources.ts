/**
 * Users and groups in D1: create, read, replace, delete, list. Every write also appends to the
 * change log in the same batch, so provisioning never misses a change.
 */
import { MAX_PARAMS, TABLES, chunk, isUniqueViolation, isVersionGuardError, nowIso, placeholders, versionGuard } from './sql';
import { DirectoryError, type ColumnValues, type ListQuery, type ResourceKind, type ResourceWrite, type StoredResource, type ValueRow } from './types';

const COLUMNS: Record<ResourceKind, readonly string[]> = {
  User: ['user_name', 'user_name_lower', 'external_id', 'display_name_lower', 'given_name_lower', 'family_name_lower', 'active'],
  Group: ['display_name', 'display_name_lower', 'external_id'],
};

const SELECT = 'pk, id, version, created, last_modified AS lastModified, data';

/**
 * Reads of users carry their groups (User.groups) in the same statement, so a GET or a list page
 * is one D1 round trip. RETURNING cannot hold a subquery, so writes use SELECT alone.
 */
const READ_SELECT: Record<ResourceKind, string> = {
  User: `${SELECT}, (SELECT json_group_array(json_object('id', g.id, 'display', g.display_name)) FROM group_members m JOIN groups g ON g.pk = m.group_pk WHERE m.member_id = users.id) AS groupsJson`,
  Group: SELECT,
};

function columnList(kind: ResourceKind, cols: ColumnValues): [string[], unknown[]] {
  const names = COLUMNS[kind];
  return [names as string[], names.map((n) => normalizeColumn(cols[n]))];
}

const normalizeColumn = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? null));

function changeRow(db: D1Database, kind: ResourceKind, id: string, op: 'create' | 'update' | 'delete', version: number, at: string) {
  return db.prepare('INSERT INTO changes (resource_type, resource_id, op, version, at) VALUES (?, ?, ?, ?, ?)').bind(kind, id, op, version, at);
}

/**
 * Multi-row VALUES, never `SELECT … UNION ALL SELECT …`: D1 caps compound SELECTs at five
 * terms, and the VALUES form is exempt. The user's pk is an expression (a subquery on create).
 */
function valueRows(db: D1Database, pkExpr: string, pkParams: unknown[], values: readonly ValueRow[]): D1PreparedStatement[] {
  const perRow = 6 + pkParams.length;
  return chunk(values, Math.floor(MAX_PARAMS / perRow)).map((rows) =>
    db
      .prepare(
        `INSERT INTO user_values (user_pk, attr, type, value, value_lower, display, "primary") VALUES ${rows.map(() => `(${pkExpr}, ?, ?, ?, ?, ?, ?)`).join(', ')}`,
      )
      .bind(...rows.flatMap((r) => [...pkParams, r.attr, r.type, r.value, r.value?.toLowerCase() ?? null, r.display, r.primary ? 1 : 0])),
  );
}

/** The statements that create one resource; the first one RETURNs the new row. */
function insertStatements(
  db: D1Database,
  kind: ResourceKind,
  id: string,
  write: ResourceWrite,
  extra: D1PreparedStatement[],
  now: string,
): D1PreparedStatement[] {
  const table = TABLES[kind];
  const [names, vals] = columnList(kind, write.columns);
  return [
    db
      .prepare(
        `INSERT INTO ${table} (id, ${names.join(', ')}, created, last_modified, version, data) VALUES (?, ${placeholders(names.length)}, ?, ?, 1, ?) RETURNING ${SELECT}`,
      )
      .bind(id, ...vals, now, now, write.data),
    ...(write.values?.length ? valueRows(db, `(SELECT pk FROM users WHERE id = ?)`, [id], write.values) : []),
    ...extra,
    changeRow(db, kind, id, 'create', 1, now),
  ];
}

export async function insertResource(
  db: D1Database,
  kind: ResourceKind,
  id: string,
  write: ResourceWrite,
  extra: D1PreparedStatement[] = [],
): Promise<StoredResource> {
  try {
    const [first] = await db.batch<StoredResource>(insertStatements(db, kind, id, write, extra, nowIso()));
    return first!.results[0]!;
  } catch (err) {
    if (isUniqueViolation(err)) throw new DirectoryError('conflict', uniquenessMessage(kind));
    throw err;
  }
}

/**
 * Creates many resources in one batch (one transaction, one round trip): all of them, or — on a
 * uniqueness conflict — none, so the caller can fall back to one at a time and name the culprit.
 */
export async function insertResources(db: D1Database, kind: ResourceKind, items: readonly { id: string; write: ResourceWrite }[]): Promise<StoredResource[]> {
  const now = nowIso();
  const perItem = items.map((i) => insertStatements(db, kind, i.id, i.write, [], now));
  try {
    const results = await db.batch<StoredResource>(perItem.flat());
    let at = 0;
    return perItem.map((stmts) => {
      const row = results[at]!.results[0]!;
      at += stmts.length;
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new DirectoryError('conflict', uniquenessMessage(kind));
    throw err;
  }
}

const uniquenessMessage = (kind: ResourceKind) =>
  kind === 'User' ? 'A user with this userName already exists.' : 'A group with this displayName already exists (names are compared case-insensitively).';

export async function loadResource(db: D1Database, kind: ResourceKind, id: string): Promise<StoredResource | null> {
  return db.prepare(`SELECT ${READ_SELECT[kind]} FROM ${TABLES[kind]} WHERE id = ?`).bind(id).first<StoredResource>();
}

/**
 * Replaces a resource's attributes if it is still at `expected.version`; returns the new row.
 * Throws DirectoryError('version_mismatch') when another write got there first.
 */
export async function replaceResource(
  db: D1Database,
  kind: ResourceKind,
  expected: StoredResource,
  write: ResourceWrite,
  extra: D1PreparedStatement[] = [],
): Promise<StoredResource> {
  const table = TABLES[kind];
  const now = nowIso();
  const [names, vals] = columnList(kind, write.columns);
  const sets = names.map((n) => `${n} = ?`);
  const setVals = [...vals];
  const version = expected.version + 1;
  const stmts = [
    versionGuard(db, table, expected.pk, expected.version),
    db
      .prepare(`UPDATE ${table} SET ${sets.join(', ')}, data = ?, version = ?, last_modified = ? WHERE pk = ? RETURNING ${SELECT}`)
      .bind(...setVals, write.data, version, now, expected.pk),
    ...(kind === 'User' && write.values
      ? [db.prepare('DELETE FROM user_values WHERE user_pk = ?').bind(expected.pk), ...valueRows(db, '?', [expected.pk], write.values)]
      : []),
    ...extra,
    changeRow(db, kind, expected.id, 'update', version, now),
  ];
  try {
    const results = await db.batch<StoredResource>(stmts);
    return results[1]!.results[0]!;
  } catch (err) {
    if (isVersionGuardError(err)) throw new DirectoryError('version_mismatch', 'The resource changed while it was being written.');
    if (isUniqueViolation(err)) throw new DirectoryError('conflict', uniquenessMessage(kind));
    throw err;
  }
}

/**
 * Applies changes that commute (membership deltas) and bumps the version, without a version
 * guard: two concurrent member PATCHes of one group both succeed instead of one failing with 412.
 */
export async function touchResource(db: D1Database, kind: ResourceKind, row: StoredResource, extra: D1PreparedStatement[]): Promise<StoredResource> {
  const table = TABLES[kind];
  const now = nowIso();
  const results = await db.batch<StoredResource>([
    ...extra,
    db.prepare(`UPDATE ${table} SET version = version + 1, last_modified = ? WHERE pk = ? RETURNING ${SELECT}`).bind(now, row.pk),
    db
      .prepare(`INSERT INTO changes (resource_type, resource_id, op, version, at) SELECT ?, id, 'update', version, ? FROM ${table} WHERE pk = ?`)
      .bind(kind, now, row.pk),
  ]);
  return results[extra.length]!.results[0]!;
}

/** Deletes a resource and its memberships (as member and, for groups, as group). */
export async function deleteResource(db: D1Database, kind: ResourceKind, row: StoredResource, checkVersion: boolean): Promise<void> {
  const table = TABLES[kind];
  const now = nowIso();
  const stmts = [
    ...(checkVersion ? [versionGuard(db, table, row.pk, row.version)] : []),
    // Groups that lose a member change too: bump them before the membership rows go.
    db
      .prepare('UPDATE groups SET version = version + 1, last_modified = ? WHERE pk IN (SELECT group_pk FROM group_members WHERE member_id = ?)')
      .bind(now, row.id),
    db
      .prepare(
        "INSERT INTO changes (resource_type, resource_id, op, version, at) SELECT 'Group', id, 'update', version, ? FROM groups WHERE pk IN (SELECT group_pk FROM group_members WHERE member_id = ?)",
      )
      .bind(now, row.id),
    db.prepare('DELETE FROM group_members WHERE member_id = ?').bind(row.id),
    db.prepare(`DELETE FROM ${table} WHERE pk = ?`).bind(row.pk),
    changeRow(db, kind, row.id, 'delete', row.version + 1, now),
  ];
  try {
    await db.batch(stmts);
  } catch (err) {
    if (isVersionGuardError(err)) throw new DirectoryError('version_mismatch', 'The resource changed while it was being deleted.');
    throw err;
  }
}

export interface ListResult {
  rows: StoredResource[];
  total: number;
}

/** One round trip: the page and (when asked) the filtered total, in one batch. */
export async function listResources(db: D1Database, kind: ResourceKind, q: ListQuery): Promise<ListResult> {
  const table = TABLES[kind];
  const where = q.after ? `(${q.where.sql}) AND (${q.after.sql})` : q.where.sql;
  const whereParams = q.after ? [...q.where.params, ...q.after.params] : q.where.params;
  const page = db
    .prepare(`SELECT ${READ_SELECT[kind]} FROM ${table} WHERE ${where} ORDER BY ${q.orderBy.sql} LIMIT ? OFFSET ?`)
    .bind(...whereParams, ...q.orderBy.params, q.limit, q.offset);
  if (!q.withTotal) {
    const { results } = await page.all<StoredResource>();
    return { rows: results, total: -1 };
  }
  const count = db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${q.where.sql}`).bind(...q.where.params);
  const [rows, total] = await db.batch<unknown>([page, count]);
  return { rows: rows!.results as StoredResource[], total: (total!.results[0] as { n: number }).n };
}
