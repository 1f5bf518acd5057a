/**
 * The usual rig of the page-side e2e tests: Chromium with the built extension, the Drupal fixture
 * site and relays A and B, the extension connected to relay A with the site as its one site (so its
 * content scripts are registered there before a test opens a page).
 */
import { launchExtensionBrowser, type ExtensionBrowser } from './browser.ts';
import { connectExtension } from './connect.ts';
import { startFixtureSite, type FixtureSite } from './fixture-site.ts';
import { RELAY_A_TOKEN, startRelayPair, type RelayPair } from './relays.ts';

export interface ConnectedSite {
  browser: ExtensionBrowser;
  site: FixtureSite;
  relays: RelayPair;
}

export async function startConnectedSite(): Promise<ConnectedSite> {
  const [browser, site, relays] = await Promise.all([launchExtensionBrowser(), startFixtureSite(), startRelayPair()]);
  try {
    await connectExtension(browser.background, { relayUrl: relays.a.url, relayToken: RELAY_A_TOKEN, sites: [site.origin] });
  } catch (err) {
    // The caller never receives the parts, so its afterAll cannot close them.
    await Promise.all([browser.close(), site.close(), relays.close()]);
    throw err;
  }
  return { browser, site, relays };
}
