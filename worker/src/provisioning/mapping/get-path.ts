/**
 * Reads one SCIM path from a resource: `userName`, `name.givenName`,
 * `emails[type eq "work"].value` (the first matching element), `emails.value` (the primary
 * element, else the first), `urn:…:enterprise:2.0:User:department` (under the extension).
 */
import { matchesFilter } from '../../scim/filter/match';
import { isObject, type Json, type JsonObject } from '../../scim/schema/normalize';
import { CASE_IGNORED, isCoreUri, lookup, parseMappingPath, present, splitAlternatives } from './path';

/** The value at `path`, or undefined when it is missing, null, "" or []. Throws MappingError. */
export function getPath(resource: JsonObject, path: string): Json | undefined {
  const { path: at, filter, subAttr } = parseMappingPath(path);
  const base = isCoreUri(at.uri) ? resource : lookup(resource, at.uri!);
  if (!isObject(base)) return undefined;
  if (at.attr === '') return present(base);
  const value = lookup(base, at.attr);
  if (filter !== undefined) {
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    const element = list.find((e) => matchesFilter(filter, e, CASE_IGNORED));
    if (element === undefined) return undefined;
    return present(subAttr === undefined ? element : lookup(element, subAttr));
  }
  if (at.sub === undefined) return present(value);
  const holder = Array.isArray(value) ? preferredElement(value) : value;
  return present(lookup(holder, at.sub));
}

/** RFC 7643 §2.4: at most one element is primary; it stands for the attribute. */
function preferredElement(list: Json[]): Json | undefined {
  return list.find((e) => isObject(e) && lookup(e, 'primary') === true) ?? list[0];
}

/**
 * A source expression is one path or alternatives `a | b | c`: the first that has a value wins
 * (`emails[type eq "work"].value | emails[primary eq true].value`).
 */
export function readSource(resource: JsonObject, expr: string): Json | undefined {
  for (const path of splitAlternatives(expr)) {
    const value = getPath(resource, path);
    if (value !== undefined) return value;
  }
  return undefined;
}
