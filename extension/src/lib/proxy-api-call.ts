import type { ConsoleRequest, ConsoleResponse } from './console-api';
import { fetchRelay } from './relay-fetch';

export interface ProxyDeps {
  relayUrl: string;
  token: string;
  fetch: typeof fetch;
  timeoutMs?: number;
}

/**
 * Performs one admin API call for an extension page. The URL is built from the configured relay
 * and checked to stay under its /api/v1, so a page (or a compromised one) cannot send the token
 * anywhere else.
 */
export async function proxyApiCall(request: ConsoleRequest, { relayUrl, token, fetch, timeoutMs = 30_000 }: ProxyDeps): Promise<ConsoleResponse> {
  if (!relayUrl || !token) return { kind: 'unreachable', error: 'Not connected: set the relay URL and admin token under Connect.' };
  const base = new URL(`${relayUrl}/api/v1/`);
  const url = new URL(`${relayUrl}/api/v1${request.path}`);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname.slice(0, -1))) {
    return { kind: 'unreachable', error: 'Refused: the request leaves the relay’s /api/v1.' };
  }
  const hasBody = request.body !== undefined && request.method !== 'GET';
  const sent = await fetchRelay(fetch, url, { method: request.method, token, ...(hasBody ? { body: request.body } : {}), timeoutMs });
  if ('unreachable' in sent) return { kind: 'unreachable', error: sent.unreachable };
  const { response } = sent;
  const text = await response.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  return { kind: 'http', status: response.status, body };
}
