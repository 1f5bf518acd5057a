/**
 * Where an attribute lives in the stored body: core and common attributes at the top level, an
 * extension's attributes under its URN (the layout normalizeResource produces).
 */
import { badRequest } from '../errors';
import { isObject, type JsonObject } from '../schema/normalize';
import type { AttributeDef } from '../schema/types';
import { isUnassigned } from './values';

/** The object holding the attribute; an extension object is created on first write. */
export function containerOf(body: JsonObject, extension: string | undefined): JsonObject {
  if (extension === undefined) return body;
  const existing = body[extension];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  body[extension] = created;
  return created;
}

/**
 * Removes an attribute. RFC 7644 §3.5.2.2: "If an attribute is removed or becomes unassigned and
 * is defined as a required attribute or a read-only attribute, the server SHALL return … a
 * scimType error code of mutability" — so removing userName (or a Group's displayName) is a 400
 * mutability, not the invalidValue a PUT without it would get.
 */
export function unassign(container: JsonObject, def: AttributeDef, label = def.name): void {
  if (def.required) throw badRequest('mutability', `${label} is required and cannot be removed.`);
  delete container[def.name];
}

/** Stores a value, or removes the attribute when the value is empty (RFC 7643 §2.5). */
export function assign(container: JsonObject, def: AttributeDef, value: JsonObject[string] | undefined): void {
  if (isUnassigned(value)) unassign(container, def);
  else container[def.name] = value!;
}

/** Drops extension objects that ended up empty, so the stored body stays canonical. */
export function pruneExtensions(body: JsonObject, extensions: readonly string[]): void {
  for (const urn of extensions) if (isUnassigned(body[urn])) delete body[urn];
}
