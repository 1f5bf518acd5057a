/**
 * PATCH (RFC 7644 §3.5.2) for the fault target: add / replace / remove on simple and dotted
 * attributes, extension URNs, pathless values, `members` by value list and by
 * `members[value eq "…"]`, and `emails[type eq "work"].value`. Enough for a provisioning
 * client; a test double, not the product.
 */
import { compileFilter } from './filter';

type Resource = Record<string, unknown>;

export class PatchError extends Error {
  constructor(
    message: string,
    readonly scimType: string,
  ) {
    super(message);
  }
}

/** `urn:…:User:manager.value` → [urn, manager, value]; `name.givenName` → [name, givenName]. */
function segments(attr: string): string[] {
  if (attr.toLowerCase().startsWith('urn:')) {
    const colon = attr.lastIndexOf(':');
    return [attr.slice(0, colon), ...attr.slice(colon + 1).split('.')];
  }
  return attr.split('.');
}

function keyOf(obj: Resource, name: string): string {
  return Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

/** The object that holds the last segment, created on the way when `create`. */
function parentOf(resource: Resource, segs: string[], create: boolean): Resource | undefined {
  let current = resource;
  for (const seg of segs.slice(0, -1)) {
    const key = keyOf(current, seg);
    let next = current[key];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
      if (!create) return undefined;
      next = {};
      current[key] = next;
    }
    current = next as Resource;
  }
  return current;
}

/** Entra sends "True" / "False" for booleans. */
function coerce(name: string, value: unknown): unknown {
  if (name.toLowerCase() === 'active' && typeof value === 'string') return value.toLowerCase() === 'true';
  return value;
}

function sameValue(a: unknown, b: unknown): boolean {
  const va = a !== null && typeof a === 'object' ? (a as Resource).value : a;
  const vb = b !== null && typeof b === 'object' ? (b as Resource).value : b;
  return va !== undefined && va === vb;
}

function setAttr(resource: Resource, attr: string, value: unknown, op: 'add' | 'replace'): void {
  const segs = segments(attr);
  const parent = parentOf(resource, segs, true)!;
  const key = keyOf(parent, segs.at(-1)!);
  const existing = parent[key];
  if (op === 'add' && Array.isArray(existing)) {
    const additions = Array.isArray(value) ? value : [value];
    parent[key] = [...existing, ...additions.filter((v) => !existing.some((e) => sameValue(e, v)))];
  } else if (op === 'add' && value !== null && typeof value === 'object' && !Array.isArray(value) && existing && typeof existing === 'object') {
    parent[key] = { ...(existing as Resource), ...(value as Resource) };
  } else {
    parent[key] = coerce(key, value);
  }
}

function removeAttr(resource: Resource, attr: string, value: unknown): void {
  const segs = segments(attr);
  const parent = parentOf(resource, segs, false);
  if (!parent) return;
  const key = keyOf(parent, segs.at(-1)!);
  const existing = parent[key];
  // Entra removes members by value list: { op: remove, path: members, value: [{ value: id }] }.
  if (Array.isArray(existing) && value !== undefined && value !== null) {
    const removals = Array.isArray(value) ? value : [value];
    parent[key] = existing.filter((e) => !removals.some((r) => sameValue(e, r)));
  } else {
    delete parent[key];
  }
}

/** `emails[type eq "work"].value` and `members[value eq "x"]`. */
function applyFiltered(resource: Resource, op: string, attr: string, filter: string, sub: string | undefined, value: unknown): void {
  const matches = compileFilter(filter);
  const key = keyOf(resource, attr);
  const list = Array.isArray(resource[key]) ? (resource[key] as Resource[]) : [];
  if (op === 'remove') {
    if (sub === undefined) resource[key] = list.filter((e) => !matches(e));
    else for (const e of list.filter(matches)) delete e[keyOf(e, sub)];
    return;
  }
  const hits = list.filter(matches);
  if (hits.length === 0) throw new PatchError(`No value matches ${attr}[${filter}].`, 'noTarget');
  for (const e of hits) {
    if (sub === undefined) Object.assign(e, value as Resource);
    else e[keyOf(e, sub)] = value;
  }
  resource[key] = list;
}

const PATH = /^([^[\]]+?)(?:\[(.+)\](?:\.([A-Za-z$][\w$-]*))?)?$/;

export function applyPatch(resource: Resource, body: unknown): void {
  const operations = (body as { Operations?: unknown } | null)?.Operations;
  if (!Array.isArray(operations)) throw new PatchError('PATCH needs Operations.', 'invalidSyntax');
  for (const raw of operations as Resource[]) {
    const op = String(raw.op ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new PatchError(`Unknown op ${String(raw.op)}.`, 'invalidSyntax');
    const path = typeof raw.path === 'string' && raw.path !== '' ? raw.path : undefined;
    if (path === undefined) {
      // RFC 7644 §3.5.2.1: a PATCH without "path" carries an object of attributes.
      if (op === 'remove') throw new PatchError('remove needs a path.', 'noTarget');
      for (const [k, v] of Object.entries((raw.value ?? {}) as Resource)) setAttr(resource, k, v, op);
      continue;
    }
    const m = PATH.exec(path);
    if (!m) throw new PatchError(`Bad path ${path}.`, 'invalidPath');
    const [, attr, filter, sub] = m;
    if (filter !== undefined) applyFiltered(resource, op, attr!, filter, sub, raw.value);
    else if (op === 'remove') removeAttr(resource, attr!, raw.value);
    else setAttr(resource, attr!, raw.value, op);
  }
}
