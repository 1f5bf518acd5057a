/**
 * What a PATCH planned from the request alone (merge-plan.ts) collects, and the helpers that
 * build it: the merge patches of the stored JSON and the SQL steps beside them. Shared by the
 * planner of single-valued attributes and that of multi-valued ones (list-plan.ts).
 */
import { isObject, type Json, type JsonObject } from '../schema/normalize';
import type { AppendPlan } from './append-plan';
import type { ElementPlan, ElementRemovePlan, FilteredUnsetPlan } from './element-plan';

export interface MergePlan {
  /**
   * RFC 7396 merge patches of the stored body, applied in turn: the values written, null for what
   * is unassigned. One, unless a write lands inside what an earlier operation unassigned (`remove
   * manager`, then `manager.value`): a merge would keep the stored rest beside it, so that write
   * starts the next patch.
   */
  patches: JsonObject[];
  /** containers an unassign may leave empty (key lists, innermost first): removed when empty */
  prune: string[][];
  /** writes into elements a type filter selects, in request order (after the patches: they touch other attributes) */
  elements: ElementPlan[];
  /** values added to multi-valued attributes without a filter (append-plan.ts) */
  appends: AppendPlan[];
  /** elements removed by a `value eq` / `type eq` filter (element-plan.ts) */
  removes: ElementRemovePlan[];
  /** single-valued complex attributes unassigned when a filter matches: Entra ID's `remove manager[value eq "…"]` */
  unsets: FilteredUnsetPlan[];
  /** multi-valued attributes the patches write whole (replace) or unassign */
  lists: string[];
}

export const emptyMergePlan = (): MergePlan => ({ patches: [{}], prune: [], elements: [], appends: [], removes: [], unsets: [], lists: [] });

/** Thrown inside the planner for a request it leaves to the engine. */
export class NotPlanned extends Error {}

export const notPlanned = (): never => {
  throw new NotPlanned();
};

/**
 * Sets a value in the last merge patch. Inside a container it unassigned, an unassign is done
 * already, and a write starts the next patch (see MergePlan.patches).
 */
export function setIn(plan: MergePlan, at: string[], value: Json): void {
  let node = plan.patches.at(-1)!;
  for (const key of at.slice(0, -1)) {
    if (node[key] === null) {
      if (value === null) return;
      plan.patches.push({});
      return setIn(plan, at, value);
    }
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as JsonObject;
  }
  node[at.at(-1)!] = value;
}

/** RFC 7396 §2 MergePatch, in code: what the SQL's json_patch does to the stored body. */
export function applyMergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value)) out[key] = applyMergePatch(isObject(out[key]) ? (out[key] as JsonObject) : {}, value);
    else out[key] = value;
  }
  return out;
}

/** What the patches touch, as one object: a key any of them unassigns counts as unassigned whole. */
export function touchedBy(patches: readonly JsonObject[]): JsonObject {
  const out: JsonObject = {};
  for (const patch of patches)
    for (const [key, value] of Object.entries(patch)) {
      const seen = out[key];
      out[key] = value === null || seen === null ? null : isObject(value) && isObject(seen) ? touchedBy([seen, value]) : value;
    }
  return out;
}
