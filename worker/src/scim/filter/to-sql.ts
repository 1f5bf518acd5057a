/**
 * Filters compile to SQL over indexes, never to an in-memory scan (DESIGN.md). Each attribute's
 * storage hint in the registry says where it lives:
 *  - a column of the resource's table (case-folded `*_lower` columns when caseExact is false),
 *  - rows of user_values (one per element of emails, phoneNumbers, …),
 *  - group_members (Group.members, and User.groups from the other side),
 *  - otherwise the JSON body via json_extract / json_each.
 * Values are always bound, never spliced. Case-insensitive prefixes use an index range rather
 * than LIKE (D1 caps LIKE patterns at 50 bytes and LIKE would not use the index).
 */
import { badRequest, ScimError } from '../errors';
import { resolvePath, leafOf, type ResolvedAttr } from '../schema/registry';
import type { AttributeDef, ResourceTypeDef } from '../schema/types';
import type { AttrPath, CompareOp, Filter, FilterValue } from './ast';
import type { SqlFragment } from '../../directory/types';

/** An expression for one attribute, and how to compare it. */
export interface Operand {
  sql: string;
  def: AttributeDef;
  /** the SQL already holds a case-folded value */
  folded: boolean;
  /** an indexed column: prefix search may use a range */
  indexed: boolean;
}

/** How to reach the sub-attributes of one element of a multi-valued attribute. */
interface ElementScope {
  /** wraps a condition on one element into an EXISTS over the resource's elements */
  exists(cond: SqlFragment): SqlFragment;
  operand(sub: AttributeDef | undefined): Operand;
}

const MAX_PARAMS = 90;

/**
 * D1 builds SQLite with SQLITE_MAX_EXPR_DEPTH = 100 ("Expression tree is too large (maximum
 * depth 100)"), and a subquery's WHERE counts toward the expression that holds it. The compiler
 * keeps an upper bound of the depth it emits and refuses above this budget with invalidFilter,
 * leaving room for what the list query wraps around the filter (the cursor's keyset condition).
 */
export const MAX_SQL_DEPTH = 90;
/** The deepest single comparison emitted by condition(): `(length(?) = 0 OR substr(lower(json_extract(…)), -length(?)) = ?)`. */
const CONDITION_DEPTH = 7;
/** `pk IN (SELECT … WHERE v.attr = ? AND cond)`: the IN, the subquery, its AND. */
const SUBQUERY_DEPTH = 3;

interface Compiled extends SqlFragment {
  /** an upper bound of the SQL expression tree's depth */
  depth: number;
}

export function compileFilter(rt: ResourceTypeDef, filter: Filter): SqlFragment {
  const out = compile(rt, filter);
  if (out.params.length > MAX_PARAMS) throw badRequest('tooMany', 'The filter is too complex: split it into several requests.');
  if (out.depth > MAX_SQL_DEPTH)
    throw badRequest('invalidFilter', 'The filter nests too deeply: flatten its parentheses and "not"s or split it into several requests.');
  return { sql: out.sql, params: out.params };
}

/**
 * `a or b or c …` parses left-deep, which SQLite would keep as a tree as deep as the chain is
 * long: 98 `userName pr or …` terms passed D1's depth limit. The chain's operands are collected
 * (iteratively, as the parser nests them) and joined as a shallow tree instead, in their order:
 * always the neighbouring pair that is shallowest, so a long flat chain costs log2(n) levels and
 * one deeply nested operand costs one level more than itself.
 */
function chainOperands(f: Filter & { kind: 'and' | 'or' }): Filter[] {
  const out: Filter[] = [];
  const todo: Filter[] = [f];
  while (todo.length > 0) {
    const g = todo.pop()!;
    if (g.kind === f.kind) todo.push(g.right, g.left);
    else out.push(g);
  }
  return out;
}

function joinShallowestFirst(op: 'AND' | 'OR', parts: Compiled[]): Compiled {
  const row = [...parts];
  while (row.length > 1) {
    let at = 0;
    for (let i = 1; i < row.length - 1; i++) {
      if (Math.max(row[i]!.depth, row[i + 1]!.depth) < Math.max(row[at]!.depth, row[at + 1]!.depth)) at = i;
    }
    const [a, b] = row.slice(at, at + 2) as [Compiled, Compiled];
    row.splice(at, 2, { sql: `(${a.sql} ${op} ${b.sql})`, params: [...a.params, ...b.params], depth: Math.max(a.depth, b.depth) + 1 });
  }
  return row[0]!;
}

