/**
 * The hash of a mapped payload, stored with the link after each successful push: an update whose
 * new payload hashes the same is skipped without a request (DESIGN.md "Read before write").
 */
import { isObject, type Json } from '../../scim/schema/normalize';

/** JSON with object keys sorted at every depth; arrays keep their order (it can be meaningful). */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (WebCrypto, as in Workers) of the canonical JSON, lower-case hex. */
export async function payloadHash(payload: Json): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(payload)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
