/**
 * Directory reads for the admin API: users with their per-target links, for search and for the
 * batch lookup the extension makes for a whole People page. Every key goes through an index.
 */
import type { LinkDrift } from '../../../shared/src/provisioning';
import { isHeldCreation } from './held-creations';
import { MAX_PARAMS, chunk } from './sql-helpers';

export interface UserLinkRow {
  targetId: string;
  state: 'in_sync' | 'pending' | 'failed' | 'never' | 'out_of_scope';
  remoteId: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  drift?: LinkDrift[] | null;
}

export interface UserRecord {
  id: string;
  userName: string;
  displayName: string | null;
  active: boolean;
  emails: string[];
  externalId: string | null;
  links: UserLinkRow[];
}

export interface TargetRef {
  id: string;
  name: string;
  status: 'active' | 'paused';
  pausedReason: string | null;
  /** outbox rows held for approval (deletion threshold and creation threshold) */
  held: number;
  /** the target's scope as stored (JSON; null: every user), for the chips' "out of scope"; not part of the API's answer */
  scope: string | null;
  /** of `held`, the creations held by the creation threshold (issue #13) */
  heldCreations: number;
}

const TARGETS_SQL = `SELECT t.id, t.name, t.status, t.paused_reason AS pausedReason, t.scope,
        (SELECT count(*) FROM outbox o WHERE o.target_id = t.id AND o.state = 'held') AS held,
        (SELECT count(*) FROM outbox o WHERE o.target_id = t.id AND ${isHeldCreation('o')}) AS heldCreations
   FROM targets t ORDER BY t.created, t.id`;

type RawUser = Omit<UserRecord, 'active' | 'emails' | 'links' | 'displayName'> & {
  key: string;
  displayName: unknown;
  active: number | null;
  emailsJson: string;
  linksJson: string;
};

/**
 * A user, its emails (primary first, via user_values_user_idx) and its links (links_resource_idx)
 * in one row, so a page of users is one statement.
 */
/**
 * "In sync" means the payload and the memberships (Drupal: roles) are both confirmed (issue #9):
 * a user whose group still has a push queued for the target reads as pending there. CROSS JOIN
 * keeps SQLite's join order (the user's few memberships, then each group's outbox row): left to
 * itself it walked every queued row of the target per user, thousands during an initial sync.
 */
const LINK_STATE = `CASE WHEN l.state = 'in_sync' AND EXISTS (
     SELECT 1 FROM group_members gm CROSS JOIN groups g ON g.pk = gm.group_pk
       CROSS JOIN outbox o ON o.target_id = l.target_id AND o.resource_type = 'Group' AND o.resource_id = g.id
      WHERE gm.member_id = u.id AND o.state IN ('pending', 'leased', 'held')) THEN 'pending' ELSE l.state END`;

/**
 * Drift the last reconcile found (reconcile_drift) that no repair has landed since (issue #9):
 * the user's own drift until the link succeeds again after it was found; a role or membership
 * until the group's push holds the user again (pushed_members is what the target holds).
 */
const LINK_DRIFT = `(SELECT json_group_array(DISTINCT k) FROM (
     SELECT CASE d.kind WHEN 'deleted' THEN 'missing' ELSE 'attributes' END AS k FROM reconcile_drift d
      WHERE d.target_id = l.target_id AND d.resource_type = 'User' AND d.resource_id = u.id
        AND d.kind IN ('deleted', 'attributes', 'deactivated') AND d.at > COALESCE(l.last_success_at, '')
     UNION ALL
     SELECT CASE d.kind WHEN 'roles' THEN 'roles' ELSE 'memberships' END FROM group_members gm JOIN groups g ON g.pk = gm.group_pk
       JOIN reconcile_drift d ON d.target_id = l.target_id AND d.resource_type = 'Group' AND d.resource_id = g.id AND d.kind IN ('members', 'roles')
      WHERE gm.member_id = u.id AND l.remote_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM pushed_members p WHERE p.target_id = l.target_id AND p.group_id = g.id AND p.member_id = u.id)))`;

const USER_SELECT = `u.id, u.user_name AS userName, u.external_id AS externalId, u.active,
  json_extract(u.data, '$.displayName') AS displayName,
  (SELECT json_group_array(e.value) FROM (SELECT value FROM user_values WHERE user_pk = u.pk AND attr = 'emails' AND value IS NOT NULL ORDER BY "primary" DESC, rowid) e) AS emailsJson,
  (SELECT json_group_array(json_object('targetId', l.target_id, 'state', ${LINK_STATE}, 'remoteId', l.remote_id, 'lastAttemptAt', l.last_attempt_at,
     'lastSuccessAt', l.last_success_at, 'nextAttemptAt', l.next_attempt_at, 'lastError', l.last_error, 'drift', json(${LINK_DRIFT})))
     FROM links l WHERE l.resource_type = 'User' AND l.resource_id = u.id) AS linksJson`;

