/**
 * The PATCH requests IdPs send most — Entra ID's `replace` of `active`, `displayName`, `title`,
 * `name.givenName` or an enterprise attribute by path, Okta's path-less `{"active": false}` —
 * write or unassign single-valued attributes only. What such a request does is the same on every
 * stored body: RFC 7396 merge patches of the values it carries (null unassigns). So it needs
 * nothing from the stored resource, and the service applies it as SQL over the stored JSON in one
 * batch: one D1 round trip instead of a read and a write (issue #11).
 *
 * A multi-valued attribute replaced or removed whole is a merge patch too (arrays are values in
 * RFC 7396). Entra ID's write of a sub-attribute of the elements a type filter selects
 * (`emails[type eq "work"].value`), the removal of the elements a `value eq` / `type eq` filter
 * selects (element-plan.ts) and values added without a filter (append-plan.ts) ride along as SQL
 * the directory judges against the stored elements. A password is validated and dropped.
 *
 * The values go through the very functions the apply-in-code engine uses (resolveTarget,
 * coerceValue, normalizePathlessValue, writeAttribute), so they are validated and normalised
 * alike. Anything else — other value filters, sub-attributes of every element, values removed by
 * a list, Group members, immutable or required attributes — and any request that is invalid plans
 * to undefined: the engine runs it after reading the resource, and answers its errors in their
 * order (404, then 412, then 400), which a plan made before the read could not.
 */
import { ScimError } from '../errors';
import { commonAttributes } from '../schema/common';
import { isObject, normalizeAttributes, type Json, type JsonObject } from '../schema/normalize';
import { findAttribute, isExtension, schemaOf } from '../schema/registry';
import type { AttributeDef, ResourceTypeDef } from '../schema/types';
import { parseOrThrow, resourceSchema } from '../schema/zod-schemas';
import { actionOf, type PatchAction } from './action';
import { normalizePathlessValue, nullKeysOf } from './apply-pathless';
import { planElementRemove, planElementWrite, planFilteredUnset } from './element-plan';
import { assertStepsFit, isWholeList, planAppendTo, planList, planUnsetIf } from './list-plan';
import type { PatchOperation } from './patch-request';
import { applyMergePatch, emptyMergePlan, NotPlanned, notPlanned, setIn, type MergePlan } from './plan-state';
import { resolveTarget, type PatchTarget } from './target';
import { coerceValue } from './values';

export function planMergePatch(rt: ResourceTypeDef, operations: readonly PatchOperation[]): MergePlan | undefined {
  try {
    const plan = emptyMergePlan();
    for (const operation of operations) planOperation(rt, plan, operation);
    assertStepsFit(plan);
    assertValidAlone(rt, plan.patches);
    plan.prune.sort((a, b) => b.length - a.length);
    return plan;
  } catch (err) {
    if (err instanceof NotPlanned || err instanceof ScimError) return undefined;
    throw err;
  }
}

function planOperation(rt: ResourceTypeDef, plan: MergePlan, operation: PatchOperation): void {
  if (operation.path === undefined) return operation.op === 'remove' ? notPlanned() : planPathless(rt, plan, operation);
  planTarget(rt, plan, resolveTarget(rt, operation.path, { explicit: true }), actionOf(operation), operation);
}

/** As apply-patch.ts applyPathless: the value's attributes written, then its null keys unassigned. */
function planPathless(rt: ResourceTypeDef, plan: MergePlan, operation: PatchOperation): void {
  const values = normalizePathlessValue(rt, operation.value);
  for (const [key, value] of Object.entries(values)) {
    if (isExtension(rt, key) && isObject(value)) {
      planExtensionWrite(rt, plan, key, value);
      continue;
    }
    const def = findAttribute(commonAttributes, key) ?? findAttribute(rt.schema.attributes, key);
    if (def) planWrite(plan, [], def, undefined, value, def.name, operation.op === 'add' ? 'add' : 'replace');
  }
  for (const key of nullKeysOf(operation.value as JsonObject)) planTarget(rt, plan, resolveTarget(rt, key, { explicit: false }), { kind: 'unset' }, operation);
}

