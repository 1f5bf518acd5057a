/**
 * Resolves a PATCH `path` (RFC 7644 §3.5.2) against the attribute registry: which attribute,
 * which sub-attribute, which elements (the value filter), and whether the client may touch it.
 */
import { badRequest } from '../errors';
import type { Filter } from '../filter/ast';
import { parsePatchPath } from '../filter/parse-path';
import { findAttribute, resolvePath, schemaOf } from '../schema/registry';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from '../schema/types';

export type PatchTarget =
  /** no path, or the core schema URN as the path: the resource itself */
  | { kind: 'resource' }
  /** quirk `bareExtensionUrnPath`: the whole extension object */
  | { kind: 'extension'; schema: SchemaDef; required: boolean }
  | {
      kind: 'attribute';
      /** the extension URN the attribute lives under, undefined for core and common attributes */
      extension: string | undefined;
      def: AttributeDef;
      /** `name.familyName`, `emails.value` or `emails[type eq "work"].value` */
      sub: AttributeDef | undefined;
      /** `emails[type eq "work"]`: selects elements of a multi-valued attribute */
      filter: Filter | undefined;
      label: string;
    }
  /** nothing to do: an unknown schema URN, or a readOnly attribute inside a pathless value */
  | { kind: 'ignored' };

export interface ResolveOptions {
  /**
   * True for an operation's own `path`: naming a readOnly attribute there is a 400 mutability
   * (RFC 7644 §3.5.2). False for keys of a pathless value, where readOnly attributes such as a
   * stray `id` are ignored (RFC 7644 §3.3: readOnly values in a write SHALL be ignored).
   */
  explicit: boolean;
}

export const schemaUrisOf = (rt: ResourceTypeDef): string[] => [rt.schema.id, ...rt.extensions.map((e) => e.schema.id)];

export function resolveTarget(rt: ResourceTypeDef, rawPath: string, opts: ResolveOptions): PatchTarget {
  const parsed = parsePatchPath(rawPath, { schemaUris: schemaUrisOf(rt) });
  const { uri, attr } = parsed.path;
  const schema = uri === undefined ? undefined : schemaOf(rt, uri);
  // Quirk `unknownSchemaUri`: Entra ID sends attributes of custom extensions the tenant mapped
  // (`urn:ietf:params:scim:schemas:extension:custom:2.0:User:worksiteId`); we do not store them.
  if (uri !== undefined && !schema) return { kind: 'ignored' };
  if (attr === '') {
    if (schema === rt.schema) return { kind: 'resource' };
    const ext = rt.extensions.find((e) => e.schema === schema)!;
    return { kind: 'extension', schema: ext.schema, required: ext.required };
  }
  const resolved = resolvePath(rt, { ...(uri === undefined ? {} : { uri }), attr });
  if (!resolved) {
    if (!opts.explicit) return { kind: 'ignored' };
    throw badRequest('invalidPath', `"${rawPath}" does not name an attribute of ${rt.name}.`);
  }
  const { def, extension } = resolved;
  const subName = parsed.path.sub ?? parsed.subAttr;
  const sub = subName === undefined ? undefined : findAttribute(def.subAttributes, subName);
  if (subName !== undefined && !sub) {
    if (!opts.explicit) return { kind: 'ignored' };
    throw badRequest('invalidPath', `"${subName}" is not a sub-attribute of ${def.name}.`);
  }
  // Quirk `singleValuedComplexFilter`: Entra ID removes a manager with
  // {"op":"remove","path":"manager[value eq \"<id>\"]"} (Microsoft's SCIM reference collection):
  // a value filter on a single-valued complex attribute selects it when it matches.
  if (parsed.filter && !def.multiValued && def.type !== 'complex') {
    throw badRequest('invalidPath', `"${rawPath}": a value filter needs a multi-valued attribute, and ${def.name} is single-valued.`);
  }
  if (parsed.filter) checkFilterNames(def, parsed.filter, rawPath);
  if (def.mutability === 'readOnly' || sub?.mutability === 'readOnly') {
    if (!opts.explicit) return { kind: 'ignored' };
    // RFC 7644 §3.5.2: "a client MUST NOT modify an attribute that has mutability readOnly".
    throw badRequest('mutability', `${sub ? `${def.name}.${sub.name}` : def.name} is readOnly and cannot be changed.`);
  }
  const label = `${def.name}${parsed.filter ? '[…]' : ''}${sub ? `.${sub.name}` : ''}`;
  return { kind: 'attribute', extension, def, sub, filter: parsed.filter, label };
}

/** Every name inside `emails[…]` must be a sub-attribute of emails, else 400 invalidPath. */
function checkFilterNames(def: AttributeDef, filter: Filter, rawPath: string): void {
  switch (filter.kind) {
    case 'and':
    case 'or':
      checkFilterNames(def, filter.left, rawPath);
      checkFilterNames(def, filter.right, rawPath);
      return;
    case 'not':
      checkFilterNames(def, filter.filter, rawPath);
      return;
    case 'valuePath':
      throw badRequest('invalidPath', `"${rawPath}": value filters cannot be nested.`);
    case 'compare':
    case 'present':
      if (!findAttribute(def.subAttributes, filter.path.attr)) {
        throw badRequest('invalidPath', `"${rawPath}": "${filter.path.attr}" is not a sub-attribute of ${def.name}.`);
      }
  }
}

/** RFC 7643 §2.2 caseExact of the sub-attributes a value filter compares. */
export const caseExactOf = (def: AttributeDef) => (path: { attr: string }) => findAttribute(def.subAttributes, path.attr)?.caseExact ?? false;
