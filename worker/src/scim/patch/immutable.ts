/**
 * RFC 7644 §3.5.2: a client MUST NOT modify an "immutable" attribute, but "MAY 'add' a value to
 * an 'immutable' attribute if the attribute had no previous value". Checked once on the result,
 * so every route to a change (path, pathless value, bare extension URN) is covered alike.
 */
import { badRequest } from '../errors';
import { isObject, type Json, type JsonObject } from '../schema/normalize';
import type { AttributeDef, ResourceTypeDef } from '../schema/types';
import { deepEqual, isUnassigned } from './values';

export function assertImmutablesKept(rt: ResourceTypeDef, before: JsonObject, after: JsonObject): void {
  checkList(rt.schema.attributes, before, after, '');
  for (const { schema } of rt.extensions) {
    const b = before[schema.id];
    const a = after[schema.id];
    checkList(schema.attributes, isObject(b) ? b : {}, isObject(a) ? a : {}, `${schema.id}:`);
  }
}

function checkList(list: readonly AttributeDef[], before: JsonObject, after: JsonObject, prefix: string): void {
  for (const def of list) {
    const b = before[def.name];
    const a = after[def.name];
    if (def.mutability === 'immutable') checkOne(`${prefix}${def.name}`, b, a);
    else if (def.type === 'complex' && !def.multiValued && isObject(b)) {
      // Sub-attributes of a single-valued complex attribute. Elements of multi-valued ones have no
      // identity to compare by; the only immutable ones (Group members) never reach this body.
      checkList(def.subAttributes ?? [], b, isObject(a) ? a : {}, `${prefix}${def.name}.`);
    }
  }
}

function checkOne(label: string, before: Json | undefined, after: Json | undefined): void {
  if (isUnassigned(before) || deepEqual(before, after)) return;
  throw badRequest('mutability', `${label} is immutable: it can be set once but not changed or removed.`);
}
