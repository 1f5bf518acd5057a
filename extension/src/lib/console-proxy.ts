import { browser } from 'wxt/browser';
import { consoleRequestSchema, type ConsoleRequest, type ConsoleResponse } from './console-api';
import { isFromExtensionPage } from './is-from-extension-page';
import { proxyApiCall } from './proxy-api-call';
import { storedRelayUrlRefusal, toOriginPattern } from './relay-url';
import { relayTokenItem, relayUrlItem } from './relay-settings';

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
    const refusal = storedRelayUrlRefusal(relayUrl);
    if (refusal) return { kind: 'unreachable', error: refusal };
    if (relayUrl && !(await browser.permissions.contains({ origins: [toOriginPattern(relayUrl)] }))) {
      return { kind: 'unreachable', error: 'Access to the relay address has not been granted: press Check connection under Connect.' };
    }
    return await proxyApiCall(request, { relayUrl, token, fetch: (...args) => fetch(...args) });
  } catch (err) {
    console.error('SCIM Relay: console call failed', request.method, request.path, err);
    return { kind: 'unreachable', error: 'The extension failed to make the call.' };
  }
}
