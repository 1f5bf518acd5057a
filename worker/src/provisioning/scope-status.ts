/**
 * Where each of a page of users stands against every target's scope (issue #13), for the users
 * list, the People-page lookup and a user's status: the per-user override, and whether the user
 * is out of scope — so chips show "out of scope" as a state of its own, not "not linked". One D1
 * batch: the overrides, and one statement per target whose scope is not "every user".
 */
import { ALL_SCOPE, scopeSchema, type Override } from '../../../shared/src/scope';
import { overrideKey, overridesOfUsersStatements } from '../db/overrides';
import { inScopeStatement } from '../db/scope';
import { scopeCondition } from './scope';

/** A stored scope, read leniently (built once: a zod schema is costly to build per request). */
const storedScopeSchema = scopeSchema.catch(ALL_SCOPE);

export interface ScopeStatuses {
  override(targetId: string, userId: string): Override | null;
  isOutOfScope(targetId: string, userId: string): boolean;
}

export async function scopeStatuses(
  db: D1Database,
  targets: readonly { id: string; scope: string | null }[],
  userIds: readonly string[],
): Promise<ScopeStatuses> {
  const overrides = new Map<string, Override>();
  const inScope = new Map<string, Set<string>>();
  const ids = [...new Set(userIds)];
  const scoped = targets.flatMap((t) => {
    const scope = t.scope ? storedScopeSchema.parse(JSON.parse(t.scope)) : ALL_SCOPE;
    return scope.kind === 'all' ? [] : [{ id: t.id, scope }];
  });
  const overrideStmts = overridesOfUsersStatements(db, ids);
  if (ids.length > 0) {
    const results = await db.batch<Record<string, string>>([
      ...overrideStmts,
      ...scoped.map((t) => inScopeStatement(db, scopeCondition(t.scope, t.id, 'users.id', 'probe'), ids)),
    ]);
    results.forEach((r, i) => {
      if (i < overrideStmts.length) for (const row of r.results) overrides.set(overrideKey(row.targetId!, row.userId!), row.override as Override);
      else inScope.set(scoped[i - overrideStmts.length]!.id, new Set(r.results.map((row) => row.id!)));
    });
  }
  const override = (targetId: string, userId: string) => overrides.get(overrideKey(targetId, userId)) ?? null;
  return {
    override,
    isOutOfScope: (targetId, userId) => override(targetId, userId) === 'never' || inScope.get(targetId)?.has(userId) === false,
  };
}
