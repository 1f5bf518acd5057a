/** Conditional requests on resource versions (RFC 7644 §3.14, RFC 9110 §13.1). */
import { ScimError } from './errors';

/** The entity tags in an If-Match / If-None-Match header; weak and strong compare alike. */
function tags(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//i, '').replace(/^"|"$/g, ''))
    .filter(Boolean);
}

const matches = (header: string, version: number) => tags(header).some((t) => t === '*' || t === String(version));

/** Throws 412 when If-Match does not match, or If-None-Match does (for writes). */
export function checkPreconditions(headers: { ifMatch?: string; ifNoneMatch?: string }, version: number): void {
  if (headers.ifMatch !== undefined && !matches(headers.ifMatch, version)) {
    throw new ScimError(412, `The resource is at version W/"${version}", not the one in If-Match.`);
  }
  if (headers.ifNoneMatch !== undefined && matches(headers.ifNoneMatch, version)) {
    throw new ScimError(412, 'The resource matches If-None-Match.');
  }
}

/** GET: true when the client's copy is current (answer 304). */
export const isNotModified = (ifNoneMatch: string | undefined, version: number) => ifNoneMatch !== undefined && matches(ifNoneMatch, version);
