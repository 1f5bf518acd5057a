/**
 * Writes one SCIM path into a payload being built, creating what it needs on the way:
 * `name.givenName` → `name: { givenName }`; `emails[type eq "work"].value` → an element
 * `{ type: "work", value }` (its members taken from the filter's `eq` comparisons, so
 * `primary eq true` adds `primary: true`); `urn:…:enterprise:2.0:User:department` → under the
 * extension's object.
 */
import { matchesFilter } from '../../scim/filter/match';
import { isObject, type Json, type JsonObject } from '../../scim/schema/normalize';
import { CASE_IGNORED, MULTI_VALUED, elementFromFilter, isCoreUri, keyOf, parseMappingPath } from './path';

/** Sets `value` at `path` in `payload` (mutates it). Throws MappingError. */
export function setPath(payload: JsonObject, path: string, value: Json): void {
  const { path: at, filter, subAttr } = parseMappingPath(path);
  const base = isCoreUri(at.uri) ? payload : childObject(payload, at.uri!);
  if (at.attr === '') {
    if (isObject(value)) Object.assign(base, value);
    return;
  }
  const key = keyOf(base, at.attr) ?? at.attr;
  if (filter !== undefined) {
    const element = elementOf(
      base,
      key,
      (e) => matchesFilter(filter, e, CASE_IGNORED),
      () => elementFromFilter(filter),
    );
    writeInto(element, subAttr, value);
    return;
  }
  if (at.sub === undefined) {
    base[key] = value;
    return;
  }
  if (MULTI_VALUED.has(at.attr.toLowerCase())) {
    // `emails.value` names the primary element (see get-path.ts).
    const element = elementOf(
      base,
      key,
      (e) => isObject(e) && e.primary === true,
      () => ({ primary: true }),
    );
    element[at.sub] = value;
    return;
  }
  childObject(base, key)[at.sub] = value;
}

/** The object under `key`, created (or replacing a non-object) when needed. */
function childObject(parent: JsonObject, key: string): JsonObject {
  const k = keyOf(parent, key) ?? key;
  const existing = parent[k];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  parent[k] = created;
  return created;
}

/** The first element of the array under `key` that `matches`, else a new one appended. */
function elementOf(parent: JsonObject, key: string, matches: (e: Json) => boolean, create: () => JsonObject): JsonObject {
  const existing = parent[key];
  const list: Json[] = Array.isArray(existing) ? existing : [];
  parent[key] = list;
  const found = list.find((e) => isObject(e) && matches(e));
  if (isObject(found)) return found;
  const element = create();
  list.push(element);
  return element;
}

/** `emails[type eq "work"]` without a sub-attribute: an object merges, anything else is the `value`. */
function writeInto(element: JsonObject, subAttr: string | undefined, value: Json): void {
  if (subAttr !== undefined) element[keyOf(element, subAttr) ?? subAttr] = value;
  else if (isObject(value)) Object.assign(element, value);
  else element.value = value;
}
