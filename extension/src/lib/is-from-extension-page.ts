import { browser, type Browser } from 'wxt/browser';

/**
 * A message from the extension's own pages (options, popup), never from a content script: a
 * content script's sender.url is the page's. Settings, the token and admin API calls answer only these.
 */
export function isFromExtensionPage(sender: Browser.runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id && (sender.url?.startsWith(browser.runtime.getURL('/')) ?? false);
}
