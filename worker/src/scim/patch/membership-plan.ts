/**
 * Entra ID's most frequent call is a Group PATCH that only adds or removes members by id
 * (`{"op":"Add","path":"members","value":[{"value":"<id>"}]}`, `{"op":"Remove","path":
 * "members[value eq \"<id>\"]"}`). Members live in their own rows, so such a request needs
 * nothing from the stored group: its MemberDelta is known from the request alone, and the service
 * writes it in one batch (issue #11). A removal by a filter on `value` / `type`
 * (`members[type eq "User"]`) is a DELETE of the rows it matches in the same batch
 * (filter/to-sql.ts compileMemberFilter). Undefined for anything else — another attribute, a filter SQL cannot
 * match as the engine does, an invalid request — which the engine (apply-patch.ts) runs after
 * reading the group.
 */
import type { SqlFragment } from '../../directory/types';
import { ScimError } from '../errors';
import { compileMemberFilter } from '../filter/to-sql';
import { isObject, type JsonObject } from '../schema/normalize';
import type { ResourceTypeDef } from '../schema/types';
import { actionOf } from './action';
import { normalizePathlessValue, nullKeysOf } from './apply-pathless';
import { createMemberDelta, type MemberDelta, type MemberDeltaBuilder } from './members';
import type { PatchOperation } from './patch-request';
import { resolveTarget } from './target';

/** A MemberDelta whose removal filters are compiled to SQL over the member rows `m`. */
export type PlannedMembers = Omit<MemberDelta, 'removeWhere'> & { removeWhere: SqlFragment[] };

export function planMembershipPatch(rt: ResourceTypeDef, operations: readonly PatchOperation[]): PlannedMembers | undefined {
  const def = rt.schema.attributes.find((a) => a.storage?.kind === 'members');
  if (!def) return undefined;
  try {
    const builder = createMemberDelta();
    for (const operation of operations) if (!planOperation(rt, builder, operation)) return undefined;
    const delta = builder.result();
    const removeWhere = delta.removeWhere.map((f) => compileMemberFilter(rt, def, f));
    return removeWhere.every((w) => w !== undefined) ? { ...delta, removeWhere } : undefined;
  } catch (err) {
    if (err instanceof ScimError) return undefined;
    throw err;
  }
}

/** Feeds one membership operation to the builder, as apply-patch.ts does; false for any other operation. */
function planOperation(rt: ResourceTypeDef, builder: MemberDeltaBuilder, operation: PatchOperation): boolean {
  const def = rt.schema.attributes.find((a) => a.storage?.kind === 'members')!;
  if (operation.path === undefined) {
    // Path-less `{"members":[…]}` and nothing else (apply-patch.ts applyPathless).
    if (operation.op === 'remove' || !isObject(operation.value)) return false;
    const keys = Object.keys(normalizePathlessValue(rt, operation.value));
    const raw = Object.entries(operation.value as JsonObject).find(([k]) => k.toLowerCase() === 'members');
    if (keys.join() !== 'members' || !raw || nullKeysOf(operation.value as JsonObject).length > 0) return false;
    builder.apply(def, undefined, undefined, { kind: 'write', op: operation.op, value: raw[1] }, 'members');
    return true;
  }
  const target = resolveTarget(rt, operation.path, { explicit: true });
  if (target.kind !== 'attribute' || target.def !== def || target.extension !== undefined) return false;
  builder.apply(def, target.filter, target.sub, actionOf(operation), target.label);
  return true;
}
