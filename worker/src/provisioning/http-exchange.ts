/**
 * The part of one request to a target that does not depend on its protocol (SCIM or Drupal
 * JSON:API): send with a time limit that covers reading the body, never follow a redirect, read
 * at most a ceiling of the body (../outbound/read-limited.ts), and turn a network failure or
 * timeout into a Failure instead of throwing.
 */
import { bodyLimitFor, formatBytes, readLimited } from '../outbound/read-limited';
import type { Failure } from './failure';
import { classifyNetworkError } from './scim-client/classify';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Workers' global fetch must be called unbound from its object, hence the arrow. */
export const globalFetch: typeof fetch = (input, init) => fetch(input, init);

export async function exchange(
  doFetch: typeof fetch,
  url: string,
  { method, headers, body, timeoutMs }: { method: string; headers: Record<string, string>; body?: unknown; timeoutMs: number },
): Promise<{ ok: true; raw: RawResponse } | { ok: false; failure: Failure }> {
  // A timer cleared as soon as the body is read: AbortSignal.timeout() keeps its timer (and
  // its signal) alive for the whole timeout after the request is done, per request.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  try {
    const response = await doFetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // A redirect would carry the credentials to wherever Location points; the classifiers report it instead.
      redirect: 'manual',
      signal: controller.signal,
    });
    const read = await readLimited(response, bodyLimitFor(response.status));
    if (read.ok) return { ok: true, raw: { status: response.status, headers: response.headers, text: read.text } };
    // An error answer is classified by its status alone; a success too large to read is a failure.
    if (response.status < 200 || response.status > 299) return { ok: true, raw: { status: response.status, headers: response.headers, text: '' } };
    return { ok: false, failure: tooLarge(response.status, read.limitBytes) };
  } catch (err) {
    return { ok: false, failure: classifyNetworkError(err, timeoutMs) };
  } finally {
    clearTimeout(timer);
  }
}

/** Transient, as for a body that is not what was asked for: most likely a proxy answering for the target. */
function tooLarge(status: number, limitBytes: number): Failure {
  return {
    kind: 'transient',
    status,
    message: `The target answered ${status} with a body larger than ${formatBytes(limitBytes)}, more than the relay reads from one answer; a proxy or a wrong base URL may be answering for it.`,
  };
}
