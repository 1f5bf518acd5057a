/**
 * Filters the client sends (RFC 7644 §3.4.2.2), built so a value can never change the filter's
 * shape: values are JSON strings (RFC 7644 §3.4.2.2 "compValue" uses JSON string syntax), so
 * quotes and backslashes are escaped the JSON way.
 */
import { isObject, type Json } from '../../scim/schema/normalize';
import { parseMappingPath } from '../mapping/path';

/**
 * `userName eq "bjensen"`; for a value-path matching attribute the comparison goes inside the
 * brackets so both hold for the same element: `emails[type eq "work"].value` →
 * `emails[type eq "work" and value eq "x"]`. Throws MappingError for a path that does not parse.
 */
export function buildFilter(path: string, value: Json): string {
  const literal = filterLiteral(value);
  const parsed = parseMappingPath(path);
  const trimmed = path.trim();
  if (parsed.filter === undefined) return `${trimmed} eq ${literal}`;
  const open = trimmed.indexOf('[');
  const close = trimmed.lastIndexOf(']');
  const inner = trimmed.slice(open + 1, close).trim();
  const selector = parsed.filter.kind === 'or' ? `(${inner})` : inner;
  return `${trimmed.slice(0, open)}[${selector} and ${parsed.subAttr ?? 'value'} eq ${literal}]`;
}

function filterLiteral(value: Json): string {
  // A whole element (`emails[type eq "work"]` read from a payload) compares by its "value".
  if (isObject(value) && value.value !== undefined) return filterLiteral(value.value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  throw new TypeError('A filter compares one scalar value, not an object or array.');
}
