/**
 * The People overlay end to end: real Chromium with the built extension, the real Drupal 10.2
 * People page served under /admin/people, relay A (the extension's relay) with two targets —
 * relay B and a SCIM app that rejects one user — and the extension connected as an admin would.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultTarget, type FaultTarget } from '../../support/fault-target/server';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { connectExtension, setRelayToken, setRelayUrl } from '../support/connect';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { ROOT } from '../support/extension-build';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site';
import { createScimUser, findScimUser, RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays';

const FAULT_TOKEN = 'people-overlay-fault-token-0123456789';
const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');

describe('People list overlay (Drupal 10.2 capture, Claro)', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;
  let proxy: CountingProxy;
  let flaky: FaultTarget;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    [browser, site, relays, flaky] = await Promise.all([launchExtensionBrowser(), startFixtureSite(), startRelayPair(), startFaultTarget(FAULT_TOKEN)]);
    proxy = await startCountingProxy(relays.a.url);
    const app = await relays.a.api('POST', '/targets', { name: 'Flaky app', baseUrl: `${flaky.url}/t/people/scim/v2`, token: FAULT_TOKEN });
    expect(app.status, app.text).toBe(201);
    // The app refuses frank.miller for good: a permanent, visible failure with its reason.
    const fault = await fetch(`${flaky.url}/t/people/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          match: { method: 'POST', path: '/scim/v2/Users', bodyIncludes: '"userName":"frank.miller"' },
          times: 100,
          respond: { status: 400, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidValue', detail: 'department is required' } },
        },
      ]),
    });
    expect(fault.status).toBe(200);
    // Relay A knows six of the nine Drupal accounts (by userName: the site is not a source here).
    for (const name of ['heidi.wilson', 'grace.lee', 'frank.miller', 'erin.davis', 'carol.white', 'bob.smith']) ids[name] = await createScimUser(relays.a, name);
    for (const name of ['heidi.wilson', 'frank.miller']) {
      const res = await relays.a.api('POST', `/users/${ids[name]}/provision`, {});
      expect(res.status, res.text).toBe(200);
    }
    await connectExtension(browser.background, { relayUrl: proxy.url, relayToken: RELAY_A_TOKEN, sites: [site.origin] });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close(), proxy?.close(), flaky?.close()]);
  });

  const rowOf = (page: Page, name: string) => page.locator('table.views-table tbody tr', { has: page.locator(`a.username:text-is("${name}")`) });
  const chipsOf = (page: Page, name: string) => rowOf(page, name).locator('scim-relay-chips .chip');

  async function openPeople(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/admin/people`);
    await page.locator('scim-relay-chips[data-scim-state="loading"]').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
    await expect.poll(() => page.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(9);
    return page;
  }

  it('shows a chip per target on every row, from one batched lookup', async () => {
    proxy.reset();
    const page = await openPeople();
    const heidi = await chipsOf(page, 'heidi.wilson').evaluateAll((els) => els.map((e) => e.firstChild?.textContent));
    expect(heidi).toEqual(['Relay B: in sync', 'Flaky app: in sync']);
    const frank = await chipsOf(page, 'frank.miller').evaluateAll((els) => els.map((e) => e.firstChild?.textContent));
    expect(frank).toEqual(['Relay B: in sync', 'Flaky app: failed']);
    const grace = await chipsOf(page, 'grace.lee').evaluateAll((els) => els.map((e) => e.firstChild?.textContent));
    expect(grace).toEqual(['Relay B: not linked', 'Flaky app: not linked']);
    // dave.brown (uid 5) is not in the relay at all.
    await expect(chipsOf(page, 'dave.brown').first().evaluate((e) => e.firstChild?.textContent)).resolves.toBe('not in relay');
    expect(proxy.count('POST /api/v1/users/lookup')).toBe(1);
    expect(proxy.calls).toHaveLength(1);
    await page.close();
  });
});
