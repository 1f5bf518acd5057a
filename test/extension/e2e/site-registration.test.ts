/**
 * Content scripts exist only for the sites the admin added: the background registers them at
 * run time from the stored site list and the granted host permissions, and the overlay stays
 * off on an origin that was not added, even on the same host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser.ts';
import { registeredMatches } from '../support/connect.ts';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.ts';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site.ts';
import { RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays.ts';

describe('Content scripts registered at run time for the added sites only', () => {
  let browser: ExtensionBrowser;
  let added: FixtureSite;
  let other: FixtureSite;
  let relays: RelayPair;
  let proxy: CountingProxy;

  beforeAll(async () => {
    [browser, added, other, relays] = await Promise.all([launchExtensionBrowser(), startFixtureSite(), startFixtureSite(), startRelayPair()]);
    proxy = await startCountingProxy(relays.a.url);
    await browser.background.evaluate(async (s) => chrome.storage.local.set(s), { relayUrl: proxy.url, relayToken: RELAY_A_TOKEN });
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), added?.close(), other?.close(), relays?.close(), proxy?.close()]);
  });

  /** What the options page does after the admin added a site and granted it: store it, then say `sites:changed`. */
  async function setSitesFromOptionsPage(sites: string[]): Promise<void> {
    const options = await browser.newPage();
    await options.goto(browser.extensionUrl('options.html'));
    await options.evaluate(async (list) => {
      await chrome.storage.local.set({ sites: list });
      await chrome.runtime.sendMessage({ type: 'sites:changed' });
    }, sites);
    await options.close();
  }

  async function overlayRows(origin: string): Promise<number> {
    const page = await browser.newPage();
    await page.goto(`${origin}/admin/people`);
    // Long enough for the content script, its message and the background's answer.
    await page.waitForTimeout(1500);
    const n = await page.locator('scim-relay-chips').count();
    await page.close();
    return n;
  }

  it('registers nothing before a site is added', async () => {
    await expect(registeredMatches(browser.background)).resolves.toEqual([]);
    expect(await overlayRows(added.origin)).toBe(0);
  });

  it('registers the content script when the options page adds a granted site, and the overlay appears there', async () => {
    await setSitesFromOptionsPage([added.origin]);
    await expect.poll(() => registeredMatches(browser.background)).toEqual(['http://127.0.0.1/*']);
    expect(await overlayRows(added.origin)).toBe(9);
  });

  it('keeps the overlay off on another origin of the same host, and never calls the relay for it', async () => {
    proxy.reset();
    expect(await overlayRows(other.origin)).toBe(0);
    expect(proxy.calls).toEqual([]);
  });

  it('unregisters when the site is removed', async () => {
    await setSitesFromOptionsPage([]);
    await expect.poll(() => registeredMatches(browser.background)).toEqual([]);
    expect(await overlayRows(added.origin)).toBe(0);
  });
});
