/**
 * Entra ID's most common update writes one sub-attribute of the elements a type filter selects:
 * `{"op":"Replace","path":"emails[type eq \"work\"].value","value":"x@y"}`, and the same for
 * `phoneNumbers[type eq "mobile"].value` or `addresses[type eq "work"].streetAddress` (Microsoft's
 * SCIM reference requests; it sends "Add" for them too, learn.microsoft.com/en-us/answers/
 * questions/1684621). Where elements match, the engine (apply-value-path.ts) sets that
 * sub-attribute to one value, coerced from the request alone, in every element whose `type`
 * equals the filter's with case folded, and changes nothing else. So it is planned from the
 * request, and the directory applies it in SQL (directory/element-writes.ts). Where none matches,
 * an `add` appends the element the engine creates (`{type, <sub>: value}`, Entra ID's way of giving
 * a user a first mobile number), which is known from the request too; the batch is refused only
 * for what the stored body decides — a `replace` that matches nothing (noTarget), several
 * primaries, a type SQLite cannot fold — and the engine runs after a read.
 */
import type { Filter } from '../filter/ast';
import type { Json } from '../schema/normalize';
import { findAttribute } from '../schema/registry';
import type { AttributeDef } from '../schema/types';
import type { PatchAction } from './action';
import type { PatchTarget } from './target';
import { ScimError } from '../errors';
import { elementFromFilter, withSub } from './elements';
import { isWholeList } from './list-plan';
import { coerceValue, elementDef } from './values';

export interface ElementPlan {
  def: AttributeDef;
  sub: AttributeDef;
  /** the filter's type, case-folded as matchesFilter folds it */
  type: string;
  value: Json;
  /** add: the element the engine appends when none matches (apply-value-path.ts createMatching) */
  created?: Json;
}

type FilteredTarget = Extract<PatchTarget, { kind: 'attribute' }> & { filter: Filter };

/**
 * The write of `target` (`attr[type eq "…"].sub`), as a list of none (the value coerced to
 * nothing: the engine does nothing either) or one; undefined for any other shape.
 */
export function planElementWrite(target: FilteredTarget, action: PatchAction): ElementPlan[] | undefined {
  const { def, sub, filter } = target;
  if (action.kind !== 'write' || target.extension !== undefined || !sub || !isPlannable(def, sub)) return undefined;
  const type = typeOf(def, filter);
  if (type === undefined) return undefined;
  const value = coerceValue(sub, action.value, target.label);
  if (value === undefined) return [];
  const created = action.op === 'add' ? createdElement(target, value) : undefined;
  return [{ def, sub, type, value, ...(created === undefined ? {} : { created }) }];
}

/**
 * As apply-value-path.ts createMatching: the filter's `{type}` with the sub-attribute set, coerced
 * as one element. One the engine would refuse (400) is left to it: the batch then refuses a
 * stored body with no match, and the engine answers.
 */
function createdElement({ def, sub, filter, label }: FilteredTarget, value: Json): Json | undefined {
  const seed = elementFromFilter(def, filter)!;
  const element = withSub(seed, sub!, value);
  try {
    return coerceValue(elementDef(def), element, label) ?? element;
  } catch (err) {
    if (err instanceof ScimError) return undefined;
    throw err;
  }
}

/** The removal of the elements one `value eq "…"` / `type eq "…"` selects (directory/element-removes.ts). */
export interface ElementRemovePlan {
  def: AttributeDef;
  /** the compared sub-attribute */
  key: AttributeDef;
  /** the filter's value, folded unless the sub-attribute is caseExact */
  value: string;
}

/**
 * `remove` (or a null value) of `attr[value eq "…"]` or `attr[type eq "…"]`, whole elements: as
 * apply-value-path.ts, the matched elements go. Undefined for any other shape (a sub-attribute, a
 * filter joined with others, another operator).
 */
export function planElementRemove(target: FilteredTarget, action: PatchAction): ElementRemovePlan | undefined {
  const { def, sub, filter } = target;
  if (action.kind === 'write' || target.extension !== undefined || sub || !isWholeList(def, undefined, [])) return undefined;
  const eq = eqOperand(def, filter);
  if (!eq || (eq.key.name !== 'value' && eq.key.name !== 'type') || eq.key.type === 'complex') return undefined;
  return { def, ...eq };
}

/** A single-valued complex attribute unassigned when its sub-attribute equals the filter's value (directory ConditionalUnset). */
export interface FilteredUnsetPlan {
  at: string[];
  key: AttributeDef;
  /** the filter's value, folded unless the sub-attribute is caseExact */
  value: string;
}

/**
 * Quirk `singleValuedComplexFilter`: Entra ID's `{"op":"remove","path":"manager[value eq
 * \"<id>\"]"}` unassigns the manager when it is that one and does nothing otherwise
 * (apply-value-path.ts applyToFilteredSingle). Undefined for a sub-attribute in the path, a write
 * (a 400 the engine answers) or any filter but one `eq` of a string sub-attribute.
 */
export function planFilteredUnset(target: FilteredTarget, action: PatchAction): FilteredUnsetPlan | undefined {
  const { def, sub, filter } = target;
  if (action.kind === 'write' || sub || def.multiValued || def.type !== 'complex' || def.required || def.mutability !== 'readWrite') return undefined;
  const eq = eqOperand(def, filter);
  if (eq?.key.type !== 'string') return undefined;
  const at = target.extension === undefined ? [def.name] : [target.extension, def.name];
  return { at, ...eq };
}

/**
 * A multi-valued complex attribute of the JSON body (not Group members, which are rows), and a
 * sub-attribute other than `primary`: setting a primary moves it off the other elements.
 */
const isPlannable = (def: AttributeDef, sub: AttributeDef) =>
  def.multiValued &&
  def.type === 'complex' &&
  def.storage?.kind !== 'members' &&
  def.mutability === 'readWrite' &&
  sub.name !== 'primary' &&
  !sub.multiValued &&
  sub.mutability === 'readWrite';

/** `type eq "<string>"` on a type sub-attribute compared without case: its value, folded. */
function typeOf(def: AttributeDef, filter: Filter): string | undefined {
  const eq = eqOperand(def, filter);
  return eq?.key.name === 'type' && !eq.key.caseExact ? eq.value : undefined;
}

/**
 * One `eq` of a string on a plain sub-attribute of `def` (no URN, no sub-path): the compared
 * sub-attribute and the filter's value, folded unless it is caseExact, as matchesFilter compares.
 */
function eqOperand(def: AttributeDef, filter: Filter): { key: AttributeDef; value: string } | undefined {
  if (filter.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string') return undefined;
  if (filter.path.uri !== undefined || filter.path.sub !== undefined) return undefined;
  const key = findAttribute(def.subAttributes, filter.path.attr);
  return key && { key, value: key.caseExact ? filter.value : filter.value.toLowerCase() };
}
