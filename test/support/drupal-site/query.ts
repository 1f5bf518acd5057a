/**
 * Drupal JSON:API collection query: PHP-style nested parameters (`filter[a][condition][path]`),
 * filters (shorthand, `[value]`/`[operator]` and long `condition` forms, groups with `memberOf`),
 * `sort` and `page`. Errors are thrown as `QueryError` and become JSON:API 400s.
 * See https://www.drupal.org/docs/core-modules-and-themes/core-modules/jsonapi-module/filtering
 * and Drupal\jsonapi\Query\{Filter,Sort,OffsetPage}.
 */
import type { SiteUser } from './types';

export class QueryError extends Error {
  status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

type Nested = string | string[] | { [key: string]: Nested };

/** `a[b][c]=v&a[b][d][]=w` → { a: { b: { c: 'v', d: ['w'] } } }, as PHP parses a query string. */
export function parseNested(search: URLSearchParams): Record<string, Nested> {
  const root: Record<string, Nested> = {};
  for (const [key, value] of search) {
    const m = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(key);
    if (!m) continue;
    const parts = [m[1]!, ...[...m[2]!.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!)];
    let node: Record<string, Nested> = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      const nextIsList = parts[i + 1] === '';
      if (last) {
        if (part === '') continue;
        node[part] = value;
      } else if (nextIsList && i + 1 === parts.length - 1) {
        const list = Array.isArray(node[part]) ? (node[part] as string[]) : [];
        list.push(value);
        node[part] = list;
        break;
      } else {
        const child = node[part];
        node = (typeof child === 'object' && !Array.isArray(child) ? child : (node[part] = {})) as Record<string, Nested>;
      }
    }
  }
  return root;
}

const OPERATORS = [
  '=',
  '<>',
  '>',
  '>=',
  '<',
  '<=',
  'STARTS_WITH',
  'CONTAINS',
  'ENDS_WITH',
  'IN',
  'NOT IN',
  'BETWEEN',
  'NOT BETWEEN',
  'IS NULL',
  'IS NOT NULL',
] as const;
type Operator = (typeof OPERATORS)[number];

export interface Condition {
  path: string;
  operator: Operator;
  value: string | string[] | undefined;
  memberOf: string | undefined;
}

export interface Group {
  conjunction: 'AND' | 'OR';
  memberOf: string | undefined;
}

export interface Filter {
  conditions: Condition[];
  groups: Map<string, Group>;
}

/** Filter paths the user resource supports, and what each reads. */
const FIELDS: Record<string, (u: SiteUser) => string | number | boolean | null | string[]> = {
  id: (u) => u.uuid,
  uuid: (u) => u.uuid,
  drupal_internal__uid: (u) => u.uid,
  name: (u) => u.name,
  mail: (u) => u.mail,
  status: (u) => u.status,
  created: (u) => u.created,
  changed: (u) => u.changed,
  access: (u) => u.access,
  login: (u) => u.login,
  timezone: (u) => u.timezone,
  'roles.meta.drupal_internal__target_id': (u) => u.roles,
};

/** Fields a `limited` account may not filter on (their view access is not allowed). */
export const PROTECTED_FIELDS = new Set(['mail', 'status', 'access', 'login', 'timezone', 'roles.meta.drupal_internal__target_id']);

