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
import { MAX_PARAMS } from '../../directory/sql';
import { ScimError } from '../errors';
import { compileMemberFilter } from '../filter/to-sql';
import { isObject, type JsonObject } from '../schema/normalize';
import type { ResourceTypeDef } from '../schema/types';
import { actionOf } from './action';
import { normalizePathlessValue, nullKeysOf } from './apply-pathless';
import { createMemberDelta, type MemberDelta, type MemberDeltaBuilder } from './members';
import type { PatchOperation } from './patch-request';
import { resolveTarget } from './target';

/**
 * The version bump's test (memberships.ts memberStatements `wouldChange`) binds the ids and the
 * filters' parameters in one statement; past D1's 100 it would count every request as a change,
 * where the engine, testing the ids it matched, might not: such a request is left to the engine.
 */
const fitsOneStatement = (delta: MemberDelta, filterParams: number) => 2 * delta.add.length + delta.remove.length + 3 + filterParams + 2 <= MAX_PARAMS;

export function planMembershipPatch(rt: ResourceTypeDef, operations: readonly PatchOperation[]): MemberDelta | undefined {
  const def = rt.schema.attributes.find((a) => a.storage?.kind === 'members');
  if (!def) return undefined;
  try {
    const builder = createMemberDelta();
    for (const operation of operations) if (!planOperation(rt, builder, operation)) return undefined;
    const delta = builder.result();
    if (delta.removeWhere.length === 0) return delta;
    const where = delta.removeWhere.map((f) => compileMemberFilter(rt, def, f));
    if (where.some((w) => w === undefined)) return undefined;
    return fitsOneStatement(
      delta,
      where.reduce((n, w) => n + 1 + w!.params.length, 0),
    )
      ? delta
      : undefined;
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
