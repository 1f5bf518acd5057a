/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) under the `returned` rules of
 * RFC 7643 §7: "always" attributes (id, schemas) survive any projection, "never" attributes
 * (password) never appear, "request" attributes only when named.
 */
import { parsePatchPath } from './filter/parse-path';
import { findAttribute, resolvePath, topLevelAttributes } from './schema/registry';
import { isObject, type JsonObject } from './schema/normalize';
import type { AttributeDef, ResourceTypeDef } from './schema/types';

/** A parsed projection: for each top-level key (attribute name or extension URN) the sub-keys. */
export interface Projection {
  mode: 'include' | 'exclude';
  /** key → undefined for the whole attribute, or the set of sub-attribute names */
  keys: Map<string, Set<string> | undefined>;
}

export function parseProjection(rt: ResourceTypeDef, attributes?: string | string[], excluded?: string | string[]): Projection | undefined {
  const list = (v?: string | string[]) => (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean);
  const inc = list(attributes);
  const exc = list(excluded);
  if (inc.length === 0 && exc.length === 0) return undefined;
  const mode = inc.length > 0 ? 'include' : 'exclude';
  const keys = new Map<string, Set<string> | undefined>();
  for (const text of mode === 'include' ? inc : exc) {
    // A bare extension URN names the whole extension.
    const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === text.toLowerCase());
    if (ext) {
      keys.set(ext.schema.id, undefined);
      continue;
    }
    const { path } = parsePatchPath(text);
    const r = resolvePath(rt, path);
    if (!r) continue; // RFC 7644 §3.4.2.5 does not make unknown names an error; they select nothing.
    const key = r.extension ? `${r.extension}\u0000${r.def.name}` : r.def.name;
    if (r.sub) {
      const prev = keys.get(key);
      if (keys.has(key) && prev === undefined) continue;
      keys.set(key, new Set([...(prev ?? []), r.sub.name]));
    } else keys.set(key, undefined);
  }
  return { mode, keys };
}

/** Everything `returned: never` goes; the rest follows the projection. */
export function project(rt: ResourceTypeDef, resource: JsonObject, p: Projection | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'schemas' || key === 'id') {
      out[key] = value;
      continue;
    }
    const ext = rt.extensions.find((e) => e.schema.id === key);
    if (ext && isObject(value)) {
      const inner = projectAttributes(ext.schema.attributes, value, p, ext.schema.id);
      if (Object.keys(inner).length > 0) out[key] = inner;
      continue;
    }
    const def = findAttribute(topLevelAttributes(rt), key);
    if (!def) continue;
    const v = projectOne(def, key, value, p);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function projectAttributes(list: readonly AttributeDef[], obj: JsonObject, p: Projection | undefined, urn: string): JsonObject {
  const whole = p?.keys.has(urn) && p.keys.get(urn) === undefined;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    const def = findAttribute(list, key);
    if (!def) continue;
    if (whole) {
      if (p!.mode === 'exclude') continue;
      if (def.returned !== 'never') out[key] = value;
      continue;
    }
    const v = projectOne(def, `${urn}\u0000${def.name}`, value, p);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function projectOne(def: AttributeDef, key: string, value: JsonObject[string], p: Projection | undefined): JsonObject[string] | undefined {
  if (def.returned === 'never') return undefined;
  if (def.returned === 'always') return value;
  const named = p?.keys.has(key) ?? false;
  const subs = p?.keys.get(key);
  if (!p) return def.returned === 'request' ? undefined : value;
  if (p.mode === 'exclude') {
    if (!named) return def.returned === 'request' ? undefined : value;
    if (subs === undefined) return undefined;
    return filterSubs(value, (name) => !subs.has(name));
  }
  if (!named) return undefined;
  if (subs === undefined) return value;
  return filterSubs(value, (name) => subs.has(name));
}

function filterSubs(value: JsonObject[string], keep: (name: string) => boolean): JsonObject[string] | undefined {
  const pick = (o: JsonObject) => Object.fromEntries(Object.entries(o).filter(([k]) => keep(k)));
  if (Array.isArray(value)) {
    const items = value.map((v) => (isObject(v) ? pick(v) : v)).filter((v) => !(isObject(v) && Object.keys(v).length === 0));
    return items.length > 0 ? items : undefined;
  }
  if (isObject(value)) {
    const o = pick(value);
    return Object.keys(o).length > 0 ? o : undefined;
  }
  return value;
}

/** Only `id` (and `schemas`): for responses that carry no body, so nothing derived is loaded. */
export const ID_ONLY: Projection = { mode: 'include', keys: new Map([['id', undefined]]) };

/** Whether a projection can return this attribute at all (skip costly joins when it cannot). */
export function wants(p: Projection | undefined, name: string): boolean {
  if (!p) return true;
  return p.mode === 'include' ? p.keys.has(name) : !(p.keys.has(name) && p.keys.get(name) === undefined);
}