export function parseFilter(raw: Nested | undefined): Filter {
  const filter: Filter = { conditions: [], groups: new Map() };
  if (raw === undefined) return filter;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new QueryError('Incorrect value passed to the filter parameter.');
  for (const [key, item] of Object.entries(raw)) {
    if (typeof item === 'string' || Array.isArray(item)) {
      // filter[name]=value: the shortest form, `=` on the path named by the key.
      filter.conditions.push(condition(key, '=', item, undefined));
      continue;
    }
    if (item.group !== undefined) {
      const g = item.group as Record<string, Nested>;
      const conjunction = String(g.conjunction ?? '').toUpperCase();
      if (conjunction !== 'AND' && conjunction !== 'OR') throw new QueryError(`The filter group \`${key}\` needs a conjunction of AND or OR.`);
      filter.groups.set(key, { conjunction, memberOf: typeof g.memberOf === 'string' ? g.memberOf : undefined });
      continue;
    }
    const c = (item.condition ?? item) as Record<string, Nested>;
    const path = item.condition !== undefined ? c.path : key;
    if (typeof path !== 'string' || path === '') throw new QueryError("Filter parameter is missing a 'path' key.");
    const op = (typeof c.operator === 'string' ? c.operator : '=') as Operator;
    const value = c.value as string | string[] | undefined;
    filter.conditions.push(condition(path, op, value, typeof c.memberOf === 'string' ? c.memberOf : undefined));
  }
  return filter;
}

function condition(path: string, operator: Operator, value: Nested | undefined, memberOf: string | undefined): Condition {
  if (!OPERATORS.includes(operator)) throw new QueryError(`The operator "${operator}" is not supported.`);
  if (path === 'roles' || path === 'roles.id' || (path.startsWith('roles.') && path !== 'roles.meta.drupal_internal__target_id')) {
    throw new QueryError("Filtering on config entities is not supported by Drupal's entity API. You tried to filter on a Role config entity.");
  }
  if (!(path in FIELDS)) throw new QueryError(`Invalid nested filtering. The field \`${path.split('.')[0]}\`, given in the path \`${path}\`, does not exist.`);
  const needsList = operator === 'IN' || operator === 'NOT IN' || operator === 'BETWEEN' || operator === 'NOT BETWEEN';
  const needsNone = operator === 'IS NULL' || operator === 'IS NOT NULL';
  if (value !== undefined && typeof value === 'object' && !Array.isArray(value)) value = Object.values(value) as string[];
  if (needsList && !Array.isArray(value)) throw new QueryError(`The "${operator}" operator needs a list of values (value[]).`);
  if (!needsList && !needsNone && (value === undefined || Array.isArray(value))) throw new QueryError(`The "${operator}" operator needs a single value.`);
  return { path, operator, value: value as string | string[] | undefined, memberOf };
}

function scalarMatches(actual: string | number | boolean | null, op: Operator, value: string | string[] | undefined): boolean {
  if (op === 'IS NULL') return actual === null || actual === '';
  if (op === 'IS NOT NULL') return actual !== null && actual !== '';
  if (actual === null) return false;
  // Drupal hands the value to the entity query unconverted: booleans compare as 1/0, timestamps as seconds.
  const norm = (v: string) =>
    typeof actual === 'boolean' ? (v === '1' || v.toLowerCase() === 'true' ? 1 : 0) : typeof actual === 'number' ? Number(v) : v.toLowerCase();
  const a = typeof actual === 'boolean' ? (actual ? 1 : 0) : typeof actual === 'number' ? actual : actual.toLowerCase();
  const list = Array.isArray(value) ? value.map(norm) : [];
  const v = typeof value === 'string' ? norm(value) : undefined;
  switch (op) {
    case '=':
      return a === v;
    case '<>':
      return a !== v;
    case '>':
      return v !== undefined && a > v;
    case '>=':
      return v !== undefined && a >= v;
    case '<':
      return v !== undefined && a < v;
    case '<=':
      return v !== undefined && a <= v;
    case 'STARTS_WITH':
      return String(a).startsWith(String(v));
    case 'CONTAINS':
      return String(a).includes(String(v));
    case 'ENDS_WITH':
      return String(a).endsWith(String(v));
    case 'IN':
      return list.includes(a);
    case 'NOT IN':
      return !list.includes(a);
    case 'BETWEEN':
      return list.length === 2 && a >= list[0]! && a <= list[1]!;
    case 'NOT BETWEEN':
      return !(list.length === 2 && a >= list[0]! && a <= list[1]!);
    default:
      return false;
  }
}

