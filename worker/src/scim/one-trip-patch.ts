/**
 * PATCH in one D1 round trip (issue #11 item 5). A PATCH that needs nothing from the stored
 * resource is planned from the request alone and written as one batch: the guards (the resource
 * exists, the client's If-Match / If-None-Match as SQL), the change, a change row only when the
 * change really lands, and the read-back. Two shapes qualify (README: Round trips to D1):
 * - Group membership by id (patch/membership-plan.ts): member rows are deltas, the version moves
 *   only when a member really comes or goes;
 * - single-valued attributes (patch/merge-plan.ts): a merge of the stored JSON in SQL.
 * Everything else is read, applied in code and written back (service.ts `rewrite`): two trips.
 */
import { addMembersGuarded, clearMembersStatement, membersWouldChange, removeMemberStatements } from '../directory/memberships';
import { mergeStatements, touchStatements, type WriteGuard } from '../directory/resources';
import type { SqlFragment } from '../directory/types';
import { mergedColumns } from './codec';
import { preconditionSql, type Conditions } from './etag';
import type { MemberDelta } from './patch';
import { applyMergePatch, planMergePatch, touchedBy } from './patch/merge-plan';
import { planMembershipPatch } from './patch/membership-plan';
import type { ResourceTypeDef } from './schema/types';

/** A write as one batch whose last statement reads the resource back. */
export interface PlannedWrite {
  statements: D1PreparedStatement[];
  /** ids the batch adds as members (named when one is unknown) */
  memberIds: string[];
}

/** The group whose id is bound: what a batch that read nothing knows it by. */
export const GROUP_PK_BY_ID = '(SELECT pk FROM groups WHERE id = ?)';

/**
 * A membership delta as statements inside the write's batch, for the group whose pk is
 * `groupPk` (a `?` with the pk read, or GROUP_PK_BY_ID with the id): ids are resolved there, not
 * read first. Removals run before additions, so a member a filter removes and the request adds is
 * re-added. `wouldChange` is the SQL under which the version moves: clearing always counts as a
 * change, and so does a delta too large to test in one statement.
 */
export function memberStatements(db: D1Database, groupPk: SqlFragment, delta: MemberDelta, remove: readonly string[]) {
  const add = [...new Set(delta.add)];
  const statements = [
    ...(delta.clear ? [clearMembersStatement(db, groupPk.sql, groupPk.params)] : []),
    ...removeMemberStatements(db, groupPk.sql, groupPk.params, remove),
    ...addMembersGuarded(db, groupPk.sql, groupPk.params, add),
  ];
  const wouldChange = delta.clear ? undefined : membersWouldChange(groupPk.sql, groupPk.params, add, remove);
  return { statements, add, wouldChange: wouldChange ?? { sql: '1', params: [] } };
}

/** The one-batch write of a PATCH, or undefined when it must read the resource first. */
export function planOneTripPatch(
  db: D1Database,
  rt: ResourceTypeDef,
  id: string,
  body: unknown,
  cond: Conditions,
  withMembers: boolean,
): PlannedWrite | undefined {
  const condition = preconditionSql(cond);
  const guard: WriteGuard = condition ? { condition } : {};
  const delta = planMembershipPatch(rt, body);
  if (delta) {
    const { statements, add, wouldChange } = memberStatements(db, { sql: GROUP_PK_BY_ID, params: [id] }, delta, [...new Set(delta.remove)]);
    return { statements: touchStatements(db, rt.name, id, guard, statements, wouldChange, withMembers), memberIds: add };
  }
  const merge = planMergePatch(rt, body);
  if (!merge) return undefined;
  const columns = mergedColumns(rt, touchedBy(merge.patches), merge.patches.reduce(applyMergePatch, {}));
  const patches = merge.patches.map((x) => JSON.stringify(x));
  return { statements: mergeStatements(db, rt.name, id, guard, { patches, prune: merge.prune, columns }, withMembers), memberIds: [] };
}
