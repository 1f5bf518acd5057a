/**
 * A target's scope and overrides as SQL conditions over a user id (issue #13), built here so the
 * scope's SQL lives with the rest of storage; provisioning/scope.ts picks which one a scope needs
 * (and compiles a filter scope's SCIM filter). Desired state of a target = directory ∩ scope ∪
 * "always" − "never", asked in the database for a batch of users at once, never one per user.
 */
import type { SqlFragment } from '../directory/types';

/**
 * How a group scope meets the users it is asked about. `set`: the scope's members are built once
 * per statement (SQLite materialises an uncorrelated IN list) — right for a statement over the
 * whole directory (the preview). `probe`: each user's own memberships are looked up (a
 * correlated EXISTS through the group_members key) — right for the few ids of a People page, a
 * popup, a claimed batch, a plan's page or the sync status's waiting rows, where building a
 * 50,000-member set costs tens of ms
 * per request at 100,000 users (bench:limits). A filter scope is a set either way: its compiled
 * SQL names the `users` table, which a correlated subquery could not tell from the caller's.
 */
export type ScopeForm = 'set' | 'probe';

/**
 * Group pks in scope: the chosen groups (their ids bound as one JSON array) and, nested, their
 * member groups, by a recursive CTE over group_members — UNION (not UNION ALL) keeps each group
 * once, so a cycle ends.
 */
function groupClosure(groupIds: readonly string[], nested: boolean): SqlFragment {
  const chosen = 'SELECT pk FROM groups WHERE id IN (SELECT value FROM json_each(?))';
  if (!nested) return { sql: `scope_groups(pk) AS (${chosen})`, params: [JSON.stringify(groupIds)] };
  return {
    sql: `scope_groups(pk) AS (${chosen}
      UNION
      SELECT g.pk FROM scope_groups s
        JOIN group_members sm ON sm.group_pk = s.pk AND sm.member_type = 'Group'
        JOIN groups g ON g.id = sm.member_id)`,
    params: [JSON.stringify(groupIds)],
  };
}

/** Every user: the scope "all" without its overrides. */
export const EVERY_USER: SqlFragment = { sql: '1', params: [] };

/** The user id expression `userId` is a member of the groups (with nested, of their member groups too). */
export function groupMemberCondition(groupIds: readonly string[], nested: boolean, userId: string, form: ScopeForm): SqlFragment {
  const closure = groupClosure(groupIds, nested);
  // probe: the user's own membership rows, each checked against the closure (a few group pks,
  // uncorrelated); with the closure inside the correlated subquery, SQLite stepped through
  // group_members by an automatic index it built over the whole table (bench:limits, 100,000 users)
  if (form === 'probe')
    return {
      sql: `EXISTS (SELECT 1 FROM group_members um WHERE um.member_id = ${userId} AND um.member_type = 'User' AND um.group_pk IN (WITH RECURSIVE ${closure.sql} SELECT pk FROM scope_groups))`,
      params: closure.params,
    };
  return {
    sql: `${userId} IN (WITH RECURSIVE ${closure.sql} SELECT um.member_id FROM group_members um JOIN scope_groups s ON um.group_pk = s.pk WHERE um.member_type = 'User')`,
    params: closure.params,
  };
}

/** The user id expression `userId` passes a compiled SCIM filter (`where`, over the `users` table). */
export function userFilterCondition(where: SqlFragment, userId: string): SqlFragment {
  // The filter's SQL names the `users` table; inside its own subquery it cannot meet the caller's.
  return { sql: `${userId} IN (SELECT users.id FROM users WHERE ${where.sql})`, params: where.params };
}

/** The group pk expression `groupPk` is one of the groups (with nested, or of their member groups). */
export function groupPkCondition(groupIds: readonly string[], nested: boolean, groupPk: string): SqlFragment {
  const closure = groupClosure(groupIds, nested);
  return { sql: `${groupPk} IN (WITH RECURSIVE ${closure.sql} SELECT pk FROM scope_groups)`, params: closure.params };
}

/**
 * A scope with the target's overrides: ("always" or in scope) and not "never". `only` null is
 * the scope "all", which only "never" narrows.
 */
export function withOverrides(only: SqlFragment | null, targetId: string, userId: string): SqlFragment {
  const overridden = (kind: 'always' | 'never') => `(SELECT user_id FROM target_overrides WHERE target_id = ? AND override = '${kind}')`;
  const never = `${userId} NOT IN ${overridden('never')}`;
  if (only === null) return { sql: `(${never})`, params: [targetId] };
  return { sql: `((${only.sql} OR ${userId} IN ${overridden('always')}) AND ${never})`, params: [...only.params, targetId, targetId] };
}

/**
 * In scope (`inScope`, over `users.id`) or still linked on the target with a remote account: the
 * users an initial sync pages through, so one that left the scope is deactivated there too.
 */
export function inScopeOrLinked(inScope: SqlFragment, targetId: string): SqlFragment {
  return {
    sql: `(${inScope.sql} OR EXISTS (SELECT 1 FROM links l WHERE l.target_id = ? AND l.resource_type = 'User' AND l.resource_id = users.id AND l.remote_id IS NOT NULL))`,
    params: [...inScope.params, targetId],
  };
}
