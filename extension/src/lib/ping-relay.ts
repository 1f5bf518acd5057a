import type { PingResult } from './messages';

export interface PingRelayDeps {
  fetch: typeof fetch;
  timeoutMs?: number;
}

/** `GET {relayUrl}/api/v1/ping` with the admin token; any answer but a 2xx is a failure. */
export async function pingRelay(relayUrl: string, token: string, { fetch, timeoutMs = 10_000 }: PingRelayDeps): Promise<PingResult> {
  let response: Response;
  try {
    response = await fetch(`${relayUrl}/api/v1/ping`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (err) {
    return { ok: false, error: describeFetchError(err, timeoutMs) };
  }
  if (response.ok) return { ok: true, status: response.status };
  return { ok: false, status: response.status, error: describeStatus(response.status) };
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && err.name === 'TimeoutError') {
    return `The relay did not answer within ${timeoutMs / 1000} s.`;
  }
  return 'The relay could not be reached (network error, bad address or blocked request).';
}

function describeStatus(status: number): string {
  if (status === 401) return 'The relay refused the token (401).';
  if (status === 403) return 'The token lacks the admin scope (403).';
  if (status === 404) return 'No relay API at this address (404).';
  return `The relay answered HTTP ${status}.`;
}
