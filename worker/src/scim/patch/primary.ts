/**
 * RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once." When an
 * operation sets `primary: true` on an element, every other element of that attribute loses its
 * primary flag; among several new primaries the first one wins, so a sloppy client's list is
 * repaired rather than rejected.
 */
import { isObject, type Json } from '../schema/normalize';
import type { AttributeDef } from '../schema/types';

const isPrimary = (e: Json): boolean => isObject(e) && e.primary === true;

/** Returns the list with at most one primary; `changed` are the elements this operation wrote. */
export function settlePrimary(def: AttributeDef, list: Json[], changed: readonly Json[]): Json[] {
  if (!def.subAttributes?.some((s) => s.name === 'primary')) return list;
  const winner = changed.find(isPrimary) ?? list.find(isPrimary);
  if (winner === undefined) return list;
  return list.map((e) => {
    if (e === winner || !isPrimary(e) || !isObject(e)) return e;
    const { primary: _dropped, ...rest } = e;
    return rest;
  });
}
