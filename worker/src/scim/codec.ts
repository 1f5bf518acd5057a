/**
 * Between SCIM resources and what the directory stores: the body as JSON, plus the indexed
 * columns and value rows that the registry's storage hints ask for.
 */
import type { AppendWrite, ColumnValues, ElementRemove, ElementWrite, KeyOrder, MemberRef, ResourceWrite, StoredResource, ValueRow } from '../directory/types';
import type { AppendPlan } from './patch/append-plan';
import type { ElementPlan, ElementRemovePlan } from './patch/element-plan';
import { isObject, type Json, type JsonObject } from './schema/normalize';
import type { AttributeDef, ResourceTypeDef } from './schema/types';
import { commonAttributes } from './schema/common';

export const etagOf = (version: number) => `W/"${version}"`;

/** How an element's sub-attributes are mirrored into its user_values row. */
const ROW_FIELDS = {
  type: (v: Json | undefined) => (typeof v === 'string' ? v.toLowerCase() : null),
  value: (v: Json | undefined) => (v === undefined || v === null ? null : String(v)),
  display: (v: Json | undefined) => (typeof v === 'string' ? v : null),
};

const isRowField = (name: string): name is keyof typeof ROW_FIELDS => Object.hasOwn(ROW_FIELDS, name);

/** An element's user_values row. */
const valueRowOf = (attr: string, item: JsonObject): ValueRow => ({
  attr,
  type: ROW_FIELDS.type(item.type),
  value: ROW_FIELDS.value(item.value),
  display: ROW_FIELDS.display(item.display),
  primary: item.primary === true,
});

/** Columns and value rows for a normalised, validated body. */
export function toWrite(rt: ResourceTypeDef, body: JsonObject): ResourceWrite {
  const values: ValueRow[] = [];
  for (const def of rt.schema.attributes) {
    const v = body[def.name];
    if (def.storage?.kind !== 'values' || !Array.isArray(v)) continue;
    for (const item of v) if (isObject(item)) values.push(valueRowOf(def.name, item));
  }
  return { data: JSON.stringify(body), columns: columnsOf(rt, body), ...(rt.name === 'User' ? { values } : {}) };
}

/**
 * The indexed columns of `body`; with `touched`, only those of the attributes it names (a merge
 * patch's keys: what a PATCH planned as SQL changes). The case folding stays here, in code:
 * SQLite's lower() folds ASCII only.
 */
function columnsOf(rt: ResourceTypeDef, body: JsonObject, touched?: JsonObject): ColumnValues {
  const columns: ColumnValues = {};
  const has = (def: AttributeDef, sub?: AttributeDef) => {
    if (!touched || !sub) return !touched || Object.hasOwn(touched, def.name);
    const t = touched[def.name];
    return t === null || (isObject(t) && Object.hasOwn(t, sub.name));
  };
  for (const def of [...commonAttributes, ...rt.schema.attributes]) {
    const v = body[def.name];
    if (def.storage?.kind === 'column' && def.name !== 'id' && has(def)) columns[def.storage.column] = columnValue(v, def.storage.lower);
    for (const sub of def.subAttributes ?? []) {
      if (sub.storage?.kind === 'column' && has(def, sub)) columns[sub.storage.column] = columnValue(isObject(v) ? v[sub.name] : undefined, sub.storage.lower);
    }
    // The unfolded name, for display and exact lookups, beside its folded column.
    if ((rt.name === 'User' && def.name === 'userName') || (rt.name === 'Group' && def.name === 'displayName'))
      if (has(def)) columns[rt.name === 'User' ? 'user_name' : 'display_name'] = typeof v === 'string' ? v : null;
  }
  return columns;
}

/** A multi-valued attribute whose elements toWrite mirrors as user_values rows (Users only). */
const isMirrored = (rt: ResourceTypeDef, def: AttributeDef) => rt.name === 'User' && def.storage?.kind === 'values';

