/**
 * Operations whose path selects elements with a value filter (RFC 7644 §3.5.2):
 * `emails[type eq "work"]`, `emails[type eq "work"].value`, `addresses[type eq "work"].streetAddress`.
 */
import { badRequest } from '../errors';
import type { Filter } from '../filter/ast';
import { matchesFilter } from '../filter/match';
import type { Json, JsonObject } from '../schema/normalize';
import type { AttributeDef } from '../schema/types';
import type { PatchAction } from './action';
import { assign, unassign } from './container';
import { coerceElement, elementFromFilter, withSub, withoutSub } from './elements';
import { settlePrimary } from './primary';
import { caseExactOf } from './target';
import { asList, coerceValue, elementDef, isUnassigned } from './values';

export interface ValuePathTarget {
  def: AttributeDef;
  sub: AttributeDef | undefined;
  filter: Filter;
  label: string;
}

export function applyToValuePath(container: JsonObject, t: ValuePathTarget, action: PatchAction): void {
  const list = asList(container[t.def.name]);
  const opts = { isCaseExact: caseExactOf(t.def) };
  const hits = list.map((e) => matchesFilter(t.filter, e, opts));
  if (action.kind !== 'write') {
    // RFC 7644 §3.5.2.2: the matched values (or their sub-attribute) are removed, and an element
    // left empty goes too. §3.5.2.2 names no error for a filter that matches nothing, but §3.12
    // Table 9 defines noTarget as "the specified path value contains a filter that yields no
    // match", so remove answers like replace (test/conformance/patch.test.ts). Group members are
    // the exception that stays idempotent: they are removed as a delta (members.ts).
    if (!hits.some(Boolean)) throw noTargetFor(t);
    const next = t.sub ? list.map((e, i) => (hits[i] ? withoutSub(e, t.sub!) : e)).filter((e) => !isUnassigned(e)) : list.filter((_, i) => !hits[i]);
    assign(container, t.def, next);
    return;
  }
  const incoming = t.sub ? coerceValue(t.sub, action.value, t.label) : coerceElement(t.def, action.value, t.label);
  if (incoming === undefined) return;
  if (!hits.some(Boolean)) {
    const created = createMatching(t, action.op, incoming);
    assign(container, t.def, settlePrimary(t.def, [...list, created], [created]));
    return;
  }
  const changed: Json[] = [];
  const next = list.map((e, i) => {
    if (!hits[i]) return e;
    // RFC 7644 §3.5.2.3: with a sub-attribute, that sub-attribute of every matched record is
    // replaced; without one, every matched record is replaced whole. RFC 7644 §3.5.2.1 (add)
    // leaves the record form open; add merges the given sub-attributes into each match.
    const updated = t.sub
      ? withSub(e, t.sub, incoming)
      : action.op === 'replace'
        ? { ...(incoming as JsonObject) }
        : { ...(e as JsonObject), ...(incoming as JsonObject) };
    changed.push(updated);
    return updated;
  });
  assign(container, t.def, settlePrimary(t.def, next, changed));
}

/**
 * No element matched.
 * - replace: RFC 7644 §3.5.2.3 "the service provider SHALL indicate failure by returning HTTP
 *   status code 400 and a scimType error code of noTarget".
 * - add, quirk `addCreatesFilteredElement`: Entra ID sends `{"op":"Add","path":
 *   "emails[type eq \"work\"].value","value":"x@y"}` (and `addresses[type eq "work"].formatted`)
 *   to a user who has no work email yet, and Microsoft's guidance is to create the element
 *   (learn.microsoft.com/en-us/answers/questions/120490). We create `{type: "work", value: …}`
 *   when the filter is a conjunction of `eq` comparisons, which pins the element down; any other
 *   filter cannot describe a new element and is noTarget.
 */
function createMatching(t: ValuePathTarget, op: 'add' | 'replace', incoming: Json): Json {
  if (op === 'replace') throw noTargetFor(t);
  const seed = elementFromFilter(t.def, t.filter);
  if (!seed) throw noTargetFor(t);
  const element = t.sub ? withSub(seed, t.sub, incoming) : { ...seed, ...(incoming as JsonObject) };
  return coerceValue(elementDef(t.def), element, t.label) ?? element;
}

const noTargetFor = (t: ValuePathTarget) => badRequest('noTarget', `No ${t.def.name} value matches the filter of "${t.label}".`);

/**
 * Quirk `singleValuedComplexFilter` (target.ts): `manager[value eq "<id>"]` on the single-valued
 * `manager`. Only remove is meaningful: it unassigns the manager (or the named sub-attribute)
 * when the filter matches, and is a no-op otherwise — Entra sends it when the manager it knew is
 * no longer the manager, which must not fail because another one was set in between.
 */
export function applyToFilteredSingle(container: JsonObject, t: ValuePathTarget, action: PatchAction): void {
  if (action.kind === 'write')
    throw badRequest('invalidPath', `"${t.label}": a value filter on the single-valued ${t.def.name} can only be used to remove it.`);
  const current = container[t.def.name];
  if (current === undefined || !matchesFilter(t.filter, current, { isCaseExact: caseExactOf(t.def) })) return;
  if (!t.sub) return unassign(container, t.def, t.label);
  assign(container, t.def, withoutSub(current, t.sub));
}