function conditionMatches(u: SiteUser, c: Condition): boolean {
  const actual = FIELDS[c.path]!(u);
  if (Array.isArray(actual)) {
    // A multi-value field matches when any delta does (entity query semantics); NOT IN / <> when none does.
    if (c.operator === 'NOT IN' || c.operator === '<>') return actual.every((x) => scalarMatches(x, c.operator, c.value));
    if (c.operator === 'IS NULL') return actual.length === 0;
    if (c.operator === 'IS NOT NULL') return actual.length > 0;
    return actual.some((x) => scalarMatches(x, c.operator, c.value));
  }
  return scalarMatches(actual, c.operator, c.value);
}

/** Evaluates the filter tree: root is AND; each group combines its members with its conjunction. */
export function matches(u: SiteUser, f: Filter, group: string | undefined = undefined): boolean {
  const conjunction = group === undefined ? 'AND' : f.groups.get(group)!.conjunction;
  const results: boolean[] = [];
  for (const c of f.conditions) if (c.memberOf === group) results.push(conditionMatches(u, c));
  for (const [key, g] of f.groups) if (g.memberOf === group) results.push(matches(u, f, key));
  if (results.length === 0) return true;
  return conjunction === 'AND' ? results.every(Boolean) : results.some(Boolean);
}

export function filterPaths(f: Filter): string[] {
  for (const c of f.conditions)
    if (c.memberOf !== undefined && !f.groups.has(c.memberOf)) throw new QueryError(`The filter group \`${c.memberOf}\` does not exist.`);
  return f.conditions.map((c) => c.path);
}

export interface SortField {
  path: string;
  descending: boolean;
}

/** `sort=changed,-drupal_internal__uid`; the long `sort[k][path]` form too. */
export function parseSort(raw: Nested | undefined): SortField[] {
  if (raw === undefined) return [];
  const items: SortField[] = [];
  if (typeof raw === 'string') {
    for (const part of raw.split(',')) {
      const p = part.trim();
      if (p === '') throw new QueryError('You need to provide a value for the sort parameter.');
      items.push({ path: p.replace(/^-/, ''), descending: p.startsWith('-') });
    }
  } else if (!Array.isArray(raw)) {
    for (const v of Object.values(raw)) {
      if (typeof v !== 'object' || Array.isArray(v) || typeof v.path !== 'string')
        throw new QueryError('You need to provide a field name for the sort parameter.');
      items.push({ path: v.path, descending: String(v.direction ?? 'ASC').toUpperCase() === 'DESC' });
    }
  }
  for (const s of items) {
    if (!(s.path in FIELDS) || s.path.startsWith('roles'))
      throw new QueryError(`Invalid nested sorting. The field \`${s.path}\`, given in the path \`${s.path}\`, does not exist.`);
  }
  return items;
}

export function comparator(sort: SortField[]): (a: SiteUser, b: SiteUser) => number {
  // Without a sort Drupal's SQL returns rows in base-table (uid) order.
  const fields = sort.length > 0 ? sort : [{ path: 'drupal_internal__uid', descending: false }];
  return (a, b) => {
    for (const s of fields) {
      const x = FIELDS[s.path]!(a) as string | number;
      const y = FIELDS[s.path]!(b) as string | number;
      if (x === y) continue;
      const r = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      return s.descending ? -r : r;
    }
    return a.uid - b.uid;
  };
}

/** OffsetPage::SIZE_MAX */
export const PAGE_MAX = 50;

export function parsePage(raw: Nested | undefined): { offset: number; limit: number } {
  if (raw === undefined) return { offset: 0, limit: PAGE_MAX };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new QueryError('The page parameter needs to be an array.');
  const offset = raw.offset === undefined ? 0 : Number(raw.offset);
  const limit = raw.limit === undefined ? PAGE_MAX : Number(raw.limit);
  if (!Number.isInteger(offset) || offset < 0) throw new QueryError('The page offset needs to be a non-negative integer.');
  if (!Number.isInteger(limit) || limit < 1) throw new QueryError('The page limit needs to be a positive integer.');
  return { offset, limit: Math.min(limit, PAGE_MAX) };
}