/** A planned element write as the directory runs it: the JSON, and the value rows as toWrite mirrors them. */
export function elementWriteOf(rt: ResourceTypeDef, { def, sub, type, value, created }: ElementPlan): ElementWrite {
  const mirrored = isMirrored(rt, def);
  const appended = isObject(created) ? created : undefined;
  const set = isRowField(sub.name) ? { [sub.name]: ROW_FIELDS[sub.name](value) } : {};
  return {
    attr: def.name,
    subs: (def.subAttributes ?? []).map((s) => s.name),
    type,
    sub: sub.name,
    value: JSON.stringify(value),
    ...(appended ? { append: JSON.stringify(appended) } : {}),
    ...(mirrored ? { rows: { attr: def.name, set, ...(appended ? { append: valueRowOf(def.name, appended) } : {}) } } : {}),
  };
}

/** A planned append as the directory runs it: the element, what a stored element holding it is, its value row. */
export function appendWriteOf(rt: ResourceTypeDef, { def, element }: AppendPlan): AppendWrite {
  const subs = def.subAttributes ?? [];
  const equal = Object.entries(element).map(([key, value]) => ({
    key,
    value: value as string | boolean,
    folded: !subs.find((s) => s.name === key)?.caseExact,
  }));
  const mirrored = isMirrored(rt, def);
  return {
    attr: def.name,
    element: JSON.stringify(element),
    equal,
    primary: element.primary === true,
    ...(mirrored ? { row: valueRowOf(def.name, element) } : {}),
  };
}

/** The value rows of the multi-valued attributes `attrs` of `body` (absent: none), as toWrite mirrors them. */
export function listRowsOf(rt: ResourceTypeDef, body: JsonObject, attrs: readonly string[]): { attrs: string[]; rows: ValueRow[] } {
  const mirrored = attrs.filter((a) => rt.schema.attributes.some((d) => d.name === a && isMirrored(rt, d)));
  const rows = mirrored.flatMap((attr) => {
    const list = body[attr];
    return Array.isArray(list) ? list.filter(isObject).map((item) => valueRowOf(attr, item)) : [];
  });
  return { attrs: mirrored, rows };
}

/** A planned removal as the directory runs it; rows only where a user_values column holds the compared value as the filter compares it. */
export function elementRemoveOf(rt: ResourceTypeDef, { def, key, value }: ElementRemovePlan): ElementRemove {
  const folded = !key.caseExact;
  const column = key.name === 'type' ? (folded ? 'type' : undefined) : folded ? 'value_lower' : 'value';
  const mirrored = isMirrored(rt, def);
  if (mirrored && !column) throw new Error(`${def.name}.${key.name}: no user_values column compares as its filter does`);
  return { attr: def.name, key: key.name, value, folded, ...(mirrored && column ? { rows: { attr: def.name, column } } : {}) };
}

const keyOrders = new Map<string, KeyOrder[]>();

/**
 * The key order of a stored body: the order resourceSchema emits (core attributes, externalId,
 * then each extension), down into single-valued complex attributes.
 */
export function keyOrderOf(rt: ResourceTypeDef): KeyOrder[] {
  const of = (list: readonly AttributeDef[]): KeyOrder[] =>
    list.map((a) => (a.type === 'complex' && !a.multiValued ? { key: a.name, keys: of(a.subAttributes ?? []) } : { key: a.name }));
  let order = keyOrders.get(rt.name);
  if (!order) {
    order = [...of(rt.schema.attributes), { key: 'externalId' }, ...rt.extensions.map((e) => ({ key: e.schema.id, keys: of(e.schema.attributes) }))];
    keyOrders.set(rt.name, order);
  }
  return order;
}

/** The columns a merge patch (RFC 7396, null unassigns) of the stored body changes, as toWrite derives them. */
export const mergedColumns = (rt: ResourceTypeDef, patch: JsonObject, patched: JsonObject): ColumnValues => columnsOf(rt, patched, patch);

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
