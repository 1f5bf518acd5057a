/**
 * The background's answer to the content scripts. A message is accepted only from a tab of a
 * site the admin added (extension/src/lib/sites.ts) and only after it parses; the token never
 * leaves the background, and every failure is answered with a named error the overlay shows.
 */
import { browser, type Browser } from 'wxt/browser';
import { pageMessageSchema, type PageError, type PageMessage, type PageResponses } from '../lib/page-messages';
import { createRelayClient, RelayError } from '../lib/relay-client';
import { relayTokenItem, relayUrlItem } from '../lib/relay-settings';
import { storedRelayUrlRefusal } from '../lib/relay-url';
import { sitesItem } from '../lib/sites';
import { createPageService } from './page-service';
import { createSavedForms } from './saved-forms';
import { storageTraceStore } from './trace-store';

export function listenToPages(): void {
  browser.runtime.onMessage.addListener((raw: unknown, sender, sendResponse) => {
    const parsed = pageMessageSchema.safeParse(raw);
    if (!parsed.success || !isFromContentScript(sender)) return false;
    answer(parsed.data, sender).then(sendResponse, (err: unknown) => {
      console.error('SCIM Relay: page message failed', parsed.data.type, err);
      sendResponse({ ok: false, code: 'http', error: 'The extension failed to handle this request.' } satisfies PageError);
    });
    // Keep the channel open for the async answer; Chrome ignores a returned promise.
    return true;
  });
}

function isFromContentScript(sender: Browser.runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id && sender.tab !== undefined && typeof sender.url === 'string' && !sender.url.startsWith(browser.runtime.getURL('/'));
}

async function answer(message: PageMessage, sender: Browser.runtime.MessageSender): Promise<PageResponses[PageMessage['type']]> {
  const [relayUrl, token, sites] = await Promise.all([relayUrlItem.getValue(), relayTokenItem.getValue(), sitesItem.getValue()]);
  const origin = new URL(sender.url!).origin;
  // The site a message speaks for must be the tab's own origin, and one the admin added.
  if (!sites.includes(origin) || new URL(message.site).origin !== origin) {
    return { ok: false, code: 'site_not_connected', error: 'This site is not one the extension was given access to.' };
  }
  const savedForms = createSavedForms();
  // The tab id comes from the browser, not the message: a page cannot speak for another tab.
  const tabId = sender.tab!.id ?? -1;
  if (message.type === 'page:user-submitted') {
    await savedForms.note(tabId, message.site, message.uid);
    return { ok: true };
  }
  if (message.type === 'page:save-pending') return { ok: true, pending: await savedForms.has(tabId, message.site, message.uid) };
  if (message.type === 'page:open-console') {
    // The console's Held tab, where held creations and deletions are approved.
    await browser.tabs.create({ url: browser.runtime.getURL('/options.html#held') });
    return { ok: true };
  }
  if (!relayUrl || !token) return { ok: false, code: 'not_configured', error: 'Set the relay URL and admin token in the extension options.' };
  const refusal = storedRelayUrlRefusal(relayUrl);
  if (refusal) return { ok: false, code: 'not_configured', error: refusal };
  const service = createPageService({ client: createRelayClient({ relayUrl, token, fetch: (...args) => fetch(...args) }), traces: storageTraceStore });
  try {
    switch (message.type) {
      case 'page:lookup':
        return await service.lookupPage(message.site, message.uids, message.hints);
      case 'page:provision':
        return await service.provision(message.site, message.uids, message.hints, message.targetIds);
      case 'page:user-status':
        return await service.userStatus(message.site, message.uid, message.hint);
      case 'page:resume-target':
        await service.resumeTarget(message.targetId);
        return { ok: true };
      case 'page:set-override':
        return await service.setOverride(message.site, message.uid, message.hint, message.targetId, message.override);
      case 'page:user-saved':
        if (!(await savedForms.take(tabId, message.site, message.uid))) return { ok: true, outcome: 'no_save', result: null };
        return await service.userSaved(message.site, message.uid);
    }
  } catch (err) {
    if (err instanceof RelayError) return { ok: false, code: err.code, error: err.message };
    throw err;
  }
}
