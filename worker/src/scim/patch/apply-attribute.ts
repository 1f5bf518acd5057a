/**
 * add / replace / remove on a path without a value filter: `userName`, `name`,
 * `name.familyName`, `emails`, `emails.value`, `urn:…:enterprise:2.0:User:manager.value`.
 */
import { badRequest } from '../errors';
import { isObject, type Json, type JsonObject } from '../schema/normalize';
import type { AttributeDef } from '../schema/types';
import type { PatchAction } from './action';
import { assign, unassign } from './container';
import { withSub, withoutSub } from './elements';
import { settlePrimary } from './primary';
import { asList, coerceValue, containsElement, isUnassigned } from './values';

/**
 * Writes a whole attribute.
 * - RFC 7644 §3.5.2.1 add: a multi-valued attribute gets the new values appended (values it
 *   already contains are skipped); a single-valued one is replaced.
 * - RFC 7644 §3.5.2.3 replace: a multi-valued attribute's values are all replaced.
 * - Both, for a single-valued complex attribute: the sub-attributes given replace or add,
 *   those not given are left unchanged (§3.5.2.3 says so for replace; add of a complex value
 *   merges the same way).
 */
export function writeAttribute(container: JsonObject, def: AttributeDef, op: 'add' | 'replace', raw: Json, label: string): void {
  const value = coerceValue(def, raw, label);
  if (value === undefined) return;
  if (def.multiValued) {
    const incoming = value as Json[];
    const base = op === 'add' ? asList(container[def.name]) : [];
    const fresh: Json[] = [];
    for (const e of incoming) if (!containsElement(def, [...base, ...fresh], e)) fresh.push(e);
    assign(container, def, settlePrimary(def, [...base, ...fresh], fresh));
    return;
  }
  if (def.type === 'complex' && isObject(value)) {
    const existing = container[def.name];
    container[def.name] = { ...(isObject(existing) ? existing : {}), ...value };
    return;
  }
  container[def.name] = value;
}

/** Applies an action to `def` (and `sub`, when the path names one) with no value filter. */
export function applyToAttribute(container: JsonObject, def: AttributeDef, sub: AttributeDef | undefined, action: PatchAction, label: string): void {
  if (sub) return applyToSub(container, def, sub, action, label);
  switch (action.kind) {
    case 'write':
      return writeAttribute(container, def, action.op, action.value, label);
    case 'unset':
      return unassign(container, def, label);
    case 'unsetValues':
      return removeValues(container, def, action.values, label);
  }
}

/**
 * `name.familyName`: one sub-attribute of a complex attribute. On a multi-valued attribute with
 * no filter (`emails.type`) it applies to every element, and a write to an attribute with no
 * elements yet creates one (RFC 7644 §3.5.2.3: replace of an unassigned target is an add).
 */
function applyToSub(container: JsonObject, def: AttributeDef, sub: AttributeDef, action: PatchAction, label: string): void {
  const value = action.kind === 'write' ? coerceValue(sub, action.value, label) : undefined;
  if (action.kind === 'write' && value === undefined) return;
  if (!def.multiValued) {
    const parent = container[def.name];
    if (value === undefined) {
      if (sub.required) throw badRequest('mutability', `${label} is required and cannot be removed.`);
      if (isObject(parent)) assign(container, def, withoutSub(parent, sub));
      return;
    }
    container[def.name] = withSub(parent ?? {}, sub, value);
    return;
  }
  const list = asList(container[def.name]);
  if (value === undefined) {
    assign(
      container,
      def,
      list.map((e) => withoutSub(e, sub)).filter((e) => !isUnassigned(e)),
    );
    return;
  }
  const next = list.length === 0 ? [withSub({}, sub, value)] : list.map((e) => withSub(e, sub, value));
  assign(container, def, settlePrimary(def, next, next));
}

/**
 * `remove` of a multi-valued attribute with a `value` list and no filter: only the listed
 * elements go. This is Entra ID's way of removing group members (`{"op":"Remove","path":
 * "members","value":[{"value":"id"}]}`), applied to every multi-valued attribute; elements match
 * on their `value` sub-attribute, or on every sub-attribute given when there is no `value`.
 */
function removeValues(container: JsonObject, def: AttributeDef, raw: Json, label: string): void {
  if (!def.multiValued) {
    // A value on a single-valued remove carries no meaning (RFC 7644 §3.5.2.2 defines none).
    return unassign(container, def, label);
  }
  const targets = coerceValue(def, raw, label);
  if (targets === undefined) return;
  const keys = (targets as Json[]).map((t) => (isObject(t) && t.value !== undefined ? { value: t.value } : t));
  const list = asList(container[def.name]);
  assign(
    container,
    def,
    list.filter((e) => !keys.some((k) => containsElement(def, [e], k))),
  );
}
