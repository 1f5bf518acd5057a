/**
 * What reading and writing mapping paths share: parsing (the PATCH path grammar, RFC 7644
 * §3.5.2, so an admin writes the same paths a SCIM client would), case-insensitive attribute
 * lookup (RFC 7643 §2.1) and where a URN-qualified path lives in a resource.
 */
import { ScimError } from '../../scim/errors';
import type { Filter, PatchPath } from '../../scim/filter/ast';
import type { MatchOptions } from '../../scim/filter/match';
import { parsePatchPath } from '../../scim/filter/parse-path';
import { SCIM_ENTERPRISE_USER_URN } from '../../scim/schema/enterprise-schema';
import { isObject, type Json, type JsonObject } from '../../scim/schema/normalize';
import { SCIM_USER_URN } from '../../scim/schema/user-schema';

export { SCIM_ENTERPRISE_USER_URN, SCIM_USER_URN };

/** A rule names a path the SCIM path grammar rejects; a configuration error, not a data error. */
export class MappingError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`The mapping path "${path}" is invalid: ${detail}`);
    this.name = 'MappingError';
  }
}

const KNOWN_URNS = [SCIM_USER_URN, SCIM_ENTERPRISE_USER_URN];

/**
 * Parsed paths by text. A mapping's few paths are applied to every user of a run, and parsing
 * them each time was most of a sync's CPU; the cache is bounded (a mapping has tens of paths),
 * so memory stays flat however many users and mappings go by. Parsed paths are never mutated.
 */
const parsedPaths = new Map<string, PatchPath>();
const PARSED_PATHS_MAX = 1000;

/** Parses a mapping path; throws MappingError. */
export function parseMappingPath(path: string): PatchPath {
  const cached = parsedPaths.get(path);
  if (cached) return cached;
  let parsed: PatchPath;
  try {
    parsed = parsePatchPath(path.trim(), { schemaUris: KNOWN_URNS });
  } catch (e) {
    if (e instanceof ScimError) throw new MappingError(path, e.message.replace(/^Invalid path: /, ''));
    throw e;
  }
  if (parsedPaths.size >= PARSED_PATHS_MAX) parsedPaths.clear();
  parsedPaths.set(path, parsed);
  return parsed;
}

/** Type and other sub-attribute values compare case-insensitively, as most servers do. */
export const CASE_IGNORED: MatchOptions = { isCaseExact: () => false };

export const isCoreUri = (uri: string | undefined): boolean => uri === undefined || uri.toLowerCase() === SCIM_USER_URN.toLowerCase();

/** The key of `name` in `obj` whatever its case (RFC 7643 §2.1), if present. */
export function keyOf(obj: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

export function lookup(obj: Json | undefined, name: string): Json | undefined {
  if (!isObject(obj)) return undefined;
  const key = keyOf(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** null, "" and [] are unassigned (RFC 7643 §2.5); a mapping treats them as missing. */
export function present(v: Json | undefined): Json | undefined {
  if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) return undefined;
  return v;
}

/**
 * Multi-valued core User attributes (RFC 7643 §4.1.2). `emails.value` on one of these means the
 * primary element's value (else the first element's), since there is no single `emails` object.
 */
export const MULTI_VALUED = new Set(['emails', 'phonenumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509certificates']);

/** `type eq "work" and primary eq true` → { type: "work", primary: true }: the element a filter describes. */
export function elementFromFilter(filter: Filter): JsonObject {
  if (filter.kind === 'and') return { ...elementFromFilter(filter.left), ...elementFromFilter(filter.right) };
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.value !== null && filter.path.sub === undefined) {
    return { [filter.path.attr]: filter.value };
  }
  return {};
}

const splitSources = new Map<string, readonly string[]>();

/** Splits a source expression `a | b | c` on "|" outside double-quoted filter values (cached like paths). */
export function splitAlternatives(expr: string): readonly string[] {
  let parts = splitSources.get(expr);
  if (!parts) {
    if (splitSources.size >= PARSED_PATHS_MAX) splitSources.clear();
    parts = splitUncached(expr);
    splitSources.set(expr, parts);
  }
  return parts;
}

function splitUncached(expr: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (quoted && ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === '|' && !quoted) {
      parts.push(expr.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expr.slice(start).trim());
  return parts;
}
