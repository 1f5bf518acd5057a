/**
 * The parts of a PATCH planned from the request alone (merge-plan.ts) that touch multi-valued
 * attributes or filtered single-valued ones: a whole list replaced or removed (a merge patch), and
 * the SQL steps the directory judges against the stored elements — values appended
 * (append-plan.ts), elements a filter writes or removes and a manager unassigned when it is the
 * one named (element-plan.ts). Each kind runs in a fixed place of the batch, so a request that
 * mixes them on one attribute, or that the steps' bound parameters would not fit, is left to the
 * engine.
 */
import type { Json, JsonObject } from '../schema/normalize';
import { isObject } from '../schema/normalize';
import type { AttributeDef } from '../schema/types';
import { writeAttribute } from './apply-attribute';
import { planAppend } from './append-plan';
import type { FilteredUnsetPlan } from './element-plan';
import { notPlanned, setIn, touchedBy, type MergePlan } from './plan-state';
import { coerceValue } from './values';

/** A multi-valued complex attribute of the core body, written whole or appended to (not Group members, which are rows). */
export const isWholeList = (def: AttributeDef, sub: AttributeDef | undefined, base: readonly string[]) =>
  def.multiValued && !sub && base.length === 0 && def.type === 'complex' && def.storage?.kind !== 'members' && def.mutability === 'readWrite' && !def.required;

/**
 * `replace` of a multi-valued attribute (RFC 7644 §3.5.2.3: all its values replaced), or its
 * unassign (`value` null): what the engine stores is known from the request alone, computed by the
 * engine's own writeAttribute on an empty body (duplicates dropped, one primary kept) and written
 * as a merge patch, with the attribute's value rows replaced.
 */
export function planList(plan: MergePlan, def: AttributeDef, raw: Json | null, label: string): void {
  if (raw !== null && coerceValue(def, raw, label) === undefined) return;
  const written: JsonObject = {};
  if (raw !== null) writeAttribute(written, def, 'replace', raw, label);
  setIn(plan, [def.name], written[def.name] ?? null);
  if (!plan.lists.includes(def.name)) plan.lists.push(def.name);
}

/** Values appended by one operation; a second operation appending to the same attribute is left to the engine (append-plan.ts judges each against the stored list). */
export function planAppendTo(plan: MergePlan, def: AttributeDef, raw: Json, label: string): void {
  const appends = planAppend(def, raw, label);
  if (!appends || plan.appends.some((a) => a.def === def)) notPlanned();
  plan.appends.push(...appends!);
}

/** A conditional unassign runs before the containers are pruned; an extension it may empty is pruned too. */
export function planUnsetIf(plan: MergePlan, unset: FilteredUnsetPlan | undefined, extension: string | undefined): void {
  if (!unset) notPlanned();
  plan.unsets.push(unset!);
  if (extension !== undefined && !plan.prune.some((p) => p.length === 1 && p[0] === extension)) plan.prune.push([extension]);
}

/**
 * Bound parameters the steps may take in the merge's one UPDATE (four an element write, three a
 * removal, one a conditional unassign, one and a text each an appended value), of D1's 100: the
 * rest is left for the patches, the containers pruned, the columns and the id.
 */
const MAX_STEP_PARAMS = 64;

const stepParams = (plan: MergePlan) =>
  4 * plan.elements.length +
  3 * plan.removes.length +
  plan.unsets.length +
  plan.appends.reduce((n, a) => n + 1 + Object.values(a.element).filter((v) => typeof v === 'string').length, 0);

/** Leaves to the engine a plan whose steps would not fit one statement or would run out of the request's order. */
export function assertStepsFit(plan: MergePlan): void {
  if (stepParams(plan) > MAX_STEP_PARAMS || !isWrittenOneWay(plan) || unsetsTouched(plan)) notPlanned();
}

/** No multi-valued attribute written two ways (whole, into filtered elements, appended to, elements removed), nor appended to twice: their SQL runs in a fixed order. */
function isWrittenOneWay(plan: MergePlan): boolean {
  const ways = [plan.lists, plan.elements, plan.appends, plan.removes].map((way) => new Set(way.map((w) => (typeof w === 'string' ? w : w.def.name))));
  const named = ways.flatMap((w) => [...w]);
  return new Set(named).size === named.length;
}

/** A conditional unassign of an attribute the merge patches also write: their SQL runs first, the engine's order is the request's. */
function unsetsTouched(plan: MergePlan): boolean {
  const touched = touchedBy(plan.patches);
  return plan.unsets.some(({ at }) => {
    let node: Json | undefined = touched;
    for (const key of at) {
      if (node === null) return true;
      node = isObject(node) ? node[key] : undefined;
    }
    return node !== undefined;
  });
}