function compile(rt: ResourceTypeDef, f: Filter): Compiled {
  switch (f.kind) {
    case 'and':
    case 'or':
      return joinShallowestFirst(
        f.kind === 'and' ? 'AND' : 'OR',
        chainOperands(f).map((g) => compile(rt, g)),
      );
    case 'not': {
      const inner = compile(rt, f.filter);
      return { sql: `(NOT ${inner.sql})`, params: inner.params, depth: inner.depth + 1 };
    }
    case 'valuePath': {
      const resolved = resolve(rt, f.path);
      if (!resolved.def.multiValued || resolved.def.type !== 'complex' || resolved.sub) {
        throw badRequest('invalidFilter', `"${pathText(f.path)}[…]" needs a multi-valued complex attribute.`);
      }
      const scope = elementScope(rt, resolved);
      const inner = compileElement(resolved.def, scope, f.filter);
      return { ...scope.exists(inner), depth: inner.depth + SUBQUERY_DEPTH };
    }
    case 'present':
    case 'compare': {
      const resolved = resolve(rt, f.path);
      if (resolved.def.multiValued) {
        const scope = elementScope(rt, resolved);
        const subName = resolved.sub?.name ?? (resolved.def.type === 'complex' ? 'value' : undefined);
        const inner: Filter = subName ? { ...f, path: { attr: subName } } : f;
        const cond = compileElement(resolved.def, scope, inner);
        return { ...scope.exists(cond), depth: cond.depth + SUBQUERY_DEPTH };
      }
      return { ...condition(f, singleOperand(rt, complexValue(rt, resolved))), depth: CONDITION_DEPTH };
    }
  }
}

/**
 * Quirk `complexValueCompare`: Entra ID filters `manager eq "<id>"` on the single-valued complex
 * `manager` (Microsoft's SCIM reference collection); like a multi-valued complex attribute
 * without a sub-attribute (RFC 7644 §3.4.2.2), it compares the `value` sub-attribute.
 */
function complexValue(rt: ResourceTypeDef, r: ResolvedAttr): ResolvedAttr {
  if (r.def.type !== 'complex' || r.sub) return r;
  const value = r.def.subAttributes?.find((s) => s.name === 'value');
  return value ? { ...r, sub: value } : r;
}

/**
 * A Group member filter of a PATCH remove (`members[type eq "User"]`, `members[value eq "a" or
 * value eq "b"]`, RFC 7644 §3.5.2.2) as SQL over the group's member rows `m`, so the removal is a
 * DELETE inside the write's own batch instead of a read of the members first (issue #11 item 5).
 * It must mean what the engine's in-memory match (filter/match.ts) means, so only `eq` / `ne` of a
 * string on `value` (member_id) or `type` (member_type, ASCII, which SQLite's lower() folds as the
 * engine does) compiles; anything else — `display` (which SQLite cannot fold beyond ASCII), other
 * operators, non-string values — is undefined, and the service reads the members and matches them
 * in code.
 */
export function compileMemberFilter(rt: ResourceTypeDef, def: AttributeDef, f: Filter): SqlFragment | undefined {
  if (!eqOfStrings(f)) return undefined;
  try {
    const { sql, params } = compileElement(def, elementScope(rt, { extension: undefined, def, sub: undefined }), f);
    return { sql, params };
  } catch (err) {
    if (err instanceof ScimError) return undefined;
    throw err;
  }
}

/** Every comparison is `eq` / `ne` of a string on a plain sub-attribute: every member row has a value and a type, so `ne` is the negation of `eq`. */
function eqOfStrings(f: Filter): boolean {
  switch (f.kind) {
    case 'and':
    case 'or':
      return chainOperands(f).every(eqOfStrings);
    case 'not':
      return eqOfStrings(f.filter);
    case 'compare':
      return (f.op === 'eq' || f.op === 'ne') && typeof f.value === 'string' && f.path.uri === undefined && f.path.sub === undefined;
    default:
      return false;
  }
}

/** Compiles a filter whose paths are sub-attributes of one element. */
function compileElement(def: AttributeDef, scope: ElementScope, f: Filter): Compiled {
  switch (f.kind) {
    case 'and':
    case 'or':
      return joinShallowestFirst(
        f.kind === 'and' ? 'AND' : 'OR',
        chainOperands(f).map((g) => compileElement(def, scope, g)),
      );
    case 'not': {
      const inner = compileElement(def, scope, f.filter);
      return { sql: `(NOT ${inner.sql})`, params: inner.params, depth: inner.depth + 1 };
    }
    case 'valuePath':
      throw badRequest('invalidFilter', 'Value paths cannot be nested.');
    case 'present':
    case 'compare': {
      const name = f.path.sub ?? f.path.attr;
      const sub = def.subAttributes ? def.subAttributes.find((s) => s.name.toLowerCase() === name.toLowerCase()) : undefined;
      if (def.subAttributes && !sub) throw badRequest('invalidFilter', `"${def.name}" has no sub-attribute "${name}".`);
      return { ...condition(f, scope.operand(sub)), depth: CONDITION_DEPTH };
    }
  }
}

