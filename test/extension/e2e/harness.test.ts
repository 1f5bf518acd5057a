import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site';
import { createScimUser, findScimUser, startRelayPair, type RelayPair } from '../support/relays';

describe('the Chromium harness', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;

  beforeAll(async () => {
    [browser, site, relays] = await Promise.all([launchExtensionBrowser(), startFixtureSite(), startRelayPair()]);
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close()]);
  });

  it('loads the built extension with its background service worker', async () => {
    expect(browser.extensionId).toMatch(/^[a-p]{32}$/);
    const manifest = await browser.background.evaluate(() => chrome.runtime.getManifest());
    expect(manifest.manifest_version).toBe(3);
  });

  it('serves the captured People page under its Drupal path', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/admin/people`);
    await expect(page.locator('table.views-table tbody tr').count()).resolves.toBe(9);
    await page.close();
  });

  it('runs relay A with relay B as its target, both over real HTTP', async () => {
    const ping = await relays.a.api('GET', '/ping');
    expect(ping.status).toBe(200);
    const id = await createScimUser(relays.a, 'harness.check');
    const provisioned = await relays.a.api('POST', `/users/${id}/provision`, { targetIds: [relays.targetId] });
    expect(provisioned.status, provisioned.text).toBe(200);
    expect(provisioned.body.results[0].ok).toBe(true);
    expect((await findScimUser(relays.b, 'harness.check'))?.userName).toBe('harness.check');
  });
});
