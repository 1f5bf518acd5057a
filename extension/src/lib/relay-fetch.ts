/**
 * One request to the relay's admin API with the admin token, as both the console proxy and the
 * overlay's client send it: JSON, no cookies, no cache, no redirects (a redirect would carry the
 * token elsewhere), a time limit. A network failure or timeout comes back as the sentence the
 * admin sees, not as an exception.
 */
export async function fetchRelay(
  fetch: typeof globalThis.fetch,
  url: string | URL,
  { method, token, body, timeoutMs }: { method: string; token: string; body?: unknown; timeoutMs: number },
): Promise<{ response: Response } | { unreachable: string }> {
  try {
    const response = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
    return { response };
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    return {
      unreachable: timedOut
        ? `The relay did not answer within ${timeoutMs / 1000} s.`
        : 'The relay could not be reached (is it running, and is the address right?).',
    };
  }
}
