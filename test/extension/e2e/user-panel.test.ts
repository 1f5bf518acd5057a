/**
 * The user panel end to end: the real Drupal 10.2 edit form of alice.johnson (/user/2/edit) and
 * Claro's profile page (/user/5), relay A with relay B as its target, the extension connected.
 * The site is neither a source nor a target, so the panel finds the relay user by the page's name
 * and email only once the admin presses "Match by name/email". The panel's shadow root is closed:
 * the test reads it through the DevTools protocol (support/closed-shadow.ts).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { probeShadows, type ShadowProbe } from '../support/closed-shadow';
import { connectExtension } from '../support/connect';
import { screenshotPath } from '../support/screenshots.ts';
import { fixture, startFixtureSite, type FixtureSite } from '../support/fixture-site';
import { createScimUser, findScimUser, RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays';

describe('User panel (Drupal 10.2 edit form, Claro profile)', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;
  let aliceId: string;

  beforeAll(async () => {
    [browser, site, relays] = await Promise.all([launchExtensionBrowser(), startFixtureSite(), startRelayPair()]);
    aliceId = await createScimUser(relays.a, 'alice.johnson', { emails: [{ value: 'alice.johnson@example.com', type: 'work', primary: true }] });
    const res = await relays.a.api('POST', `/users/${aliceId}/provision`, {});
    expect(res.status, res.text).toBe(200);
    await connectExtension(browser.background, { relayUrl: relays.a.url, relayToken: RELAY_A_TOKEN, sites: [site.origin] });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close()]);
  });

  const PANEL = 'scim-relay-panel';

  async function open(pathname: string): Promise<{ page: Page; shadow: ShadowProbe }> {
    const page = await browser.newPage();
    await page.goto(`${site.origin}${pathname}`);
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    return { page, shadow: await probeShadows(page) };
  }

  /** Presses "Match by name/email" as the admin would, and waits for the panel to show what it found. */
  async function matchByName(shadow: ShadowProbe): Promise<void> {
    await shadow.click(PANEL, '[data-scim-unmatched] button');
    await expect.poll(() => shadow.texts(PANEL, '[data-scim-unmatched]'), { timeout: 15_000 }).toEqual([]);
  }

  const stateOf = (shadow: ShadowProbe, target: string) =>
    shadow.inEach(PANEL, (root, _h, t: string) => root.querySelector(`tr[data-scim-target="${t}"]`)?.getAttribute('data-state') ?? null, target);

  it('shows the state per target, the last sync and the recent audit events of the user being edited', async () => {
    const { page, shadow } = await open('/user/2/edit');
    await expect(shadow.texts(PANEL, 'h2')).resolves.toEqual(['SCIM Relay: alice.johnson']);
    await matchByName(shadow);
    await expect(stateOf(shadow, 'Relay B')).resolves.toEqual(['in_sync']);
    const cells = await shadow.texts(PANEL, 'tr[data-scim-target="Relay B"] td');
    expect(cells[0]).toBe('in sync');
    expect(cells[1]).not.toBe('—');
    const events = await shadow.texts(PANEL, '[data-scim-events] li');
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatch(/create · (ok|success)/);
    // The panel sits above the form and leaves it working.
    await expect(page.locator('form#user-form input[name="mail"]').inputValue()).resolves.toBe('alice.johnson@example.com');
    await page.close();
  });

  it('"Provision now" shows the step trace of that provisioning', async () => {
    const { page, shadow } = await open('/user/2/edit');
    await matchByName(shadow);
    await shadow.click(PANEL, 'button.primary');
    await expect
      .poll(() => shadow.texts(PANEL, '[data-scim-trace] > li > strong'), { timeout: 15_000 })
      .toEqual([expect.stringMatching(/^Relay B: (none|skip|update|link)$/)]);
    await expect(shadow.texts(PANEL, '[data-scim-trace] li li')).resolves.toEqual(
      expect.arrayContaining([expect.stringMatching(/^action: /), expect.stringMatching(/^result: /)]),
    );
    await page.locator('scim-relay-panel').screenshot({ path: screenshotPath('user-panel.png') });
    // The trace outlives the page: it is stored by the background and shown on the next visit.
    await page.reload();
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor();
    const again = await probeShadows(page);
    await matchByName(again);
    await expect(again.inEach(PANEL, (root) => root.querySelectorAll('[data-scim-trace]').length)).resolves.toEqual([1]);
    await page.close();
  });

  it('after the edit form is saved, says the site is no source (nothing to re-import) instead of failing silently', async () => {
    const { page } = await open('/user/2/edit');
    await Promise.all([page.waitForURL(`${site.origin}/user/2/edit`), page.locator('#edit-submit').click()]);
    expect(site.requests.some((r) => r.method === 'POST' && r.path === '/user/2/edit' && r.body.includes('user_form'))).toBe(true);
    const shadow = await probeShadows(page);
    await expect
      .poll(() => shadow.texts(PANEL, '[data-scim-saved]'), { timeout: 15_000 })
      .toEqual(['Saved. This site is not a source of the relay, so nothing was re-imported.']);
    await page.close();
  });

  it('answers the popup with the user the tab shows, read from the form', async () => {
    const { page } = await open('/user/2/edit');
    await page.locator('input[name="mail"]').fill('alice@new.example');
    const answer = await browser.background.evaluate(async (url) => {
      // The newest tab on that page: the one this test opened.
      const tabs = (await chrome.tabs.query({ url })) as { id: number }[];
      const newest = tabs.sort((a, b) => b.id - a.id)[0]!;
      return chrome.tabs.sendMessage(newest.id, { type: 'page:current-user' });
    }, `${site.origin}/user/2/edit`);
    expect(answer).toEqual({
      site: site.origin,
      cms: 'drupal',
      uid: '2',
      name: 'alice.johnson',
      mail: 'alice@new.example',
      status: 'active',
      displayName: 'alice.johnson',
    });
    await page.close();
  });

  it('on a profile of an account the relay does not have, says so and offers nothing to provision', async () => {
    const { page, shadow } = await open('/user/5');
    await matchByName(shadow);
    await expect(shadow.texts(PANEL, '[data-scim-unknown]')).resolves.toEqual([expect.stringMatching(/^The relay has no user for this account\./)]);
    await expect(shadow.inEach(PANEL, (root) => root.querySelector<HTMLButtonElement>('button.primary')!.disabled)).resolves.toEqual([true]);
    expect(await findScimUser(relays.b, 'jane.doe')).toBeUndefined();
    await page.close();
  });

  it("on Olivero's profile page, sits in the main content column, not beside it", async () => {
    const page = await browser.newPage();
    // The capture's stylesheets are not served: Olivero's grid, as core/themes/olivero/css/layout
    // lays out its regions at desktop width, is given inline.
    await page.route('**/olivero/user/5', async (route) => {
      const html = fixture('drupal-olivero-user-view.html').replace(
        '</head>',
        `<style>
          .grid-full { display: grid; grid-template-columns: repeat(14, minmax(0, 1fr)); column-gap: 24px; }
          .layout--pass--content-medium > * { grid-column: 3 / 13; }
          body { margin: 0; }
        </style></head>`,
      );
      await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    });
    await page.goto(`${site.origin}/olivero/user/5`);
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    const placed = await page.evaluate(() => {
      const host = document.querySelector('scim-relay-panel')!;
      const box = (e: Element) => e.getBoundingClientRect().toJSON() as DOMRect;
      return {
        inMain: host.closest('main') !== null,
        host: box(host),
        column: box(document.querySelector('#block-olivero-content')!),
        title: box(document.querySelector('h1.page-title')!),
      };
    });
    expect(placed.inMain).toBe(true);
    // Within the content column's edges, and below the title.
    expect(placed.host.left).toBeGreaterThanOrEqual(placed.column.left - 1);
    expect(placed.host.right).toBeLessThanOrEqual(placed.column.right + 1);
    expect(placed.host.width).toBeGreaterThan(placed.column.width * 0.9);
    expect(placed.host.top).toBeGreaterThanOrEqual(placed.title.bottom);
    await page.close();
  });
});
