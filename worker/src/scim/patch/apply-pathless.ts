/**
 * add / replace without a path (RFC 7644 §3.5.2.1, §3.5.2.3): "the target location is assumed
 * to be the resource itself" and the value is an object of attributes, merged attribute by
 * attribute with the rules of writeAttribute.
 */
import { badRequest } from '../errors';
import { findAttribute, isExtension, schemaOf } from '../schema/registry';
import { commonAttributes } from '../schema/common';
import { isObject, normalizeAttributes, normalizeResource, type Json, type JsonObject } from '../schema/normalize';
import type { AttributeDef, ResourceTypeDef } from '../schema/types';
import { writeAttribute } from './apply-attribute';
import { containerOf } from './container';

/**
 * Normalises a pathless value. normalizeResource does the quirk work: Entra ID's dotted keys
 * (`{"name.givenName":"x"}`, quirk `dottedPathlessKeys`) and URN-qualified keys
 * (`{"urn:…:enterprise:2.0:User:department":"y"}`, quirk `urnPathlessKeys`) fold into nested
 * objects; stray `id`, `meta`, `schemas` and other readOnly attributes are dropped (quirk
 * `strayReadOnlyValues`, Okta and Entra ID echo `id` back), as are unknown attributes.
 */
export function normalizePathlessValue(rt: ResourceTypeDef, value: Json): JsonObject {
  if (!isObject(value)) throw badRequest('invalidValue', 'An operation without "path" needs an object of attributes as its "value" (RFC 7644 §3.5.2.1).');
  return normalizeResource(rt, value, { keepReadOnly: false });
}

/** Keys whose value is null: each means "unassign this attribute" (RFC 7643 §2.5, quirk `nullValue`). */
export const nullKeysOf = (value: JsonObject): string[] => Object.keys(value).filter((k) => value[k] === null);

/** Merges normalised attributes (core at the top, extensions under their URN) into `body`. */
export function mergePathless(rt: ResourceTypeDef, body: JsonObject, values: JsonObject, op: 'add' | 'replace'): void {
  for (const [key, value] of Object.entries(values)) {
    if (isExtension(rt, key) && isObject(value)) {
      mergeInto(containerOf(body, key), schemaOf(rt, key)!.attributes, value, op, `${key}:`);
      continue;
    }
    const def = findAttribute(commonAttributes, key) ?? findAttribute(rt.schema.attributes, key);
    if (def) writeAttribute(body, def, op, value, def.name);
  }
}

/** A bare extension URN as the path, or one extension's part of a pathless value. */
export function mergeInto(container: JsonObject, list: readonly AttributeDef[], raw: JsonObject, op: 'add' | 'replace', prefix: string): void {
  const values = normalizeAttributes(list, raw, { keepReadOnly: false }, 1);
  for (const [key, value] of Object.entries(values)) {
    const def = findAttribute(list, key);
    if (def) writeAttribute(container, def, op, value, `${prefix}${def.name}`);
  }
}
