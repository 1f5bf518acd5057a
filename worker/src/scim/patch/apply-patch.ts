/**
 * The PATCH engine (RFC 7644 §3.5.2): applies a PatchOp message to a stored resource body and
 * returns the new body (validated like a PUT body) plus, for Groups, the membership change.
 * Pure: no storage, no clock; `current` is never mutated. The message is atomic — any failing
 * operation fails the whole request with a 400 before anything is stored (RFC 7644 §3.5.2).
 */
import { badRequest } from '../errors';
import { isObject, type JsonObject } from '../schema/normalize';
import type { ResourceTypeDef } from '../schema/types';
import { parseOrThrow, resourceSchema } from '../schema/zod-schemas';
import { actionOf, type PatchAction } from './action';
import { applyToAttribute } from './apply-attribute';
import { mergeInto, mergePathless, normalizePathlessValue, nullKeysOf } from './apply-pathless';
import { applyToFilteredSingle, applyToValuePath } from './apply-value-path';
import { containerOf, pruneExtensions } from './container';
import { assertImmutablesKept } from './immutable';
import { createMemberDelta, type MemberDelta, type MemberDeltaBuilder } from './members';
import { parsePatchRequest, type PatchOperation } from './patch-request';
import { resolveTarget, type PatchTarget } from './target';

export interface PatchOutcome {
  /** the new stored body, parsed by resourceSchema(rt, 'replace') (string booleans coerced) */
  body: JsonObject;
  /** present when the request touched a Group's members */
  members?: MemberDelta;
}

interface PatchState {
  rt: ResourceTypeDef;
  body: JsonObject;
  members: MemberDeltaBuilder | undefined;
  membersTouched: boolean;
}

/**
 * `current` is the stored body: canonical names, core attributes at the top level, extension
 * attributes under their URN; no id/meta/schemas; no `groups` (Users) or `members` (Groups).
 */
export function applyPatch(rt: ResourceTypeDef, current: JsonObject, request: unknown): PatchOutcome {
  return applyOperations(rt, current, parsePatchRequest(request));
}

/** applyPatch of a message parsed already (patch-request.ts readPatchRequest). */
export function applyOperations(rt: ResourceTypeDef, current: JsonObject, operations: readonly PatchOperation[]): PatchOutcome {
  const state: PatchState = {
    rt,
    body: structuredClone(current),
    members: rt.name === 'Group' ? createMemberDelta() : undefined,
    membersTouched: false,
  };
  for (const operation of operations) applyOperation(state, operation);
  pruneExtensions(
    state.body,
    rt.extensions.map((e) => e.schema.id),
  );
  assertImmutablesKept(rt, current, state.body);
  const body = parseOrThrow<JsonObject>(resourceSchema(rt, 'replace'), state.body);
  return state.members && state.membersTouched ? { body, members: state.members.result() } : { body };
}

function applyOperation(state: PatchState, operation: PatchOperation): void {
  if (operation.path === undefined) {
    // RFC 7644 §3.5.2.2: "If 'path' is unspecified, the operation fails with … noTarget."
    if (operation.op === 'remove') throw badRequest('noTarget', 'A "remove" operation needs a "path".');
    return applyPathless(state, operation);
  }
  const target = resolveTarget(state.rt, operation.path, { explicit: true });
  applyTarget(state, target, actionOf(operation), operation);
}

function applyPathless(state: PatchState, operation: PatchOperation): void {
  const op = operation.op === 'add' ? 'add' : 'replace';
  const values = normalizePathlessValue(state.rt, operation.value);
  const rawMembers = state.members ? membersKeyOf(operation.value as JsonObject) : undefined;
  if (rawMembers !== undefined && (operation.value as JsonObject)[rawMembers] !== null) {
    // Pathless `{"members":[…]}`: add appends members, replace sets the whole list (RFC 7644
    // §3.5.2.3). The raw list is used so that malformed members are reported, not dropped.
    applyMembers(state, undefined, { kind: 'write', op, value: (operation.value as JsonObject)[rawMembers]! }, 'members');
  }
  delete values.members;
  mergePathless(state.rt, state.body, values, op);
  for (const key of nullKeysOf(operation.value as JsonObject)) {
    applyTarget(state, resolveTarget(state.rt, key, { explicit: false }), { kind: 'unset' }, operation);
  }
}

const membersKeyOf = (value: JsonObject): string | undefined => Object.keys(value).find((k) => k.toLowerCase() === 'members');

function applyTarget(state: PatchState, target: PatchTarget, action: PatchAction, operation: PatchOperation): void {
  switch (target.kind) {
    case 'ignored':
      return;
    case 'resource':
      // The core schema URN as the path names the resource itself.
      if (action.kind !== 'write') throw badRequest('invalidPath', 'The core schema URN names the resource itself, which cannot be removed.');
      return applyPathless(state, { ...operation, path: undefined });
    case 'extension':
      return applyToExtension(state, target, action);
    case 'attribute': {
      if (state.members && target.def.name === 'members' && target.extension === undefined) {
        return applyMembers(state, target, action, target.label);
      }
      const container = containerOf(state.body, target.extension);
      if (target.filter && !target.def.multiValued) return applyToFilteredSingle(container, { ...target, filter: target.filter }, action);
      if (target.filter) return applyToValuePath(container, { ...target, filter: target.filter }, action);
      return applyToAttribute(container, target.def, target.sub, action, target.label);
    }
  }
}

/** Quirk `bareExtensionUrnPath`: the path is the extension's URN and the value an object of its attributes. */
function applyToExtension(state: PatchState, target: Extract<PatchTarget, { kind: 'extension' }>, action: PatchAction): void {
  const urn = target.schema.id;
  if (action.kind === 'write') {
    if (!isObject(action.value)) throw badRequest('invalidValue', `The value for ${urn} must be an object of its attributes.`);
    return mergeInto(containerOf(state.body, urn), target.schema.attributes, action.value, action.op, `${urn}:`);
  }
  // RFC 7644 §3.5.2.2: removing what a required extension holds is a mutability error.
  if (target.required) throw badRequest('mutability', `${urn} is required and cannot be removed.`);
  delete state.body[urn];
}

function applyMembers(state: PatchState, target: Extract<PatchTarget, { kind: 'attribute' }> | undefined, action: PatchAction, label: string): void {
  const def = target?.def ?? state.rt.schema.attributes.find((a) => a.name === 'members')!;
  state.members!.apply(def, target?.filter, target?.sub, action, label);
  state.membersTouched = true;
}
