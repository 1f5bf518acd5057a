/** Conditional requests on resource versions (RFC 7644 §3.14, RFC 9110 §13.1). */
import type { SqlFragment } from '../directory/types';
import { ScimError } from './errors';

/** A request's conditional headers. */
export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

/** The entity tags in an If-Match / If-None-Match header; weak and strong compare alike. */
function tags(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//i, '').replace(/^"|"$/g, ''))
    .filter(Boolean);
}

const matches = (header: string, version: number) => tags(header).some((t) => t === '*' || t === String(version));

/** Throws 412 when If-Match does not match, or If-None-Match does (for writes). */
export function checkPreconditions(headers: Conditions, version: number): void {
  if (headers.ifMatch !== undefined && !matches(headers.ifMatch, version)) {
    throw new ScimError(412, `The resource is at version W/"${version}", not the one in If-Match.`);
  }
  if (headers.ifNoneMatch !== undefined && matches(headers.ifNoneMatch, version)) {
    throw new ScimError(412, 'The resource matches If-None-Match.');
  }
}

/** GET: true when the client's copy is current (answer 304). */
export const isNotModified = (ifNoneMatch: string | undefined, version: number) => ifNoneMatch !== undefined && matches(ifNoneMatch, version);

/** The versions a header names (tags that are not a version number never match one). */
function versionsOf(header: string): { any: boolean; versions: number[] } {
  const t = tags(header);
  return { any: t.includes('*'), versions: t.filter((x) => /^(0|[1-9]\d{0,14})$/.test(x)).map(Number) };
}

/**
 * The same preconditions as `checkPreconditions`, as SQL on the row's `version`, so a write
 * that reads nothing first (PUT, DELETE) checks them inside its own batch. The versions travel as
 * one JSON parameter, so a header of many tags cannot pass D1's 100 bound parameters.
 */
export function preconditionSql(headers: Conditions): SqlFragment | undefined {
  const parts: string[] = [];
  const params: unknown[] = [];
  const inList = (versions: number[]) => {
    params.push(JSON.stringify(versions));
    return 'version IN (SELECT value FROM json_each(?))';
  };
  if (headers.ifMatch !== undefined) {
    const m = versionsOf(headers.ifMatch);
    if (!m.any) parts.push(inList(m.versions));
  }
  if (headers.ifNoneMatch !== undefined) {
    const m = versionsOf(headers.ifNoneMatch);
    parts.push(m.any ? '0' : `NOT ${inList(m.versions)}`);
  }
  return parts.length > 0 ? { sql: parts.join(' AND '), params } : undefined;
}
