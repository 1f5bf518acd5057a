/**
 * Between SCIM resources and what the directory stores: the body as JSON, plus the indexed
 * columns and value rows that the registry's storage hints ask for.
 */
import type { ColumnValues, MemberRef, ResourceWrite, StoredResource, ValueRow } from '../directory/types';
import { isObject, type Json, type JsonObject } from './schema/normalize';
import type { ResourceTypeDef } from './schema/types';
import { commonAttributes } from './schema/common';

export const etagOf = (version: number) => `W/"${version}"`;

/** Columns and value rows for a normalised, validated body. */
export function toWrite(rt: ResourceTypeDef, body: JsonObject): ResourceWrite {
  const columns: ColumnValues = {};
  const values: ValueRow[] = [];
  for (const def of [...commonAttributes, ...rt.schema.attributes]) {
    const v = body[def.name];
    if (def.storage?.kind === 'column' && def.name !== 'id') columns[def.storage.column] = columnValue(v, def.storage.lower);
    if (def.storage?.kind === 'values' && Array.isArray(v)) {
      for (const item of v) {
        if (!isObject(item)) continue;
        values.push({
          attr: def.name,
          type: typeof item.type === 'string' ? item.type.toLowerCase() : null,
          value: item.value === undefined || item.value === null ? null : String(item.value),
          display: typeof item.display === 'string' ? item.display : null,
          primary: item.primary === true,
        });
      }
    }
    for (const sub of def.subAttributes ?? []) {
      if (sub.storage?.kind === 'column' && isObject(v)) columns[sub.storage.column] = columnValue(v[sub.name], sub.storage.lower);
    }
  }
  if (rt.name === 'User') columns.user_name = typeof body.userName === 'string' ? body.userName : null;
  if (rt.name === 'Group') columns.display_name = typeof body.displayName === 'string' ? body.displayName : null;
  return { data: JSON.stringify(body), columns, ...(rt.name === 'User' ? { values } : {}) };
}

function columnValue(v: Json | undefined, lower?: boolean): string | number | boolean | null {
  if (v === undefined || v === null || typeof v === 'object') return null;
  return lower && typeof v === 'string' ? v.toLowerCase() : v;
}

export interface RenderContext {
  baseUrl: string;
  groups?: { id: string; display: string }[];
  members?: MemberRef[];
}

/** The full SCIM representation (before projection). */
export function toResource(rt: ResourceTypeDef, row: StoredResource, ctx: RenderContext): JsonObject {
  const body = JSON.parse(row.data) as JsonObject;
  const location = `${ctx.baseUrl}${rt.endpoint}/${row.id}`;
  const schemas = [rt.schema.id, ...rt.extensions.filter((e) => isObject(body[e.schema.id])).map((e) => e.schema.id)];
  const out: JsonObject = { schemas, id: row.id, ...body };
  if (ctx.groups && ctx.groups.length > 0) {
    out.groups = ctx.groups.map((g) => ({ value: g.id, $ref: `${ctx.baseUrl}/Groups/${g.id}`, display: g.display, type: 'direct' }));
  }
  // RFC 7643 §2.5: an unassigned attribute is omitted, and an empty multi-valued one is
  // unassigned. Users without groups and Groups without members both leave the key out (Entra
  // ID and Okta read a missing `members` as none).
  if (ctx.members && ctx.members.length > 0) {
    out.members = ctx.members.map((m) => ({
      value: m.id,
      $ref: `${ctx.baseUrl}/${m.type === 'User' ? 'Users' : 'Groups'}/${m.id}`,
      type: m.type,
      ...(m.display ? { display: m.display } : {}),
    }));
  }
  out.meta = { resourceType: rt.name, created: row.created, lastModified: row.lastModified, location, version: etagOf(row.version) };
  return out;
}
