/**
 * The options console in the extension e2e tests: connected to relay A and opened on its Targets
 * tab, the "New target" form filled for relay B, and a table's rows as the admin reads them.
 */
import type { Locator, Page } from 'playwright-core';
import type { ExtensionBrowser } from './browser';
import { connectExtension } from './connect.ts';
import { RELAY_A_TOKEN, RELAY_B_TOKEN, type RelayPair } from './relays.ts';

/** Connects the extension to relay A (no sites) and opens the console's Targets tab in a new page. */
export async function openConsoleTargets(browser: ExtensionBrowser, relays: RelayPair): Promise<Page> {
  await connectExtension(browser.background, { relayUrl: relays.a.url, relayToken: RELAY_A_TOKEN, sites: [] });
  const page = await browser.newPage();
  await page.goto(browser.extensionUrl('options.html#targets'));
  return page;
}

/** Opens "New target" and fills it as a SCIM target on relay B named `name`, with `mode` switched on; saves nothing. */
export async function fillTargetToB(page: Page, relays: RelayPair, name: string, mode: 'Automatic' | 'Scheduled'): Promise<void> {
  await page.getByRole('button', { name: 'New target' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('SCIM base URL').fill(`${relays.b.url}/scim/v2`);
  await page.getByLabel('Bearer token').fill(RELAY_B_TOKEN);
  await page.locator('fieldset.mode', { hasText: mode }).getByRole('checkbox').first().check();
}

/** The text of each cell of each body row of a table. */
export function tableRows(table: Locator): Promise<(string | null)[][]> {
  return table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
}
