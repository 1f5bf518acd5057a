/**
 * What changed between the payload a target last received (or holds, see remote-view.ts) and
 * the next one, as attribute paths and as a minimal RFC 7644 §3.5.2 PatchOp.
 */
import { isObject, type Json, type JsonObject } from '../../scim/schema/normalize';
import type { PatchOp } from '../scim-client/types';
import { getPath } from './get-path';
import { canonicalJson } from './payload-hash';

const isExtensionKey = (key: string) => key.toLowerCase().startsWith('urn:');
const same = (a: Json | undefined, b: Json | undefined) => (a === undefined ? b === undefined : b !== undefined && canonicalJson(a) === canonicalJson(b));
const asObject = (v: Json | undefined): JsonObject => (isObject(v) ? v : {});
const unionKeys = (a: JsonObject, b: JsonObject) => [...new Set([...Object.keys(a), ...Object.keys(b)])];

/**
 * Paths that differ: `userName`, `name.givenName`, `urn:…:User:department`, and for
 * multi-valued attributes whose elements each have a distinct `type`,
 * `emails[type eq "work"].value` (an element changed) or `emails[type eq "work"]` (added or
 * removed); other arrays as a whole (`emails`). `schemas` is not an attribute.
 */
export function changedAttributes(previous: JsonObject | undefined, next: JsonObject): string[] {
  const prev = previous ?? {};
  const out: string[] = [];
  for (const key of unionKeys(prev, next)) {
    if (key.toLowerCase() === 'schemas') continue;
    const [a, b] = [prev[key], next[key]];
    if (isExtensionKey(key) && (isObject(a) || isObject(b))) {
      const [ea, eb] = [asObject(a), asObject(b)];
      for (const sub of unionKeys(ea, eb)) diffAttribute(`${key}:${sub}`, ea[sub], eb[sub], out);
    } else {
      diffAttribute(key, a, b, out);
    }
  }
  return out;
}

function diffAttribute(path: string, a: Json | undefined, b: Json | undefined, out: string[]): void {
  if (same(a, b)) return;
  // RFC 7643 §2.3.8: a complex attribute has one level of sub-attributes.
  if ((isObject(a) || a === undefined) && (isObject(b) || b === undefined)) {
    const [oa, ob] = [asObject(a), asObject(b)];
    for (const sub of unionKeys(oa, ob)) if (!same(oa[sub], ob[sub])) out.push(`${path}.${sub}`);
    return;
  }
  const [ta, tb] = [byType(a), byType(b)];
  if (ta === undefined || tb === undefined) {
    out.push(path);
    return;
  }
  for (const type of new Set([...ta.keys(), ...tb.keys()])) {
    const [ea, eb] = [ta.get(type), tb.get(type)];
    const selector = `${path}[type eq ${JSON.stringify(eb?.type ?? ea?.type)}]`;
    if (ea === undefined || eb === undefined) out.push(selector);
    else for (const sub of unionKeys(ea, eb)) if (!same(ea[sub], eb[sub])) out.push(`${selector}.${sub}`);
  }
}

/** Elements keyed by lower-cased `type`, when every element has a distinct string one. */
function byType(v: Json | undefined): Map<string, JsonObject> | undefined {
  if (v === undefined) return new Map();
  if (!Array.isArray(v)) return undefined;
  const map = new Map<string, JsonObject>();
  for (const e of v) {
    if (!isObject(e) || typeof e.type !== 'string' || map.has(e.type.toLowerCase())) return undefined;
    map.set(e.type.toLowerCase(), e);
  }
  return map;
}

/**
 * The PatchOp that turns `previous` into `next`: `replace` per changed path, `add` for a new
 * element of a multi-valued attribute, `remove` for each cleared path the target still has.
 * Without `previous` every attribute of `next` is replaced (extension attributes one by one).
 */
export function toPatchOperations(previous: JsonObject | undefined, next: JsonObject, cleared: readonly string[]): PatchOp[] {
  const ops = previous === undefined ? replaceAll(next) : changedOps(previous, next);
  const removals = new Set<string>();
  for (const path of cleared) {
    if (previous !== undefined && getPath(previous, path) === undefined) continue;
    removals.add(removalPath(path));
  }
  return [...ops, ...[...removals].map((path): PatchOp => ({ op: 'remove', path }))];
}

function replaceAll(next: JsonObject): PatchOp[] {
  const ops: PatchOp[] = [];
  for (const [key, value] of Object.entries(next)) {
    if (key.toLowerCase() === 'schemas') continue;
    if (isExtensionKey(key) && isObject(value)) {
      for (const [sub, v] of Object.entries(value)) ops.push({ op: 'replace', path: `${key}:${sub}`, value: v });
    } else {
      ops.push({ op: 'replace', path: key, value });
    }
  }
  return ops;
}

function changedOps(previous: JsonObject, next: JsonObject): PatchOp[] {
  const ops: PatchOp[] = [];
  for (const path of changedAttributes(previous, next)) {
    const value = getPath(next, path);
    // Gone from `next`: removed only when its rule clears (the `cleared` list), never by diff.
    if (value === undefined) continue;
    if (path.endsWith(']') && getPath(previous, path) === undefined) {
      // RFC 7644 §3.5.2.3: a replace whose value filter matches nothing is 400 noTarget; an add
      // to the multi-valued attribute appends the element instead.
      ops.push({ op: 'add', path: path.slice(0, path.indexOf('[')), value: [value] });
    } else {
      ops.push({ op: 'replace', path, value });
    }
  }
  return ops;
}

/** `emails[type eq "work"].value` clears the whole element: an email without a value is nothing. */
function removalPath(path: string): string {
  return /\]\.value$/i.test(path) ? path.slice(0, path.lastIndexOf(']') + 1) : path;
}
