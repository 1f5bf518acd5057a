/**
 * The stored JSON's key order, kept in SQL. Bodies written in code are validated by the
 * registry's zod schema, which emits keys in the registry's order; json_patch appends a key it
 * adds. A merge planned as SQL (resources.ts mergeStatements) rebuilds the body in the registry's
 * order, so it stores, and answers with, the very text the engine would (issue #11 item 5).
 */
import { jsonPath } from './sql';
import type { KeyOrder } from './types';

/**
 * `expr` (a JSON body) with its keys in `order`: json_object lists every key in order, and
 * json_patch into `{}` drops the absent ones (RFC 7396: null removes). A single-valued complex
 * attribute is ordered inside; arrays are kept as stored, their elements written in order already.
 */
export function orderedJson(expr: string, order: readonly KeyOrder[]): string {
  return `json_patch('{}', ${objectOf(expr, [], order)})`;
}

function objectOf(expr: string, base: readonly string[], order: readonly KeyOrder[]): string {
  const fields = order.map(({ key, keys }) => {
    const at = [...base, key];
    const value = `${expr} -> '${jsonPath(at)}'`;
    return `'${key}', ${keys ? `CASE WHEN json_type(${expr}, '${jsonPath(at)}') = 'object' THEN ${objectOf(expr, at, keys)} ELSE ${value} END` : value}`;
  });
  return `json_object(${fields.join(', ')})`;
}
