/**
 * In-memory evaluation of a filter against one JSON object (RFC 7644 §3.4.2.2 semantics).
 *
 * Used only where a single resource is already in hand: selecting the elements of a
 * multi-valued attribute that a PATCH value path names (`emails[type eq "work"]`, RFC 7644
 * §3.5.2). Listing and searching never come here; they compile filters to SQL.
 *
 * Paths are resolved against the object as written: attribute names case-insensitively
 * (RFC 7643 §2.1), an arrays' elements each in turn (a multi-valued attribute matches when any
 * value does). A path with a `uri` descends into the object keyed by that URN when there is one
 * (an extension), else is read at the top level (the core schema's attributes live there).
 */
import type { AttrPath, CompareOp, Filter, FilterValue } from './ast';

export interface MatchOptions {
  /** RFC 7643 §2.2 caseExact of the attribute the path names; false folds case. */
  isCaseExact(path: AttrPath): boolean;
}

type OrderedOp = Exclude<CompareOp, 'ne'>;

export function matchesFilter(filter: Filter, element: unknown, opts: MatchOptions): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesFilter(filter.left, element, opts) && matchesFilter(filter.right, element, opts);
    case 'or':
      return matchesFilter(filter.left, element, opts) || matchesFilter(filter.right, element, opts);
    case 'not':
      return !matchesFilter(filter.filter, element, opts);
    case 'present':
      return valuesAt(element, filter.path).some(isPresent);
    case 'valuePath':
      return valuesAt(element, filter.path).some((v) => matchesFilter(filter.filter, v, opts));
    case 'compare':
      return matchesComparison(valuesAt(element, filter.path), filter.op, filter.value, opts.isCaseExact(filter.path));
  }
}

function matchesComparison(values: unknown[], op: CompareOp, expected: FilterValue, caseExact: boolean): boolean {
  // `x eq null` asks for absence, `x ne null` for presence; no other operator orders null.
  if (expected === null) return op === 'eq' ? values.length === 0 : op === 'ne' && values.length > 0;
  // "ne" holds when no value equals: so a missing attribute is "ne" anything.
  if (op === 'ne') return !values.some((v) => compareOne(v, 'eq', expected, caseExact));
  return values.some((v) => compareOne(v, op, expected, caseExact));
}

function compareOne(actual: unknown, op: OrderedOp, expected: string | number | boolean, caseExact: boolean): boolean {
  // RFC 7644 §3.4.2.2 example `emails co "example.com"`: a complex value compares by its "value".
  if (isObject(actual)) return compareOne(lookup(actual, 'value'), op, expected, caseExact);
  if (typeof actual === 'string') {
    // The parser keeps a bare `eq 123` a number without knowing the attribute's type, so a
    // number against a string attribute compares by its text.
    if (typeof expected === 'boolean') return false;
    const a = caseExact ? actual : actual.toLowerCase();
    const e = caseExact ? String(expected) : String(expected).toLowerCase();
    return compareStrings(a, op, e);
  }
  if (typeof actual === 'number') {
    const e = typeof expected === 'number' ? expected : typeof expected === 'string' && expected.trim() !== '' ? Number(expected) : NaN;
    return !Number.isNaN(e) && orderNumbers(actual, op, e);
  }
  if (typeof actual === 'boolean') {
    // Booleans support only eq/ne (RFC 7644 §3.4.2.2 table: ordering is for strings, numbers, dates).
    const e = typeof expected === 'string' ? expected.toLowerCase() : expected;
    return op === 'eq' && (e === actual || e === String(actual));
  }
  return false;
}

/** Strings compare lexicographically, which is chronological for ISO 8601 dateTimes in UTC. */
function compareStrings(a: string, op: OrderedOp, e: string): boolean {
  switch (op) {
    case 'eq':
      return a === e;
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
  }
}

function orderNumbers(a: number, op: OrderedOp, e: number): boolean {
  switch (op) {
    case 'eq':
      return a === e;
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
    default:
      return false; // co/sw/ew are string operators
  }
}

/** RFC 7644 §3.4.2.2 "pr": present and non-empty; a complex value needs a non-empty member. */
function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(isPresent);
  if (isObject(v)) return Object.values(v).some(isPresent);
  return true;
}

/** The non-null values the path reaches, with multi-valued attributes spread out. */
function valuesAt(root: unknown, path: AttrPath): unknown[] {
  const extension = path.uri === undefined ? undefined : lookup(root, path.uri);
  const base = isObject(extension) ? extension : root;
  let values = spread(lookup(base, path.attr));
  if (path.sub !== undefined) values = values.flatMap((v) => spread(lookup(v, path.sub!)));
  return values.filter((v) => v !== undefined && v !== null);
}

const spread = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7643 §2.1: attribute names are case-insensitive, so `Type` finds `type`. */
function lookup(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}