function resolve(rt: ResourceTypeDef, path: AttrPath): ResolvedAttr {
  const r = resolvePath(rt, path);
  if (!r) throw badRequest('invalidFilter', `Unknown attribute "${pathText(path)}" on ${rt.name}.`);
  if (leafOf(r).returned === 'never') throw badRequest('invalidFilter', `"${pathText(path)}" cannot be used in a filter.`);
  return r;
}

export const pathText = (p: AttrPath) => `${p.uri ? `${p.uri}:` : ''}${p.attr}${p.sub ? `.${p.sub}` : ''}`;

function jsonPath(r: ResolvedAttr): string {
  const parts = [...(r.extension ? [`"${r.extension}"`] : []), r.def.name, ...(r.sub ? [r.sub.name] : [])];
  return `$.${parts.join('.')}`;
}

/** A single-valued attribute or a sub-attribute of a single-valued complex one. */
export function singleOperand(rt: ResourceTypeDef, r: ResolvedAttr): Operand {
  const leaf = leafOf(r);
  const table = rt.table;
  if (leaf.storage?.kind === 'column') {
    return { sql: `${table}.${leaf.storage.column}`, def: leaf, folded: leaf.storage.lower === true, indexed: true };
  }
  if (r.def.name === 'meta' && r.sub) {
    if (r.sub.name === 'resourceType') return { sql: `'${rt.name}'`, def: leaf, folded: false, indexed: false };
    if (r.sub.name === 'version') return { sql: `('W/"' || ${table}.version || '"')`, def: leaf, folded: false, indexed: false };
    throw badRequest('invalidFilter', `meta.${r.sub.name} cannot be used in a filter.`);
  }
  return { sql: `json_extract(${table}.data, '${jsonPath(r).replace(/'/g, "''")}')`, def: leaf, folded: false, indexed: false };
}

function elementScope(rt: ResourceTypeDef, r: ResolvedAttr): ElementScope {
  const storage = r.def.storage;
  const table = rt.table;
  // Mirrored rows are reached with an uncorrelated `pk IN (SELECT …)`: SQLite drives it from
  // the rows' own index (attr, value_lower) and then looks resources up by pk. A correlated
  // EXISTS would be evaluated once per resource, a scan of the whole table.
  const within = (key: string, from: string, fromParams: unknown[]) => (cond: SqlFragment) => ({
    sql: `${key} IN (SELECT ${from} AND ${cond.sql})`,
    params: [...fromParams, ...cond.params],
  });
  if (storage?.kind === 'values') {
    const columns: Record<string, Omit<Operand, 'def'>> = {
      value: { sql: 'v.value_lower', folded: true, indexed: true },
      type: { sql: 'v.type', folded: true, indexed: false },
      display: { sql: 'v.display', folded: false, indexed: false },
      primary: { sql: 'v."primary"', folded: false, indexed: false },
    };
    return {
      exists: within(`${table}.pk`, 'v.user_pk FROM user_values v WHERE v.attr = ?', [storage.attr]),
      operand: (sub) => {
        const c = sub && columns[sub.name];
        if (!sub || !c) throw badRequest('invalidFilter', `${r.def.name}.${sub?.name ?? '?'} cannot be used in a filter.`);
        // A caseExact value (photos.value is a URI) compares the raw column.
        return sub.caseExact && sub.name === 'value' ? { sql: 'v.value', def: sub, folded: false, indexed: false } : { ...c, def: sub };
      },
    };
  }
  if (storage?.kind === 'members' || storage?.kind === 'memberOf') {
    const isMembers = storage.kind === 'members';
    const exists = isMembers
      ? within(`${table}.pk`, 'm.group_pk FROM group_members m WHERE 1', [])
      : within(`${table}.id`, 'm.member_id FROM group_members m JOIN groups g ON g.pk = m.group_pk WHERE 1', []);
    const columns: Record<string, Omit<Operand, 'def'>> = isMembers
      ? { value: { sql: 'm.member_id', folded: false, indexed: true }, type: { sql: 'm.member_type', folded: false, indexed: false } }
      : {
          value: { sql: 'g.id', folded: false, indexed: true },
          display: { sql: 'g.display_name_lower', folded: true, indexed: false },
          type: { sql: "'direct'", folded: false, indexed: false },
        };
    return {
      exists,
      operand: (sub) => {
        const c = sub && columns[sub.name];
        if (!sub || !c) throw badRequest('invalidFilter', `${r.def.name}.${sub?.name ?? '?'} cannot be used in a filter.`);
        return { ...c, def: sub };
      },
    };
  }
  // Not mirrored: walk the JSON array in SQL.
  const arrayPath = `$.${[...(r.extension ? [`"${r.extension}"`] : []), r.def.name].join('.')}`;
  return {
    exists: (cond: SqlFragment) => ({
      sql: `EXISTS (SELECT 1 FROM json_each(${table}.data, '${arrayPath.replace(/'/g, "''")}') e WHERE ${cond.sql})`,
      params: cond.params,
    }),
    operand: (sub) =>
      sub
        ? { sql: `json_extract(e.value, '$.${sub.name}')`, def: sub, folded: false, indexed: false }
        : { sql: 'e.value', def: r.def, folded: false, indexed: false },
  };
}

