/**
 * Query parameters of a list or search (RFC 7644 §3.4.2, §3.4.3; cursors RFC 9865), from the
 * query string of a GET or the body of a POST /.search.
 */
import { badRequest, ScimError } from './errors';
import type { AttrPath, Filter } from './filter/ast';
import { parseFilter } from './filter/parse-filter';
import { parsePatchPath } from './filter/parse-path';
import { isObject } from './schema/normalize';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
export const MAX_FILTER_LENGTH = 4096;

export interface ListParams {
  filter?: Filter;
  filterText: string;
  sortBy?: AttrPath;
  sortByText: string;
  descending: boolean;
  startIndex: number;
  count: number;
  /** RFC 9865: present (possibly empty) when the client pages by cursor */
  cursor?: string;
  attributes?: string | string[];
  excludedAttributes?: string | string[];
}

type Raw = Record<string, unknown>;

export function listParamsFromQuery(query: (name: string) => string | undefined): ListParams {
  const raw: Raw = {};
  for (const k of ['filter', 'sortBy', 'sortOrder', 'startIndex', 'count', 'cursor', 'attributes', 'excludedAttributes']) {
    const v = query(k);
    if (v !== undefined) raw[k] = v;
  }
  return listParams(raw);
}

export function listParamsFromBody(body: unknown): ListParams {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'A SearchRequest must be a JSON object.');
  // Field names are case-insensitive like attribute names; accept `Filter`, `StartIndex`, ….
  const raw: Raw = {};
  for (const [k, v] of Object.entries(body)) {
    const key = ['filter', 'sortBy', 'sortOrder', 'startIndex', 'count', 'cursor', 'attributes', 'excludedAttributes'].find(
      (n) => n.toLowerCase() === k.toLowerCase(),
    );
    if (key && v !== null) raw[key] = v;
  }
  return listParams(raw);
}

/**
 * Every numeric parameter ends up bound into SQL (LIMIT / OFFSET), where SQLite takes a 64-bit
 * integer and answers SQLITE_MISMATCH for anything else: `99999999999999999999` or `1e308` are
 * integers to JavaScript but reals to SQLite. Values are clamped into ±MAX_INTEGER_PARAM — far
 * beyond any directory, so `startIndex` past the end still means "an empty page" (RFC 7644
 * §3.4.2.4) — and anything that is not an integer (`2^64`, `1.5`, `"ten"`) is invalidValue.
 */
export const MAX_INTEGER_PARAM = 2 ** 31 - 1;

function integer(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*[-+]?\d+\s*$/.test(raw) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(n)) throw badRequest('invalidValue', `${name} must be an integer.`);
  return Math.max(-MAX_INTEGER_PARAM, Math.min(MAX_INTEGER_PARAM, n));
}

function list(raw: unknown, name: string): string | string[] | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw) && raw.every((s) => typeof s === 'string')) return raw as string[];
  throw badRequest('invalidValue', `${name} must be a comma-separated string or an array of strings.`);
}

function listParams(raw: Raw): ListParams {
  const filterText = raw.filter === undefined ? '' : String(raw.filter);
  if (filterText.length > MAX_FILTER_LENGTH) throw badRequest('invalidFilter', `The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  const filter = filterText.trim() === '' ? undefined : parseFilter(filterText);
  const sortByText = raw.sortBy === undefined ? '' : String(raw.sortBy).trim();
  const sortBy = sortByText ? parsePatchPath(sortByText).path : undefined;
  const order = raw.sortOrder === undefined ? 'ascending' : String(raw.sortOrder).trim().toLowerCase();
  if (order !== 'ascending' && order !== 'descending') throw badRequest('invalidValue', 'sortOrder must be "ascending" or "descending".');
  // RFC 7644 §3.4.2.4: startIndex < 1 is taken as 1; a negative count as 0; a count above the
  // maximum as the maximum.
  const startIndex = Math.max(1, integer(raw.startIndex, 'startIndex') ?? 1);
  const requested = integer(raw.count, 'count');
  const count = Math.min(MAX_PAGE_SIZE, Math.max(0, requested ?? DEFAULT_PAGE_SIZE));
  const cursor = raw.cursor === undefined ? undefined : String(raw.cursor);
  if (cursor !== undefined && raw.startIndex !== undefined) {
    throw new ScimError(400, 'Use either cursor or startIndex paging, not both (RFC 9865 §2).', 'invalidValue');
  }
  return {
    filter,
    filterText,
    sortBy,
    sortByText,
    descending: order === 'descending',
    startIndex,
    count,
    cursor,
    attributes: list(raw.attributes, 'attributes'),
    excludedAttributes: list(raw.excludedAttributes, 'excludedAttributes'),
  };
}
