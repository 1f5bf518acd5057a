/**
 * `add` of values to a multi-valued attribute without a filter (`{"op":"add","path":"emails",
 * "value":[{"value":"b@x","type":"home"}]}`, or path-less `{"op":"add","value":{"emails":[…]}}`):
 * RFC 7644 §3.5.2.1 adds the values to the set, and the engine (apply-attribute.ts writeAttribute)
 * skips a value the list contains already (every sub-attribute it sets equal, text without case
 * unless caseExact) and lets a new `primary: true` take the flag off the others. Which values are
 * new depends on what is stored, but each value's test does not: so the values are planned from
 * the request, and the directory appends each one in SQL unless a stored element contains it
 * (directory/append-writes.ts).
 *
 * A value that contains an earlier value of the same request is dropped here, as the engine drops
 * it (it is contained in that value or, when that one was not new, in the stored element that
 * contained it); so the values planned never contain one another, and each is judged against the
 * stored list alone. Undefined — the engine runs after a read — for values SQL cannot compare
 * (numbers, nested objects), for more than one new primary, and for an empty list.
 */
import { isObject, type JsonObject } from '../schema/normalize';
import type { AttributeDef } from '../schema/types';
import { coerceValue, containsElement } from './values';

export interface AppendPlan {
  def: AttributeDef;
  element: JsonObject;
}

export function planAppend(def: AttributeDef, raw: JsonObject[string], label: string): AppendPlan[] | undefined {
  const value = coerceValue(def, raw, label);
  if (value === undefined) return [];
  // An empty list still settles the stored primaries in the engine: left to it.
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const incoming = value;
  const kept = incoming.filter((e, i) => !containsElement(def, incoming.slice(0, i), e));
  if (!kept.every((e) => isObject(e) && Object.values(e).every((v) => typeof v === 'string' || typeof v === 'boolean'))) return undefined;
  if (kept.filter((e) => (e as JsonObject).primary === true).length > 1) return undefined;
  return kept.map((element) => ({ def, element: element as JsonObject }));
}
