/**
 * One `attrPath` word (RFC 7644 §3.4.2.2 ABNF):
 *
 *   attrPath  = [URI ":"] ATTRNAME *1subAttr
 *   ATTRNAME  = ALPHA *(nameChar)         nameChar = "-" / "_" / DIGIT / ALPHA
 *   subAttr   = "." ATTRNAME
 *
 * The URI is everything before the last ':' — schema URNs contain ':' and '.' themselves
 * (`urn:…:enterprise:2.0:User:manager.value` → uri `urn:…:enterprise:2.0:User`, attr `manager`,
 * sub `value`), but attribute names never contain ':'.
 */
import type { AttrPath } from './ast';
import type { Fail } from './tokenize';

/** RFC 7643 §2.1 ATTRNAME, plus `$ref` (RFC 7643 §2.3.7 reference sub-attributes such as members.$ref). */
const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;
const URI_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:./;
/** A schema URN's second-to-last segment is usually its version: `…:enterprise:2.0:User`. */
const VERSION_SEGMENT = /^\d+(?:\.\d+)*$/;

export const isAttrName = (name: string): boolean => ATTR_NAME.test(name);

export interface AttrPathOptions {
  /**
   * PATCH only: accept a path that is a schema URN by itself (quirk `bareExtensionUrnPath`),
   * returned as `{ uri, attr: '' }`.
   */
  allowBareUri?: boolean;
  /** Known schema URNs; an exact (case-insensitive) match settles where the URI ends. */
  schemaUris?: readonly string[];
}

/** Parses `text`, found at offset `pos` of the whole input (for error positions). */
export function parseAttrPath(text: string, pos: number, fail: Fail, opts: AttrPathOptions = {}): AttrPath {
  const lower = text.toLowerCase();
  const known = longestKnownPrefix(lower, opts.schemaUris ?? []);
  if (known !== undefined && known.length === text.length) {
    if (!opts.allowBareUri) fail(`"${text}" is a schema URI, not an attribute`, pos);
    return { uri: text, attr: '' };
  }
  const colon = known !== undefined ? known.length : text.lastIndexOf(':');
  if (colon < 0) return parseNames(text, pos, fail);
  const uri = text.slice(0, colon);
  if (!URI_PREFIX.test(uri)) fail(`"${uri}" is not a schema URI`, pos);
  const rest = text.slice(colon + 1);
  if (rest === '') fail(`missing attribute name after the URI "${uri}"`, pos + colon + 1);
  if (opts.allowBareUri && known === undefined && isBareSchemaUri(uri, rest)) return { uri: text, attr: '' };
  return { uri, ...parseNames(rest, pos + colon + 1, fail) };
}

/**
 * Without a list of known URNs, `urn:…:enterprise:2.0:User` is told from `urn:…:2.0:User:manager`
 * by its shape: a schema URN ends in `<version>:<Name>`. Only PATCH paths need this; a filter
 * always names an attribute (RFC 7644 §3.4.2.2 attrPath requires ATTRNAME).
 */
function isBareSchemaUri(uri: string, rest: string): boolean {
  const lastSegment = uri.slice(uri.lastIndexOf(':') + 1);
  return VERSION_SEGMENT.test(lastSegment) && !rest.includes('.');
}

function longestKnownPrefix(lower: string, uris: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const u of uris) {
    const l = u.toLowerCase();
    const hit = lower === l || lower.startsWith(`${l}:`);
    if (hit && (best === undefined || u.length > best.length)) best = u;
  }
  return best;
}

function parseNames(text: string, pos: number, fail: Fail): { attr: string; sub?: string } {
  const dot = text.indexOf('.');
  const attr = dot < 0 ? text : text.slice(0, dot);
  if (!isAttrName(attr)) fail(`invalid attribute name "${attr}"`, pos);
  if (dot < 0) return { attr };
  const sub = text.slice(dot + 1);
  if (sub.includes('.')) fail(`"${text}" nests deeper than attribute.subAttribute`, pos);
  if (!isAttrName(sub)) fail(`invalid sub-attribute name "${sub}"`, pos + dot + 1);
  return { attr, sub };
}
