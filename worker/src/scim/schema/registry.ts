/**
 * The attribute registry: each SCIM attribute is declared once (user-schema.ts, group-schema.ts,
 * enterprise-schema.ts, common.ts) and everything else derives from it — request validation,
 * the /Schemas and /ResourceTypes documents, the filter compiler's column map and projection.
 */
import type { AttrPath } from '../filter/ast';
import { commonAttributes } from './common';
import { SCIM_ENTERPRISE_USER_URN, enterpriseUserSchema } from './enterprise-schema';
import { SCIM_GROUP_URN, groupSchema } from './group-schema';
import type { AttributeDef, ResourceTypeDef, ResourceTypeName, SchemaDef } from './types';
import { SCIM_USER_URN, userSchema } from './user-schema';

export { SCIM_ENTERPRISE_USER_URN, SCIM_GROUP_URN, SCIM_USER_URN };

export const userResourceType: ResourceTypeDef = {
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: userSchema,
  extensions: [{ schema: enterpriseUserSchema, required: false }],
  table: 'users',
};

export const groupResourceType: ResourceTypeDef = {
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: groupSchema,
  extensions: [],
  table: 'groups',
};

export const RESOURCE_TYPES: readonly ResourceTypeDef[] = [userResourceType, groupResourceType];
export const SCHEMAS: readonly SchemaDef[] = [userSchema, enterpriseUserSchema, groupSchema];

export function resourceTypeByName(name: ResourceTypeName): ResourceTypeDef {
  return name === 'User' ? userResourceType : groupResourceType;
}

const eqi = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Case-insensitive name → definition, built once per registry list (the lists are constants). */
const indexes = new WeakMap<readonly AttributeDef[], Map<string, AttributeDef>>();

export function findAttribute(list: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  if (!list) return undefined;
  let index = indexes.get(list);
  if (!index) {
    index = new Map();
    // The first declaration wins, as a linear search would find it.
    for (const a of list) if (!index.has(a.name.toLowerCase())) index.set(a.name.toLowerCase(), a);
    indexes.set(list, index);
  }
  return index.get(name.toLowerCase());
}

const topLevel = new WeakMap<ResourceTypeDef, readonly AttributeDef[]>();

/** The common attributes (id, externalId, meta) and the core schema's, as one list per type. */
export function topLevelAttributes(rt: ResourceTypeDef): readonly AttributeDef[] {
  let list = topLevel.get(rt);
  if (!list) {
    list = [...commonAttributes, ...rt.schema.attributes];
    topLevel.set(rt, list);
  }
  return list;
}

/** The schema a URN names on this resource type (core or one of its extensions). */
export function schemaOf(rt: ResourceTypeDef, urn: string): SchemaDef | undefined {
  if (eqi(urn, rt.schema.id)) return rt.schema;
  return rt.extensions.find((e) => eqi(e.schema.id, urn))?.schema;
}

export function isExtension(rt: ResourceTypeDef, urn: string): boolean {
  return rt.extensions.some((e) => eqi(e.schema.id, urn));
}

export interface ResolvedAttr {
  /** the extension URN when the attribute lives in an extension, else undefined */
  extension: string | undefined;
  def: AttributeDef;
  sub: AttributeDef | undefined;
}

/**
 * Resolves a path the client wrote (any case, URN-qualified or not) to its declaration.
 * Unqualified names are looked up in the common attributes, then the core schema, then — as a
 * courtesy to clients that forget the URN — in the extensions when exactly one declares it.
 */
export function resolvePath(rt: ResourceTypeDef, path: AttrPath): ResolvedAttr | undefined {
  let def: AttributeDef | undefined;
  let extension: string | undefined;
  if (path.uri) {
    const schema = schemaOf(rt, path.uri);
    if (!schema) return undefined;
    if (schema !== rt.schema) extension = schema.id;
    def = findAttribute(schema.attributes, path.attr) ?? (schema === rt.schema ? findAttribute(commonAttributes, path.attr) : undefined);
  } else {
    def = findAttribute(commonAttributes, path.attr) ?? findAttribute(rt.schema.attributes, path.attr);
    if (!def) {
      const hits = rt.extensions.filter((e) => findAttribute(e.schema.attributes, path.attr));
      if (hits.length === 1) {
        extension = hits[0]!.schema.id;
        def = findAttribute(hits[0]!.schema.attributes, path.attr);
      }
    }
  }
  if (!def) return undefined;
  if (path.sub === undefined) return { extension, def, sub: undefined };
  const sub = findAttribute(def.subAttributes, path.sub);
  return sub ? { extension, def, sub } : undefined;
}

/** The attribute that ends the path: the sub-attribute when there is one. */
export const leafOf = (r: ResolvedAttr): AttributeDef => r.sub ?? r.def;
