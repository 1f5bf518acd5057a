/**
 * Who goes where (issue #13): a target's scope and its per-user overrides as one SQL condition
 * over a user id, so the engine, the plan, reconcile and the preview ask the same question in
 * the database — for a batch of users in one query, never one per user. The SQL is
 * db/scope-conditions.ts's; this file picks it by the scope's kind:
 *
 * - `all`: true (only the overrides apply);
 * - `groups`: members of the chosen groups (with `nested`, of their member groups too);
 * - `filter`: the SCIM filter compiled by the /scim/v2 filter → SQL path (scim/filter/to-sql.ts).
 */
import type { Scope } from '../../../shared/src/scope';
import { EVERY_USER, groupMemberCondition, groupPkCondition, type ScopeForm, userFilterCondition, withOverrides } from '../db/scope-conditions';
import type { SqlFragment } from '../directory/types';
import { ScimError } from '../scim/errors';
import { parseFilter } from '../scim/filter/parse-filter';
import { compileFilter } from '../scim/filter/to-sql';
import { userResourceType } from '../scim/schema/registry';

export type { ScopeForm };

/** The scope alone (no overrides) as a condition on the user id expression `userId` (e.g. `u.id`). */
export function scopeOnly(scope: Scope, userId: string, form: ScopeForm = 'set'): SqlFragment {
  switch (scope.kind) {
    case 'all':
      return EVERY_USER;
    case 'groups':
      return groupMemberCondition(scope.groupIds, scope.nested, userId, form);
    case 'filter':
      return userFilterCondition(compileFilter(userResourceType, parseFilter(scope.filter)), userId);
  }
}

/**
 * The groups a target receives with group push, as a condition on a group pk expression: the
 * chosen groups (with nested, their member groups too) for a group scope; null — every group —
 * for the other kinds, whose members are filtered instead.
 */
export function groupScopeCondition(scope: Scope, groupPk: string): SqlFragment | null {
  return scope.kind === 'groups' ? groupPkCondition(scope.groupIds, scope.nested, groupPk) : null;
}

/** Scope and overrides of one target: ("always" or in scope) and not "never". */
export function scopeCondition(scope: Scope, targetId: string, userId: string, form: ScopeForm = 'set'): SqlFragment {
  return withOverrides(scope.kind === 'all' ? null : scopeOnly(scope, userId, form), targetId, userId);
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
