import { browser, type Browser } from 'wxt/browser';
import { consoleRequestSchema, type ConsoleRequest, type ConsoleResponse } from './console-api';
import { toOriginPattern } from './relay-url';
import { relayTokenItem, relayUrlItem } from './relay-settings';

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
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(hasBody ? { 'Content-Type': 'application/json' } : {}) },
      ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    return { kind: 'unreachable', error: timedOut ? `The relay did not answer within ${timeoutMs / 1000} s.` : 'The relay could not be reached (is it running, and is the address right?).' };
  }
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

const isFromExtensionPage = (sender: Browser.runtime.MessageSender) =>
  sender.id === browser.runtime.id && (sender.url?.startsWith(browser.runtime.getURL('/')) ?? false);

/**
 * Answers `console:api` messages from the extension's own pages (options, popup); anything else
 * is left to the other listeners. Content scripts cannot use it: their sender.url is the page's.
 */
export function registerConsoleProxy(): void {
  browser.runtime.onMessage.addListener((raw: unknown, sender, sendResponse) => {
    if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== 'console:api') return false;
    if (!isFromExtensionPage(sender)) return false;
    const parsed = consoleRequestSchema.safeParse(raw);
    if (!parsed.success) {
      sendResponse({ kind: 'unreachable', error: `Refused: ${parsed.error.issues[0]?.message ?? 'bad request'}.` } satisfies ConsoleResponse);
      return false;
    }
    void answer(parsed.data).then(sendResponse);
    // Keep the channel open for the async answer; Chrome ignores a returned promise.
    return true;
  });
}

async function answer(request: ConsoleRequest): Promise<ConsoleResponse> {
  try {
    const [relayUrl, token] = await Promise.all([relayUrlItem.getValue(), relayTokenItem.getValue()]);
    if (relayUrl && !(await browser.permissions.contains({ origins: [toOriginPattern(relayUrl)] }))) {
      return { kind: 'unreachable', error: 'Access to the relay address has not been granted: press Check connection under Connect.' };
    }
    return await proxyApiCall(request, { relayUrl, token, fetch: (...args) => fetch(...args) });
  } catch (err) {
    console.error('SCIM Relay: console call failed', request.method, request.path, err);
    return { kind: 'unreachable', error: 'The extension failed to make the call.' };
  }
}
