/**
 * PATCH in one D1 round trip (issue #11 item 5). A PATCH that needs nothing from the stored
 * resource is planned from the request alone and written as one batch: the guards (the resource
 * exists, the client's If-Match / If-None-Match as SQL), the change, a change row only when the
 * change really lands, and the read-back. These shapes qualify (README: Round trips to D1):
 * - Group membership by id, or removal by a filter on value / type (patch/membership-plan.ts):
 *   member rows are deltas, the version moves only when a member really comes or goes;
 * - single-valued attributes and whole multi-valued ones (patch/merge-plan.ts): a merge of the
 *   stored JSON in SQL, with the lists' value rows replaced;
 * - beside them, what a multi-valued attribute's stored elements decide, judged in SQL: a
 *   sub-attribute of the elements `type eq "…"` selects, set or appended (Entra ID's
 *   `emails[type eq "work"].value`, patch/element-plan.ts), elements a `value eq` / `type eq`
 *   filter removes, values added without a filter (patch/append-plan.ts); a batch whose stored
 *   body the plan does not fit (a replace or remove that matches nothing, …) is refused as
 *   `needs_read`.
 * Everything else is read, applied in code and written back (service.ts `rewrite`): two trips.
 */
import { memberStatements } from '../directory/memberships';
import { GROUP_PK_BY_ID } from '../directory/sql';
import { mergeStatements } from '../directory/merge-writes';
import { touchStatements, type WriteGuard } from '../directory/resources';
import { ScimError } from './errors';
import { appendWriteOf, elementRemoveOf, elementWriteOf, keyOrderOf, listRowsOf, mergedColumns } from './codec';
import { preconditionSql, type Conditions } from './etag';
import type { ParsedPatch } from './patch';
import { planMergePatch } from './patch/merge-plan';
import { applyMergePatch, touchedBy } from './patch/plan-state';
import { planMembershipPatch } from './patch/membership-plan';
import type { ResourceTypeDef } from './schema/types';

/** A write as one batch whose last statement reads the resource back. */
export interface PlannedWrite {
  statements: D1PreparedStatement[];
  /** ids the batch adds as members (named when one is unknown) */
  memberIds: string[];
  /** writes into filtered elements: the batch refuses (`needs_read`) a stored body the plan does not fit */
  mayRefuse?: boolean;
}

/** The one-batch write of a PATCH, or undefined when it must read the resource first. */
export function planOneTripPatch(
  db: D1Database,
  rt: ResourceTypeDef,
  id: string,
  parsed: ParsedPatch,
  cond: Conditions,
  withMembers: boolean,
): PlannedWrite | undefined {
  if (parsed instanceof ScimError) return undefined;
  const condition = preconditionSql(cond);
  const guard: WriteGuard = condition ? { condition } : {};
  const members = planMembershipPatch(rt, parsed);
  const membership = members && memberStatements(db, { sql: GROUP_PK_BY_ID, params: [id] }, members, members.remove, members.removeWhere);
  // A version test past one statement's parameters that the engine would answer otherwise
  // (memberStatements' `fits`) leaves the request to the engine.
  if (membership?.fits) {
    const { statements, add, wouldChange } = membership;
    return { statements: touchStatements(db, rt.name, id, guard, statements, wouldChange, withMembers), memberIds: add };
  }
  const merge = planMergePatch(rt, parsed);
  if (!merge) return undefined;
  const merged = merge.patches.reduce(applyMergePatch, {});
  const columns = mergedColumns(rt, touchedBy(merge.patches), merged);
  const patches = merge.patches.map((x) => JSON.stringify(x));
  const elements = merge.elements.map((e) => elementWriteOf(rt, e));
  const appends = merge.appends.map((a) => appendWriteOf(rt, a));
  const removes = merge.removes.map((r) => elementRemoveOf(rt, r));
  const unsets = merge.unsets.map(({ at, key, value }) => ({ at, key: key.name, value, folded: !key.caseExact }));
  const write = { order: keyOrderOf(rt), patches, prune: merge.prune, elements, appends, removes, unsets, lists: listRowsOf(rt, merged, merge.lists), columns };
  return {
    statements: mergeStatements(db, rt.name, id, guard, write, withMembers),
    memberIds: [],
    ...(elements.length + appends.length + removes.length + unsets.length > 0 ? { mayRefuse: true } : {}),
  };
}
