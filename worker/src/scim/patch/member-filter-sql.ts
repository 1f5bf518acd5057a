/**
 * A Group member filter of a PATCH remove (`members[type eq "User"]`, `members[value eq "a" or
 * value eq "b"]`, RFC 7644 §3.5.2.2) as SQL over the group's member rows, so the removal is a
 * DELETE inside the write's own batch instead of a read of the members first (issue #11 item 5).
 * It means what the engine's in-memory match (filter/match.ts, on `{value, type, display}`) means:
 * `value` is the row's member_id (caseExact), `type` its member_type ('User' or 'Group', ASCII,
 * so SQLite's lower() folds it as the engine does). Anything else — `display` (the member's name,
 * which SQLite cannot fold beyond ASCII), other operators, non-string values — is undefined, and
 * the service reads the members and matches them in code.
 */
import type { SqlFragment } from '../../directory/types';
import type { Filter } from '../filter/ast';
import { findAttribute } from '../schema/registry';
import type { AttributeDef } from '../schema/types';

/** The member row columns a filter may name, by sub-attribute. */
const COLUMNS: Record<string, string> = { value: 'member_id', type: 'member_type' };

export function memberFilterSql(def: AttributeDef, filter: Filter): SqlFragment | undefined {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = memberFilterSql(def, filter.left);
      const right = memberFilterSql(def, filter.right);
      return left && right ? { sql: `(${left.sql} ${filter.kind.toUpperCase()} ${right.sql})`, params: [...left.params, ...right.params] } : undefined;
    }
    case 'not': {
      const inner = memberFilterSql(def, filter.filter);
      return inner && { sql: `NOT ${inner.sql}`, params: inner.params };
    }
    case 'compare':
      return compareSql(def, filter);
    default:
      return undefined;
  }
}

/**
 * `eq` and `ne` of a string: every row has a value and a type, so `ne` is the negation of `eq`
 * (filter/match.ts: "ne holds when no value equals").
 */
function compareSql(def: AttributeDef, filter: Extract<Filter, { kind: 'compare' }>): SqlFragment | undefined {
  const { path, op, value } = filter;
  const sub = findAttribute(def.subAttributes, path.attr);
  const column = sub && COLUMNS[sub.name];
  if (!column || path.uri !== undefined || path.sub !== undefined || typeof value !== 'string' || (op !== 'eq' && op !== 'ne')) return undefined;
  const compared = sub.caseExact ? column : `lower(${column})`;
  return { sql: `(${compared} ${op === 'eq' ? '=' : '<>'} ?)`, params: [sub.caseExact ? value : value.toLowerCase()] };
}
