/**
 * Turning an operation's raw `value` into a stored value: the same normalising pass as POST/PUT
 * (canonical names, nulls dropped, readOnly sub-attributes such as `display` of members dropped),
 * then the attribute's zod schema, which coerces Entra ID's string booleans ("False") and reports
 * problems with the attribute path (400 invalidValue).
 */
import { z } from 'zod';
import { isObject, normalizeValue, type Json, type JsonObject } from '../schema/normalize';
import type { AttributeDef } from '../schema/types';
import { parseOrThrow, valueSchema } from '../schema/zod-schemas';

/** Normalised and validated, or undefined when nothing is left (null, `{}` of unknown keys). */
export function coerceValue(def: AttributeDef, raw: Json, label: string): Json | undefined {
  const normalized = normalizeValue(def, unwrapSingle(def, raw), { keepReadOnly: false }, 1);
  if (normalized === undefined) return undefined;
  return parseOrThrow<JsonObject>(z.object({ [label]: valueSchema(def) }), { [label]: normalized })[label];
}

/**
 * Shapes Entra ID sends for single-valued attributes:
 * - quirk `singleValueAsList`: a one-element list, `{"op":"Add","path":"manager","value":
 *   [{"$ref":"…","value":"id"}]}` (Entra ID's SCIM reference, "other observed requests");
 * - quirk `bareComplexValue`: the enterprise manager as a bare id string on the URN path
 *   (apache/directory-scimple#1242), which means `{ "value": "id" }`.
 */
function unwrapSingle(def: AttributeDef, raw: Json): Json {
  if (def.multiValued) return raw;
  const one = Array.isArray(raw) && raw.length === 1 ? raw[0]! : raw;
  const hasValueSub = def.type === 'complex' && def.subAttributes?.some((s) => s.name === 'value');
  return hasValueSub && (typeof one === 'string' || typeof one === 'number') ? { value: one } : one;
}

/** One element of a multi-valued attribute, described as a single-valued attribute. */
export const elementDef = (def: AttributeDef): AttributeDef => ({ ...def, multiValued: false });

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Compares one sub-attribute value, folding case unless the sub-attribute is caseExact. */
function sameValue(def: AttributeDef | undefined, a: Json | undefined, b: Json | undefined): boolean {
  if (typeof a === 'string' && typeof b === 'string' && !def?.caseExact) return a.toLowerCase() === b.toLowerCase();
  return deepEqual(a, b);
}

/**
 * RFC 7644 §3.5.2.1: "If the target location already contains the value specified, no changes
 * SHOULD be made". An existing element contains the new one when every sub-attribute the new one
 * sets is equal there (so re-adding `{value, type}` onto `{value, type, primary}` is a no-op).
 */
export function containsElement(def: AttributeDef, list: readonly Json[], element: Json): boolean {
  if (!isObject(element)) return list.some((e) => sameValue(def, e, element));
  const subs = def.subAttributes ?? [];
  return list.some(
    (e) =>
      isObject(e) &&
      Object.entries(element).every(([k, v]) =>
        sameValue(
          subs.find((s) => s.name === k),
          e[k],
          v,
        ),
      ),
  );
}

/** RFC 7643 §2.5: an empty array or object is the same as unassigned. */
export const isUnassigned = (v: Json | undefined): boolean =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

export const asList = (v: Json | undefined): Json[] => (Array.isArray(v) ? [...v] : v === undefined || v === null ? [] : [v]);
