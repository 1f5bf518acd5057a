/** Helpers for the elements of multi-valued complex attributes (RFC 7643 §2.4). */
import { badRequest } from '../errors';
import type { Filter } from '../filter/ast';
import { findAttribute } from '../schema/registry';
import { isObject, type Json, type JsonObject } from '../schema/normalize';
import type { AttributeDef } from '../schema/types';
import { coerceValue, elementDef } from './values';

export function withSub(element: Json, sub: AttributeDef, value: Json): JsonObject {
  return { ...(isObject(element) ? element : {}), [sub.name]: value };
}

export function withoutSub(element: Json, sub: AttributeDef): Json {
  if (!isObject(element)) return element;
  const { [sub.name]: _removed, ...rest } = element;
  return rest;
}

/**
 * One element's value for `emails[type eq "work"]`-style targets. coerceValue unwraps a
 * one-element list (clients that always send arrays for multi-valued attributes send one here
 * too); a longer list cannot be one element.
 */
export function coerceElement(def: AttributeDef, raw: Json, label: string): Json | undefined {
  if (Array.isArray(raw) && raw.length !== 1) throw badRequest('invalidValue', `${label}: expected one ${def.name} value, not a list.`);
  return coerceValue(elementDef(def), raw, label);
}

/**
 * The sub-attributes a filter pins down by equality: `type eq "work" and primary eq true` →
 * `{ type: "work", primary: true }`; undefined when the filter is anything else (or, ne, co, …)
 * and so does not describe one element that could be created.
 */
export function elementFromFilter(def: AttributeDef, filter: Filter): JsonObject | undefined {
  const pairs = equalities(filter);
  if (!pairs) return undefined;
  const out: JsonObject = {};
  for (const [name, value] of pairs) {
    const sub = findAttribute(def.subAttributes, name);
    if (!sub) return undefined;
    out[sub.name] = value;
  }
  return out;
}

function equalities(filter: Filter): [string, Json][] | undefined {
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.value !== null) return [[filter.path.attr, filter.value]];
  if (filter.kind !== 'and') return undefined;
  const left = equalities(filter.left);
  const right = equalities(filter.right);
  return left && right ? [...left, ...right] : undefined;
}
