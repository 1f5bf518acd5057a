/**
 * A target's scope as the admin API handles it (issue #13): checking a scope before it is saved,
 * previewing what applying it would do, and per-user overrides. The SQL is scope.ts's condition;
 * the storage is db/scope.ts and db/overrides.ts.
 */
import type { Override, Scope, ScopePreview } from '../../../shared/src/scope';
import type { Target } from '../../../shared/src/targets';
import { headSeq } from '../db/change-feed';
import { enqueueResources } from '../db/outbox';
import { putOverrideStatement } from '../db/overrides';
import { existingGroupIds, previewScope, scopeConditionError } from '../db/scope';
import { scopeCondition, scopeFilterProblem, scopeOnly } from './scope';

export interface ScopeIssue {
  path: (string | number)[];
  message: string;
}

/**
 * What is wrong with a scope, by key path: a filter the /scim/v2 compiler refuses (in its words)
 * or that the database cannot run, a group that is not in the directory. One query at most.
 */
export async function scopeIssues(db: D1Database, scope: Scope): Promise<ScopeIssue[]> {
  const problem = scopeFilterProblem(scope);
  if (problem) return [{ path: ['scope', 'filter'], message: problem }];
  if (scope.kind === 'filter') {
    const error = await scopeConditionError(db, scopeOnly(scope, 'u.id'));
    return error ? [{ path: ['scope', 'filter'], message: `The filter cannot run: ${error}` }] : [];
  }
  if (scope.kind !== 'groups') return [];
  const found = await existingGroupIds(db, scope.groupIds);
  return scope.groupIds.flatMap((id, i) => (found.has(id) ? [] : [{ path: ['scope', 'groupIds', i], message: `No group with id "${id}" in the directory.` }]));
}

/** What applying `scope` to the target would do, with the target's overrides: exact counts, lists capped at `limit`. */
export async function previewTargetScope(db: D1Database, target: Target, scope: Scope, limit: number): Promise<ScopePreview> {
  const { counts, create, deactivate } = await previewScope(db, scopeCondition(scope, target.id, 'u.id'), target.id, limit);
  return {
    scope,
    counts,
    create,
    deactivate,
    needsApproval: target.creationThreshold > 0 && counts.create > target.creationThreshold,
  };
}

/** Sets or clears one override and enqueues the user for the target, so the change reaches it. */
export async function setOverride(db: D1Database, targetId: string, userId: string, override: Override | null, now: Date): Promise<void> {
  const seq = await headSeq(db);
  await db.batch([putOverrideStatement(db, targetId, userId, override, now), ...enqueueResources(db, targetId, 'User', [userId], seq, now)]);
}
