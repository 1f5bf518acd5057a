/**
 * The part of one request to a target that does not depend on its protocol (SCIM or Drupal
 * JSON:API): send with a time limit that covers reading the body, never follow a redirect, and
 * turn a network failure or timeout into a Failure instead of throwing.
 */
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
    return { ok: true, raw: { status: response.status, headers: response.headers, text: await response.text() } };
  } catch (err) {
    return { ok: false, failure: classifyNetworkError(err, timeoutMs) };
  } finally {
    clearTimeout(timer);
  }
}
