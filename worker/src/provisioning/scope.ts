/**
 * Who goes where (issue #13): a target's scope and its per-user overrides as one SQL condition
 * over a user id, so the engine, the plan, reconcile and the preview ask the same question in
 * the database — for a batch of users in one query, never one per user. Desired state of a
 * target = directory ∩ scope ∪ "always" − "never".
 *
 * - `all`: true (only the overrides apply);
 * - `groups`: members of the chosen groups; with `nested`, a recursive CTE over group_members
 *   walks member groups too — UNION (not UNION ALL) keeps each group once, so a cycle ends;
 * - `filter`: the SCIM filter compiled by the /scim/v2 filter → SQL path (scim/filter/to-sql.ts).
 */
import type { Scope } from '../../../shared/src/scope';
import type { SqlFragment } from '../directory/types';
import { ScimError } from '../scim/errors';
import { parseFilter } from '../scim/filter/parse-filter';
import { compileFilter } from '../scim/filter/to-sql';
import { userResourceType } from '../scim/schema/registry';

/** Group pks in scope: the chosen groups (their ids bound as one JSON array) and, nested, their member groups. */
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

/**
 * How a group scope meets the users it is asked about. `set`: the scope's members are built once
 * per statement (SQLite materialises an uncorrelated IN list) — right for a statement over the
 * whole directory (the preview). `probe`: each user's own memberships are looked up (a
 * correlated EXISTS through the group_members key) — right for the few ids of a People page, a
 * popup, a claimed batch, a plan's page or the sync status's waiting rows, where building a 50,000-member set costs tens of ms
 * per request at 100,000 users (bench:limits). A filter scope is a set either way: its compiled
 * SQL names the `users` table, which a correlated subquery could not tell from the caller's.
 */
export type ScopeForm = 'set' | 'probe';

/** The scope alone (no overrides) as a condition on the user id expression `userId` (e.g. `u.id`). */
export function scopeOnly(scope: Scope, userId: string, form: ScopeForm = 'set'): SqlFragment {
  switch (scope.kind) {
    case 'all':
      return { sql: '1', params: [] };
    case 'groups': {
      const closure = groupClosure(scope.groupIds, scope.nested);
      const members = `FROM group_members um JOIN scope_groups s ON um.group_pk = s.pk WHERE um.member_type = 'User'`;
      return {
        sql:
          form === 'probe'
            ? `EXISTS (WITH RECURSIVE ${closure.sql} SELECT 1 ${members} AND um.member_id = ${userId})`
            : `${userId} IN (WITH RECURSIVE ${closure.sql} SELECT um.member_id ${members})`,
        params: closure.params,
      };
    }
    case 'filter': {
      // The filter's SQL names the `users` table; inside its own subquery it cannot meet the caller's.
      const where = compileFilter(userResourceType, parseFilter(scope.filter));
      return { sql: `${userId} IN (SELECT users.id FROM users WHERE ${where.sql})`, params: where.params };
    }
  }
}

/**
 * The groups a target receives with group push, as a condition on a group pk expression: the
 * chosen groups (with nested, their member groups too) for a group scope; null — every group —
 * for the other kinds, whose members are filtered instead.
 */
export function groupScopeCondition(scope: Scope, groupPk: string): SqlFragment | null {
  if (scope.kind !== 'groups') return null;
  const closure = groupClosure(scope.groupIds, scope.nested);
  return { sql: `${groupPk} IN (WITH RECURSIVE ${closure.sql} SELECT pk FROM scope_groups)`, params: closure.params };
}

/** Scope and overrides of one target: ("always" or in scope) and not "never". */
export function scopeCondition(scope: Scope, targetId: string, userId: string, form: ScopeForm = 'set'): SqlFragment {
  const only = scopeOnly(scope, userId, form);
  const overridden = (kind: 'always' | 'never') => `(SELECT user_id FROM target_overrides WHERE target_id = ? AND override = '${kind}')`;
  const never = `${userId} NOT IN ${overridden('never')}`;
  if (scope.kind === 'all') return { sql: `(${never})`, params: [targetId] };
  return { sql: `((${only.sql} OR ${userId} IN ${overridden('always')}) AND ${never})`, params: [...only.params, targetId, targetId] };
}

/**
 * A filter scope the /scim/v2 compiler refuses, in the compiler's own words (null: it compiles).
 * Checked when a target is saved, so a bad filter is the admin's form error, not a paused run.
 */
export function scopeFilterProblem(scope: Scope): string | null {
  if (scope.kind !== 'filter') return null;
  try {
    scopeOnly(scope, 'users.id');
    return null;
  } catch (err) {
    if (err instanceof ScimError) return err.message;
    throw err;
  }
}
