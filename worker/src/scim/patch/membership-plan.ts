/**
 * Entra ID's most frequent call is a Group PATCH that only adds or removes members by id
 * (`{"op":"Add","path":"members","value":[{"value":"<id>"}]}`, `{"op":"Remove","path":
 * "members[value eq \"<id>\"]"}`). Members live in their own rows, so such a request needs
 * nothing from the stored group: its MemberDelta is known from the request alone, and the service
 * writes it in one batch (issue #11). Undefined for anything else — another attribute, a filter
 * that must be matched against the stored members, an invalid request — which the engine
 * (apply-patch.ts) runs after reading the group.
 */
import { ScimError } from '../errors';
import { isObject, type JsonObject } from '../schema/normalize';
import type { ResourceTypeDef } from '../schema/types';
import { actionOf } from './action';
import { normalizePathlessValue, nullKeysOf } from './apply-pathless';
import { createMemberDelta, type MemberDelta, type MemberDeltaBuilder } from './members';
import type { PatchOperation } from './patch-request';
import { resolveTarget } from './target';

export function planMembershipPatch(rt: ResourceTypeDef, operations: readonly PatchOperation[]): MemberDelta | undefined {
  const def = rt.schema.attributes.find((a) => a.storage?.kind === 'members');
  if (!def) return undefined;
  try {
    const builder = createMemberDelta();
    for (const operation of operations) if (!planOperation(rt, builder, operation)) return undefined;
    const delta = builder.result();
    return delta.removeWhere.length === 0 ? delta : undefined;
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
