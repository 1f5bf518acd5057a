/**
 * Group membership through PATCH. Members live in their own table, so a Group's `members` is
 * never materialised here: each operation becomes a change to a MemberDelta that the service
 * applies to the stored rows.
 */
import { badRequest } from '../errors';
import type { Filter } from '../filter/ast';
import { matchesFilter } from '../filter/match';
import { isObject, normalizeValue, type Json, type JsonObject } from '../schema/normalize';
import type { AttributeDef } from '../schema/types';
import type { PatchAction } from './action';
import { caseExactOf } from './target';

/**
 * The net change to a Group's members after all operations. The service applies it in this
 * order: `clear` (drop every member), then `remove` and the rows matching any `removeWhere`
 * filter, then `add`. Operations are folded so that this order gives the result of applying them
 * one by one.
 */
export interface MemberDelta {
  clear: boolean;
  add: string[];
  remove: string[];
  removeWhere: Filter[];
}

export interface MemberDeltaBuilder {
  apply(def: AttributeDef, filter: Filter | undefined, sub: AttributeDef | undefined, action: PatchAction, label: string): void;
  result(): MemberDelta;
}

export function createMemberDelta(): MemberDeltaBuilder {
  let clear = false;
  /** pending additions by id, with the element the client sent (for later removeWhere filters) */
  const add = new Map<string, JsonObject>();
  const remove = new Set<string>();
  let removeWhere: Filter[] = [];

  const addAll = (elements: JsonObject[]) => {
    for (const e of elements) {
      const id = e.value as string;
      add.set(id, e);
      remove.delete(id);
    }
  };
  const removeIds = (ids: string[]) => {
    for (const id of ids) {
      add.delete(id);
      remove.add(id);
    }
  };
  const clearAll = () => {
    clear = true;
    add.clear();
    remove.clear();
    removeWhere = [];
  };

  return {
    apply(def, filter, sub, action, label) {
      // RFC 7643 §4.2: value, $ref and type of a member are immutable, display is readOnly: a
      // member is added or removed whole, never edited.
      if (sub) throw badRequest('mutability', `${label}: a member cannot be edited; remove it and add it again.`);
      if (filter) {
        if (action.kind === 'write') throw badRequest('invalidPath', `"${label}": members can be added or replaced as a list, and removed by filter.`);
        const ids = idsOf(filter);
        if (ids) return removeIds(ids);
        // `members[type eq "Group"]` and the like: resolved against the stored rows by the
        // service; an addition earlier in this request that the filter matches is dropped here.
        removeWhere.push(filter);
        const opts = { isCaseExact: caseExactOf(def) };
        for (const [id, e] of add) if (matchesFilter(filter, e, opts)) add.delete(id);
        return;
      }
      switch (action.kind) {
        case 'unset':
          // RFC 7644 §3.5.2.2: `remove` of `members` with no filter removes all members.
          return clearAll();
        case 'unsetValues':
          // Quirk `removeMembersByValueList`: Entra ID removes members with
          // {"op":"Remove","path":"members","value":[{"value":"<id>"}]}.
          return removeIds(memberElements(def, action.values, label).map((e) => e.value as string));
        case 'write':
          // RFC 7644 §3.5.2.3: replace sets the whole list; Okta clears a group with
          // {"op":"replace","path":"members","value":[]}.
          if (action.op === 'replace') clearAll();
          return addAll(memberElements(def, action.value, label));
      }
    },
    result: () => ({ clear, add: [...add.keys()], remove: [...remove], removeWhere }),
  };
}

/** Member values must be objects with a string `value` (RFC 7643 §4.2); else 400 invalidValue. */
function memberElements(def: AttributeDef, raw: Json, label: string): JsonObject[] {
  // Quirk `bareMemberId`: Entra ID's reference collection adds a member as
  // {"op":"Add","path":"members","value":"<id>"} (or a list of ids); a bare string is the id.
  const asElement = (v: Json): Json => (typeof v === 'string' ? { value: v } : v);
  const objects = Array.isArray(raw) ? raw.map(asElement) : asElement(raw);
  // keepReadOnly: an element with only a `display` is a client error to report, not an empty object to drop.
  const list = normalizeValue(def, objects, { keepReadOnly: true }, 1);
  const elements = Array.isArray(list) ? list : [];
  return elements.map((e, i) => {
    if (!isObject(e) || typeof e.value !== 'string' || e.value === '') {
      throw badRequest('invalidValue', `${label}[${i}]: a member must be an object with a string "value" (the member's id).`);
    }
    return e;
  });
}

/**
 * `members[value eq "id"]`, and `value eq "a" or value eq "b"` (RFC 7644 §3.5.2.2 examples):
 * plain ids, so the service needs no lookup. Undefined for any other filter.
 */
function idsOf(filter: Filter): string[] | undefined {
  if (filter.kind === 'compare') {
    const isValueEq = filter.op === 'eq' && filter.path.attr.toLowerCase() === 'value' && filter.value !== null;
    return isValueEq ? [String(filter.value)] : undefined;
  }
  if (filter.kind !== 'or') return undefined;
  const left = idsOf(filter.left);
  const right = idsOf(filter.right);
  return left && right ? [...left, ...right] : undefined;
}
