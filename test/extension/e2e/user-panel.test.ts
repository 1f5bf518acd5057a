/**
 * The user panel end to end: the real Drupal 10.2 edit form of alice.johnson (/user/2/edit) and
 * Claro's profile page (/user/5), relay A with relay B as its target, the extension connected.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { connectExtension } from '../support/connect';
import { screenshotPath } from '../support/screenshots.ts';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site';
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

  async function open(pathname: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${site.origin}${pathname}`);
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    return page;
  }

  it('shows the state per target, the last sync and the recent audit events of the user being edited', async () => {
    const page = await open('/user/2/edit');
    const panel = page.locator('scim-relay-panel');
    await expect(panel.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('SCIM Relay: alice.johnson');
    const row = panel.locator('tr[data-scim-target="Relay B"]');
    await expect(row.getAttribute('data-state')).resolves.toBe('in_sync');
    await expect(row.locator('td').nth(0).textContent()).resolves.toBe('in sync');
    await expect(row.locator('td').nth(1).textContent()).resolves.not.toBe('—');
    await expect(panel.locator('[data-scim-events] li').count()).resolves.toBeGreaterThan(0);
    await expect(panel.locator('[data-scim-events] li').first().textContent()).resolves.toMatch(/create · (ok|success)/);
    // The panel sits above the form and leaves it working.
    await expect(page.locator('form#user-form input[name="mail"]').inputValue()).resolves.toBe('alice.johnson@example.com');
    await page.close();
  });

  it('"Provision now" shows the step trace of that provisioning', async () => {
    const page = await open('/user/2/edit');
    const panel = page.locator('scim-relay-panel');
    await panel.getByRole('button', { name: 'Provision now' }).click();
    const trace = panel.locator('[data-scim-trace]');
    await trace.waitFor({ timeout: 15_000 });
    await expect(trace.locator('> li > strong').first().textContent()).resolves.toMatch(/^Relay B: (none|skip|update|link)$/);
    await expect(trace.locator('li li').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringMatching(/^action: /), expect.stringMatching(/^result: /)]));
    await page.locator('scim-relay-panel').screenshot({ path: screenshotPath('user-panel.png') });
    // The trace outlives the page: it is stored by the background and shown on the next visit.
    await page.reload();
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor();
    await expect(page.locator('scim-relay-panel [data-scim-trace]').count()).resolves.toBe(1);
    await page.close();
  });

  it('after the edit form is saved, says the site is no source (nothing to re-import) instead of failing silently', async () => {
    const page = await open('/user/2/edit');
    await Promise.all([page.waitForURL(`${site.origin}/user/2/edit`), page.locator('#edit-submit').click()]);
    expect(site.requests.some((r) => r.method === 'POST' && r.path === '/user/2/edit' && r.body.includes('user_form'))).toBe(true);
    const saved = page.locator('scim-relay-panel [data-scim-saved]');
    await expect.poll(() => saved.textContent(), { timeout: 15_000 }).toBe('Saved. This site is not a source of the relay, so nothing was re-imported.');
    await page.close();
  });

  it('answers the popup with the user the tab shows, read from the form', async () => {
    const page = await open('/user/2/edit');
    await page.locator('input[name="mail"]').fill('alice@new.example');
    const answer = await browser.background.evaluate(async (url) => {
      // The newest tab on that page: the one this test opened.
      const tabs = (await chrome.tabs.query({ url })) as { id: number }[];
      const newest = tabs.sort((a, b) => b.id - a.id)[0]!;
      return chrome.tabs.sendMessage(newest.id, { type: 'page:current-user' });
    }, `${site.origin}/user/2/edit`);
    expect(answer).toEqual({ site: site.origin, cms: 'drupal', uid: '2', name: 'alice.johnson', mail: 'alice@new.example', status: 'active', displayName: 'alice.johnson' });
    await page.close();
  });

  it('on a profile of an account the relay does not have, says so and offers nothing to provision', async () => {
    const page = await open('/user/5');
    const panel = page.locator('scim-relay-panel');
    await expect(panel.locator('[data-scim-unknown]').textContent()).resolves.toMatch(/^The relay has no user for this account\./);
    await expect(panel.getByRole('button', { name: 'Provision now' }).isDisabled()).resolves.toBe(true);
    expect(await findScimUser(relays.b, 'jane.doe')).toBeUndefined();
    await page.close();
  });
});