function toUserRecord(r: RawUser): UserRecord {
  return {
    id: r.id,
    userName: r.userName,
    displayName: typeof r.displayName === 'string' ? r.displayName : null,
    // the directory stores a missing `active` as NULL; SCIM users are active unless told otherwise
    active: r.active !== 0,
    emails: JSON.parse(r.emailsJson) as string[],
    externalId: r.externalId,
    links: (JSON.parse(r.linksJson) as UserLinkRow[]).map(withDrift),
  };
}

/** Known drift is never "in sync": the repair is pending. No drift reads as null. */
function withDrift(l: UserLinkRow): UserLinkRow {
  const drift = l.drift?.length ? l.drift : null;
  return { ...l, state: drift && l.state === 'in_sync' ? 'pending' : l.state, drift };
}

export const LOOKUP_KINDS = ['userNames', 'emails', 'externalIds', 'ids'] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

/** How each kind of key finds its users, all through an index; `fold` is how keys compare. */
const LOOKUP_SQL: Record<LookupKind, { key: string; from: string; where: string; fold: boolean }> = {
  userNames: { key: 'u.user_name_lower', from: 'users u', where: 'u.user_name_lower', fold: true },
  emails: { key: 'v.value_lower', from: "user_values v JOIN users u ON u.pk = v.user_pk AND v.attr = 'emails'", where: 'v.value_lower', fold: true },
  externalIds: { key: 'u.external_id', from: 'users u', where: 'u.external_id', fold: false },
  ids: { key: 'u.id', from: 'users u', where: 'u.id', fold: false },
};

export const lookupKeyOf = (kind: LookupKind, key: string) => (LOOKUP_SQL[kind].fold ? key.toLowerCase() : key);

/**
 * Finds the users for many keys of several kinds in one D1 round trip (one batch: the targets,
 * then a statement per kind per 100 keys). Keys come back folded as `lookupKeyOf` folds them; a
 * key that matches several users (a shared email) yields the oldest.
 */
export async function lookupUsers(
  d1: D1Database,
  keys: Partial<Record<LookupKind, readonly string[]>>,
): Promise<{ targets: TargetRef[]; found: Record<LookupKind, Map<string, UserRecord>> }> {
  const plan: { kind: LookupKind; stmt: D1PreparedStatement }[] = [];
  for (const kind of LOOKUP_KINDS) {
    const q = LOOKUP_SQL[kind];
    const folded = [...new Set((keys[kind] ?? []).map((k) => lookupKeyOf(kind, k)))];
    for (const part of chunk(folded, MAX_PARAMS)) {
      const sqlText = `SELECT ${q.key} AS key, ${USER_SELECT} FROM ${q.from} WHERE ${q.where} IN (${part.map(() => '?').join(', ')}) ORDER BY u.pk`;
      plan.push({ kind, stmt: d1.prepare(sqlText).bind(...part) });
    }
  }
  const [targetsResult, ...results] = await d1.batch([
    // The People page's banner (paused, held for approval) rides in the same round trip.
    d1.prepare(TARGETS_SQL),
    ...plan.map((p) => p.stmt),
  ]);
  const found = Object.fromEntries(LOOKUP_KINDS.map((k) => [k, new Map<string, UserRecord>()])) as Record<LookupKind, Map<string, UserRecord>>;
  results.forEach((result, i) => {
    const map = found[plan[i]!.kind];
    for (const row of result!.results as RawUser[]) if (!map.has(row.key)) map.set(row.key, toUserRecord(row));
  });
  return { targets: targetsResult!.results as TargetRef[], found };
}

export interface UserSearch {
  userName?: string;
  email?: string;
  externalId?: string;
  q?: string;
  limit: number;
}

/** Beyond every other code point: `x <= s < x || MAX_CHAR` is "s starts with x", indexably. */
export const MAX_CHAR = '\u{10FFFF}';

/**
 * Searches the directory: the given filters all apply (exact, userName and email
 * case-insensitively); `q` matches a userName or email prefix, or an exact externalId or id.
 * Ordered by userName. Each term is an indexed lookup, so SQLite answers the OR by a union.
 */