function condition(f: Extract<Filter, { kind: 'compare' | 'present' }>, o: Operand): SqlFragment {
  if (f.kind === 'present' && o.def.type === 'complex') return { sql: `(${o.sql} IS NOT NULL)`, params: [] };
  if (f.kind === 'present') {
    const extra = o.def.type === 'string' || o.def.type === 'reference' ? ` AND ${o.sql} <> ''` : '';
    return { sql: `(${o.sql} IS NOT NULL${extra})`, params: [] };
  }
  const ci = !o.def.caseExact && (o.def.type === 'string' || o.def.type === 'reference');
  const expr = ci && !o.folded ? `lower(${o.sql})` : o.sql;
  if (f.value === null) {
    if (f.op === 'eq') return { sql: `(${o.sql} IS NULL)`, params: [] };
    if (f.op === 'ne') return { sql: `(${o.sql} IS NOT NULL)`, params: [] };
    throw badRequest('invalidFilter', `"${f.op}" cannot compare with null.`);
  }
  const value = coerce(o.def, f.op, f.value, ci);
  switch (f.op) {
    case 'eq':
      return { sql: `(${expr} = ?)`, params: [value] };
    case 'ne':
      return { sql: `(${expr} IS NULL OR ${expr} <> ?)`, params: [value] };
    case 'co':
      return { sql: `(instr(${expr}, ?) > 0)`, params: [value] };
    case 'sw':
      // An index range: `x >= 'ab' AND x < 'ab' || U+10FFFF` is the prefix, and uses the index.
      return o.indexed
        ? { sql: `(${expr} >= ? AND ${expr} < ?)`, params: [value, `${String(value)}\u{10FFFF}`] }
        : { sql: `(substr(${expr}, 1, length(?)) = ?)`, params: [value, value] };
    case 'ew':
      return { sql: `(length(?) = 0 OR substr(${expr}, -length(?)) = ?)`, params: [value, value, value] };
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      return { sql: `(${expr} ${{ gt: '>', ge: '>=', lt: '<', le: '<=' }[f.op]} ?)`, params: [value] };
  }
}

/** Checks a filter value against the attribute's type (RFC 7644 §3.4.2.2) and folds its case. */
function coerce(def: AttributeDef, op: CompareOp, v: Exclude<FilterValue, null>, ci: boolean): string | number {
  const bad = (why: string) => badRequest('invalidFilter', `"${def.name}" ${why}.`);
  switch (def.type) {
    case 'boolean': {
      const b = typeof v === 'string' && /^(true|false)$/i.test(v) ? v.toLowerCase() === 'true' : v;
      if (typeof b !== 'boolean') throw bad('is a boolean: compare it with true or false');
      if (op !== 'eq' && op !== 'ne') throw bad(`is a boolean: "${op}" does not apply`);
      return b ? 1 : 0;
    }
    case 'integer':
    case 'decimal': {
      const n = typeof v === 'number' ? v : Number(v);
      if (typeof v === 'boolean' || Number.isNaN(n)) throw bad('is a number');
      if (op === 'co' || op === 'sw' || op === 'ew') throw bad(`is a number: "${op}" does not apply`);
      return n;
    }
    case 'dateTime': {
      const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
      if (Number.isNaN(t)) throw bad('is a dateTime: compare it with an RFC 3339 timestamp');
      // Stored as toISOString(); compare in the same form so equal instants compare equal.
      return op === 'co' || op === 'sw' || op === 'ew' ? String(v) : new Date(t).toISOString();
    }
    case 'complex':
      throw bad('is complex: filter on one of its sub-attributes');
    default: {
      if (typeof v === 'boolean') throw bad('is a string: quote the value');
      const s = String(v);
      return ci ? s.toLowerCase() : s;
    }
  }
}
