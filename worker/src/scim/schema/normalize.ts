/**
 * One normalising pass over what clients really send, before validation (DESIGN.md "Clients
 * are not perfect"). It canonicalises attribute names (RFC 7643 §2.1: names are
 * case-insensitive), folds dotted and URN-qualified keys into nested objects, drops nulls
 * (RFC 7643 §2.5: null is equivalent to "unassigned"), drops unknown attributes, and keeps
 * readOnly attributes out of writes (RFC 7644 §3.3: they SHALL be ignored).
 */
import { badRequest } from '../errors';
import { findAttribute, schemaOf, topLevelAttributes } from './registry';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './types';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const MAX_DEPTH = 8;

/** Splits `urn:…:User:name.givenName` into the schema URN and the attribute path. */
export function splitUrnKey(rt: ResourceTypeDef, key: string): { schema: SchemaDef; rest: string } | undefined {
  if (!key.toLowerCase().startsWith('urn:')) return undefined;
  for (const schema of [rt.schema, ...rt.extensions.map((e) => e.schema)]) {
    if (key.length > schema.id.length && key.toLowerCase().startsWith(`${schema.id.toLowerCase()}:`)) {
      return { schema, rest: key.slice(schema.id.length + 1) };
    }
  }
  return undefined;
}

export interface NormalizeOptions {
  /** keep readOnly attributes (used for PATCH paths that the caller checks itself) */
  keepReadOnly?: boolean;
}

/**
 * Normalises a resource body (or a pathless PATCH value). The result has canonical attribute
 * names, core attributes at the top level and each extension's attributes under its URN.
 * `schemas`, `id` and `meta` are removed: the server owns them.
 */
export function normalizeResource(rt: ResourceTypeDef, body: unknown, opts: NormalizeOptions = {}): JsonObject {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'The request body must be a JSON object.');
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === null) continue;
    const lower = key.toLowerCase();
    if (lower === 'schemas' || lower === 'meta' || lower === 'id') continue;
    const ext = rt.extensions.find((e) => e.schema.id.toLowerCase() === lower);
    if (ext) {
      if (!isObject(value)) throw badRequest('invalidValue', `${ext.schema.id} must be an object.`);
      const inner = normalizeAttributes(ext.schema.attributes, value, opts, 1);
      if (Object.keys(inner).length > 0) out[ext.schema.id] = { ...(isObject(out[ext.schema.id]) ? (out[ext.schema.id] as JsonObject) : {}), ...inner };
      continue;
    }
    const urn = splitUrnKey(rt, key);
    if (urn) {
      // Entra ID quirk: pathless PATCH values keyed "urn:…:enterprise:2.0:User:department".
      const target = urn.schema === rt.schema ? out : ((out[urn.schema.id] ??= {}) as JsonObject);
      const list = urn.schema === rt.schema ? topLevelAttributes(rt) : urn.schema.attributes;
      mergeDotted(target, list, urn.rest, value, opts);
      if (urn.schema !== rt.schema && Object.keys(target).length === 0) delete out[urn.schema.id];
      continue;
    }
    mergeDotted(out, topLevelAttributes(rt), key, value, opts);
  }
  return out;
}

/** `name.givenName: "x"` → `name: { givenName: "x" }` (Entra ID quirk), else a plain key. */
function mergeDotted(target: JsonObject, list: readonly AttributeDef[], key: string, value: Json, opts: NormalizeOptions): void {
  const [head, sub, ...more] = key.split('.');
  if (more.length > 0 || head === undefined) return;
  const def = findAttribute(list, head);
  if (!def || def.name === 'id' || def.name === 'meta' || skipReadOnly(def, opts)) return;
  if (sub === undefined) {
    const v = normalizeValue(def, value, opts, 1);
    if (v !== undefined) target[def.name] = isObject(v) && isObject(target[def.name]) ? { ...(target[def.name] as JsonObject), ...v } : v;
    return;
  }
  const subDef = findAttribute(def.subAttributes, sub);
  if (!subDef || def.multiValued || skipReadOnly(subDef, opts)) return;
  const v = normalizeValue(subDef, value, opts, 2);
  if (v === undefined) return;
  const parent = isObject(target[def.name]) ? (target[def.name] as JsonObject) : {};
  target[def.name] = { ...parent, [subDef.name]: v };
}

const skipReadOnly = (def: AttributeDef, opts: NormalizeOptions) => def.mutability === 'readOnly' && !opts.keepReadOnly;

export function normalizeAttributes(list: readonly AttributeDef[], obj: JsonObject, opts: NormalizeOptions, depth: number): JsonObject {
  if (depth > MAX_DEPTH) throw badRequest('invalidValue', 'The value is nested too deeply.');
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === null) continue;
    const def = findAttribute(list, key);
    if (!def || skipReadOnly(def, opts)) continue;
    const v = normalizeValue(def, value, opts, depth + 1);
    if (v !== undefined) out[def.name] = v;
  }
  return out;
}

/** Normalises one attribute's value; type checking is left to the zod schemas. */
export function normalizeValue(def: AttributeDef, value: Json, opts: NormalizeOptions, depth: number): Json | undefined {
  if (value === null) return undefined;
  if (depth > MAX_DEPTH) throw badRequest('invalidValue', 'The value is nested too deeply.');
  if (def.multiValued) {
    // A single value where an array is expected: treat it as a one-element array.
    const items = Array.isArray(value) ? value : [value];
    const out = items
      .filter((v) => v !== null)
      .map((v) => (def.type === 'complex' && isObject(v) ? normalizeAttributes(def.subAttributes ?? [], v, opts, depth + 1) : v))
      .filter((v) => !(isObject(v) && Object.keys(v).length === 0));
    return out;
  }
  if (def.type === 'complex' && isObject(value)) {
    const out = normalizeAttributes(def.subAttributes ?? [], value, opts, depth + 1);
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value;
}

export { schemaOf };
