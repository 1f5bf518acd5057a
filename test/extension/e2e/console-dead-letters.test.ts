/**
 * The console's dead letters, end to end: real Chromium with the built extension and a relay
 * whose work queue and dead-letter queue run in Miniflare (README "Queues"). A message the
 * consumer cannot run goes to the dead-letter queue, whose consumer records it; the Outbox tab
 * shows it with the error.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { connectExtension } from '../support/connect';
import { RELAY_A_TOKEN, startRelay, type Relay } from '../support/relays';

const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 7 * i)).toString('base64');

describe('options console: dead letters', () => {
  let browser: ExtensionBrowser;
  let relay: Relay;
  let page: Page;

  beforeAll(async () => {
    [browser, relay] = await Promise.all([launchExtensionBrowser(), startRelay(RELAY_A_TOKEN, KEY, { queues: true })]);
    await connectExtension(browser.background, { relayUrl: relay.url, relayToken: RELAY_A_TOKEN, sites: [] });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), relay?.close()]);
  });

  it('lists a message the consumer set aside, with the error, under the outbox', async () => {
    await page.goto(browser.extensionUrl('options.html#outbox'));
    await expect.poll(() => page.getByRole('region', { name: 'Dead letters' }).textContent()).toContain('No dead letters.');

    await relay.sendWork({ kind: 'not-a-kind' });
    await expect.poll(async () => (await relay.api('GET', '/outbox/dead-letters')).body.items.length, { timeout: 15_000 }).toBe(1);

    // The list loads with the tab: reopening it shows the new dead letter.
    await page.reload();
    const table = page.getByRole('table', { name: 'Dead letters' });
    await table.waitFor();
    await expect(table.textContent()).resolves.toContain('An unreadable message kept failing and was set aside');
  });
});
