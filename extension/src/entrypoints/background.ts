import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { relayMessageSchema, type PingResult, type RelayMessage, type RelayResponses, type RelaySettingsView, type SaveResult } from '../lib/messages';
import { pingRelay } from '../lib/ping-relay';
import { checkRelayUrl, storedRelayUrlRefusal, toOriginPattern } from '../lib/relay-url';
import { relayTokenItem, relayUrlItem } from '../lib/relay-settings';
import { listenToPages } from '../background/page-listener';
import { watchSites } from '../background/site-scripts';
import { registerConsoleProxy } from '../lib/console-proxy';
import { isFromExtensionPage } from '../lib/is-from-extension-page';

export default defineBackground(() => {
  restrictStorageToExtensionPages();
  // Content scripts for the admin's sites, and their messages (extension/src/background/).
  watchSites();
  listenToPages();
  // The options console and the popup: admin API calls made here with the token.
  registerConsoleProxy();
  browser.runtime.onMessage.addListener((raw: unknown, sender, sendResponse) => {
    if (!isFromExtensionPage(sender)) return false;
    const parsed = relayMessageSchema.safeParse(raw);
    if (!parsed.success) return false;
    handleMessage(parsed.data).then(sendResponse, (err: unknown) => {
      console.error('SCIM Relay: message handler failed', parsed.data.type, err);
      sendResponse(undefined);
    });
    // Keep the channel open for the async answer; Chrome ignores a returned promise.
    return true;
  });
});

/**
 * storage.local is readable by content scripts by default, and the admin token lives there:
 * limit it to the extension's own pages and service worker, so a content script (or a
 * compromised renderer of an added site) can only use the narrow page messages. Chromium
 * supports this for `local`; Firefox only for `storage.session` and rejects it here — there
 * the token stays readable by our own content script (docs/extension.md says so).
 */
function restrictStorageToExtensionPages(): void {
  const local = browser.storage.local as { setAccessLevel?: (o: { accessLevel: 'TRUSTED_CONTEXTS' }) => Promise<void> };
  local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch((err: unknown) => {
    console.warn('SCIM Relay: storage.local cannot be limited to extension pages in this browser', String(err));
  });
}

async function handleMessage(message: RelayMessage): Promise<RelayResponses[RelayMessage['type']]> {
  switch (message.type) {
    case 'relay:ping':
      return ping();
    case 'relay:get-settings':
      return getSettings();
    case 'relay:save-settings':
      return saveSettings(message.relayUrl, message.relayToken);
  }
}

async function ping(): Promise<PingResult> {
  const [relayUrl, token] = await Promise.all([relayUrlItem.getValue(), relayTokenItem.getValue()]);
  if (!relayUrl || !token) return { ok: false, error: 'Set the relay URL and admin token in Options.' };
  const refusal = storedRelayUrlRefusal(relayUrl);
  if (refusal) return { ok: false, error: refusal };
  const granted = await browser.permissions.contains({ origins: [toOriginPattern(relayUrl)] });
  if (!granted) return { ok: false, error: 'Access to the relay address has not been granted.' };
  return pingRelay(relayUrl, token, { fetch: (...args) => fetch(...args) });
}

async function getSettings(): Promise<RelaySettingsView> {
  const [relayUrl, token] = await Promise.all([relayUrlItem.getValue(), relayTokenItem.getValue()]);
  return { relayUrl, hasToken: token !== '' };
}

async function saveSettings(rawUrl: string, rawToken: string): Promise<SaveResult> {
  const checked = checkRelayUrl(rawUrl);
  if (!checked.ok) return { ok: false, error: checked.error };
  const relayUrl = checked.url;
  const token = rawToken.trim();
  await relayUrlItem.setValue(relayUrl);
  if (token !== '') await relayTokenItem.setValue(token);
  return { ok: true };
}