/** As apply-patch.ts applyTarget, for the targets a merge patch can express. */
function planTarget(rt: ResourceTypeDef, plan: MergePlan, target: PatchTarget, action: PatchAction, operation: PatchOperation): void {
  switch (target.kind) {
    case 'ignored':
      return;
    case 'resource':
      return action.kind === 'write' ? planPathless(rt, plan, { ...operation, path: undefined }) : notPlanned();
    case 'extension':
      if (action.kind !== 'write') return target.required ? notPlanned() : planUnset(plan, [target.schema.id]);
      return isObject(action.value) ? planExtensionWrite(rt, plan, target.schema.id, action.value) : notPlanned();
    case 'attribute': {
      if (target.filter) {
        const filtered = { ...target, filter: target.filter };
        if (action.kind !== 'write' && !target.def.multiValued) return planUnsetIf(plan, planFilteredUnset(filtered, action), target.extension);
        if (action.kind !== 'write') {
          const remove = planElementRemove(filtered, action);
          return remove ? void plan.removes.push(remove) : notPlanned();
        }
        const writes = planElementWrite(filtered, action);
        return writes ? void plan.elements.push(...writes) : notPlanned();
      }
      const base = target.extension === undefined ? [] : [target.extension];
      if (action.kind === 'write') return planWrite(plan, base, target.def, target.sub, action.value, target.label, action.op);
      if (isWriteOnly(target.def, target.sub)) return;
      if (isWholeList(target.def, target.sub, base) && action.kind === 'unset') return planList(plan, target.def, null, target.label);
      if (!isPlannable(target.def, target.sub) || (target.sub ?? target.def).required) return notPlanned();
      return planUnset(plan, target.sub ? [...base, target.def.name, target.sub.name] : [...base, target.def.name]);
    }
  }
}

/**
 * A single-valued attribute that may change whatever is stored: not an immutable one (whether it
 * may change depends on the stored value) and not a writeOnly one (a password is accepted and
 * dropped by the service, README: Passwords).
 */
const isPlannable = (def: AttributeDef, sub: AttributeDef | undefined) =>
  !def.multiValued && ![def.mutability, sub?.mutability].some((m) => m === 'immutable' || m === 'writeOnly');

/**
 * A password (writeOnly): the engine validates it and the service drops it (README: Passwords),
 * so it plans to nothing once its value is valid; its remove unassigns nothing.
 */
const isWriteOnly = (def: AttributeDef, sub: AttributeDef | undefined) => !sub && def.mutability === 'writeOnly';

/** As apply-pathless.ts mergeInto: an extension's attributes written one by one. */
function planExtensionWrite(rt: ResourceTypeDef, plan: MergePlan, urn: string, raw: JsonObject): void {
  const list = schemaOf(rt, urn)!.attributes;
  for (const [key, value] of Object.entries(normalizeAttributes(list, raw, { keepReadOnly: false }, 1))) {
    const def = findAttribute(list, key);
    if (def) planWrite(plan, [urn], def, undefined, value, `${urn}:${def.name}`, 'replace');
  }
}

/**
 * As apply-attribute.ts writeAttribute / applyToSub for a single-valued attribute: a simple value
 * replaces, a complex one merges its sub-attributes into what is stored (RFC 7644 §3.5.2.3).
 */
function planWrite(plan: MergePlan, base: string[], def: AttributeDef, sub: AttributeDef | undefined, raw: Json, label: string, op: 'add' | 'replace'): void {
  if (isWriteOnly(def, sub)) return void coerceValue(def, raw, label);
  if (isWholeList(def, sub, base)) return op === 'replace' ? planList(plan, def, raw, label) : planAppendTo(plan, def, raw, label);
  if (!isPlannable(def, sub)) notPlanned();
  const leaf = sub ?? def;
  const value = coerceValue(leaf, raw, label);
  if (value === undefined) return;
  const at = sub ? [...base, def.name, sub.name] : [...base, def.name];
  if (!sub && def.type === 'complex' && isObject(value)) {
    for (const [k, v] of Object.entries(value)) setIn(plan, [...at, k], v);
    return;
  }
  setIn(plan, at, value);
}

function planUnset(plan: MergePlan, at: string[]): void {
  setIn(plan, at, null);
  for (let n = at.length - 1; n > 0; n--) {
    const container = at.slice(0, n);
    if (!plan.prune.some((p) => p.join('\u0000') === container.join('\u0000'))) plan.prune.push(container);
  }
}

/**
 * The engine validates the whole new body (resourceSchema, 'replace'), which checks more than one
 * value does: a required string is not empty, externalId fits. The values written are checked the
 * same way here, on a body of only them (the stored rest was valid when it was written).
 */
function assertValidAlone(rt: ResourceTypeDef, patches: JsonObject[]): void {
  const placeholders = Object.fromEntries(rt.schema.attributes.filter((a) => a.required && a.type === 'string').map((a) => [a.name, '-']));
  parseOrThrow(resourceSchema(rt, 'replace'), patches.reduce(applyMergePatch, placeholders));
}