export async function searchUsers(d1: D1Database, s: UserSearch): Promise<{ targets: TargetRef[]; users: UserRecord[] }> {
  const where: string[] = [];
  const params: string[] = [];
  const add = (clause: string, ...values: string[]) => {
    where.push(clause);
    params.push(...values);
  };
  const emailIn = (cmp: string) => `u.pk IN (SELECT user_pk FROM user_values WHERE attr = 'emails' AND ${cmp})`;
  if (s.userName) add('u.user_name_lower = ?', s.userName.toLowerCase());
  if (s.email) add(emailIn('value_lower = ?'), s.email.toLowerCase());
  if (s.externalId) add('u.external_id = ?', s.externalId);
  if (s.q) {
    const low = s.q.toLowerCase();
    const prefix = (col: string) => `${col} >= ? AND ${col} < ?`;
    add(
      `(${prefix('u.user_name_lower')} OR ${emailIn(prefix('value_lower'))} OR u.external_id = ? OR u.id = ?)`,
      low,
      low + MAX_CHAR,
      low,
      low + MAX_CHAR,
      s.q,
      s.q,
    );
  }
  const sqlText = `SELECT '' AS key, ${USER_SELECT} FROM users u ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY u.user_name_lower LIMIT ?`;
  const [targetsResult, usersResult] = await d1.batch([
    // The People page's banner (paused, held for approval) rides in the same round trip.
    d1.prepare(TARGETS_SQL),
    d1.prepare(sqlText).bind(...params, s.limit),
  ]);
  return { targets: targetsResult!.results as TargetRef[], users: (usersResult!.results as RawUser[]).map(toUserRecord) };
}

export interface SiteRef {
  id: string;
  name: string;
  kind: string;
}

/**
 * Drupal uids of one site → directory user ids: first through the links of the sources whose
 * base URL is the site (source_links.remote_uid), then through the links of its Drupal targets
 * (links.remote_key holds the uid the target created or matched). `normalize` folds stored base
 * URLs the way the request's `site` was folded.
 */
export async function resolveSiteUids(
  d1: D1Database,
  site: string,
  uids: readonly string[],
  normalize: (url: string) => string,
): Promise<{ sources: SiteRef[]; targets: SiteRef[]; userIds: Map<string, string> }> {
  const [sourceRows, targetRows] = await d1.batch([
    d1.prepare('SELECT id, name, kind, base_url AS baseUrl FROM sources ORDER BY created, id'),
    d1.prepare("SELECT id, name, kind, base_url AS baseUrl FROM targets WHERE kind = 'drupal-jsonapi' ORDER BY created, id"),
  ]);
  const onSite = (rows: (SiteRef & { baseUrl: string })[]) =>
    rows.filter((r) => normalize(r.baseUrl) === site).map(({ id, name, kind }) => ({ id, name, kind }));
  const sources = onSite(sourceRows!.results as (SiteRef & { baseUrl: string })[]);
  const targets = onSite(targetRows!.results as (SiteRef & { baseUrl: string })[]);
  const userIds = new Map<string, string>();
  const wanted = [...new Set(uids)];
  const stmts: D1PreparedStatement[] = [];
  if (sources.length > 0) {
    for (const part of chunk(wanted, MAX_PARAMS - sources.length)) {
      stmts.push(
        d1
          .prepare(
            `SELECT remote_uid AS uid, user_id AS userId, 0 AS rank FROM source_links WHERE source_id IN (${sources.map(() => '?').join(', ')}) AND remote_uid IN (${part.map(() => '?').join(', ')}) AND removed_at IS NULL`,
          )
          .bind(...sources.map((s) => s.id), ...part),
      );
    }
  }
  if (targets.length > 0) {
    for (const part of chunk(wanted, MAX_PARAMS - targets.length)) {
      stmts.push(
        d1
          .prepare(
            `SELECT remote_key AS uid, resource_id AS userId, 1 AS rank FROM links WHERE target_id IN (${targets.map(() => '?').join(', ')}) AND resource_type = 'User' AND remote_key IN (${part.map(() => '?').join(', ')})`,
          )
          .bind(...targets.map((t) => t.id), ...part),
      );
    }
  }
  if (stmts.length > 0 && wanted.length > 0) {
    const rows = (await d1.batch(stmts)).flatMap((r) => r.results as { uid: string; userId: string; rank: number }[]);
    // a source's link wins over a target's: the source is where the account is managed
    rows.sort((a, b) => a.rank - b.rank);
    for (const row of rows) if (!userIds.has(row.uid)) userIds.set(row.uid, row.userId);
  }
  return { sources, targets, userIds };
}
