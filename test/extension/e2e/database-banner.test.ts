/**
 * A nearly full database in the console and the popup, end to end: real Chromium with the built
 * extension and two real relays whose limits profile (RELAY_LIMITS) makes the size their D1
 * reports "filling" (past 80 % of the plan) or "full" (past 95 %). The console shows a warning
 * above every tab while the database fills and an error once it is full; the popup shows one
 * line once it is full.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { connectExtension } from '../support/connect';
import { openPopupFor } from '../support/popup';
import { RELAY_A_TOKEN, startRelay, type Relay } from '../support/relays';
import { screenshotPath } from '../support/screenshots.ts';

const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 5 * i + 1)).toString('base64');

/** A Free plan of 10 MB warned about from 0.1 % (10 KB): a new relay's database is filling, not full. */
const FILLING = JSON.stringify({ base: 'free', d1Bytes: 10_000_000, d1WarnFraction: 0.001 });
/** A Free plan of 4 KB: any relay's database is full. */
const FULL = JSON.stringify({ base: 'free', d1Bytes: 4096 });

describe('a nearly full database in the console and the popup', () => {
  let browser: ExtensionBrowser;
  let filling: Relay;
  let full: Relay;
  let page: Page;

  beforeAll(async () => {
    [browser, filling, full] = await Promise.all([
      launchExtensionBrowser(),
      startRelay(RELAY_A_TOKEN, KEY, { vars: { RELAY_LIMITS: FILLING } }),
      startRelay(RELAY_A_TOKEN, KEY, { vars: { RELAY_LIMITS: FULL } }),
    ]);
    page = await browser.newPage();
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), filling?.close(), full?.close()]);
  });

  const banner = () => page.locator('.db-banner');

  it('warns on every tab while the database fills: the sizes, what happens at the full threshold, what to do', async () => {
    await connectExtension(browser.background, { relayUrl: filling.url, relayToken: RELAY_A_TOKEN, sites: [] });
    await page.goto(browser.extensionUrl('options.html#targets'));
    const warning = page.getByRole('status', { name: 'Database size' });
    await expect
      .poll(() => warning.textContent(), { timeout: 15_000 })
      .toMatch(/^The relay's database is filling up\.The relay's database holds [\d.]+ MB of the 10 MB its free\+custom plan allows \(\d+ %\)\./);
    const text = (await warning.textContent())!;
    expect(text).toContain("From 9.5 MB (95 %) identity providers' creates and updates will be refused (SCIM 507) and imports will stop.");
    expect(text).toContain('delete or deprovision the users the relay no longer needs to hold, or move the relay to the Workers Paid plan (10,000 MB).');
    await expect(banner().getAttribute('data-level')).resolves.toBe('filling');
    await page.screenshot({ path: screenshotPath('console-database-filling.png') });

    // the same banner above another tab
    await page.getByRole('tab', { name: 'Sources' }).click();
    await expect.poll(() => page.getByRole('status', { name: 'Database size' }).count()).toBe(1);
    await expect(page.getByRole('alert', { name: 'Database size' }).count()).resolves.toBe(0);

    // filling is not full: the popup says nothing of it
    const popup = await openPopupFor(browser, page);
    await expect.poll(() => popup.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Connected');
    await expect(popup.locator('.db-banner').count()).resolves.toBe(0);
    await popup.close();
  });

  it('shows an error once identity providers’ writes are refused, and the popup says it in one line', async () => {
    await connectExtension(browser.background, { relayUrl: full.url, relayToken: RELAY_A_TOKEN, sites: [] });
    await page.goto(browser.extensionUrl('options.html#outbox'));
    const error = page.getByRole('alert', { name: 'Database size' });
    await expect
      .poll(() => error.textContent(), { timeout: 15_000 })
      .toMatch(/^The relay's database is full\.The relay's database holds [\d.]+ MB of the 0 MB its free\+custom plan allows: /);
    expect(await error.textContent()).toContain('refused (SCIM 507) and imports are stopped until there is room. To make room, delete or deprovision');
    await expect(banner().getAttribute('data-level')).resolves.toBe('full');

    // An import on the full relay (from the other relay as a SCIM source) stops before it writes;
    // the Sources tab says so beside the source.
    const source = await full.api('POST', '/sources', {
      name: 'Other relay',
      kind: 'scim',
      baseUrl: `${filling.url}/scim/v2`,
      credentials: { type: 'bearer', token: RELAY_A_TOKEN },
    });
    expect(source.status, source.text).toBe(201);
    const run = await full.api('POST', `/sources/${(source.body as { id: string }).id}/run`, { kind: 'full' });
    expect(run.body).toMatchObject({ status: 'stopped' });
    await page.getByRole('tab', { name: 'Sources' }).click();
    const row = page.getByRole('row', { name: /Other relay/ });
    await expect
      .poll(() => row.textContent(), { timeout: 15_000 })
      .toMatch(
        /\(stopped: the database is nearly full\) — Stopped: the relay's database is nearly full \([\d.]+ MB of 0 MB\) — 0 accounts imported by this run so far\./,
      );
    await expect(page.getByRole('alert', { name: 'Database size' }).count()).resolves.toBe(1);

    const popup = await openPopupFor(browser, page);
    const line = popup.getByRole('alert');
    await expect
      .poll(() => line.textContent(), { timeout: 15_000 })
      .toMatch(
        /^The relay's database is full \([\d.]+ MB of 0 MB\): users it does not hold yet can't be imported or added; provisioning those it holds still works\./,
      );
    await popup.close();
  });
});
