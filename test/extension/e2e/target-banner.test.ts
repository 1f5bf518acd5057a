/**
 * The People page banner (issue #9): a target that needs the admin — paused, or holding
 * deactivations and deletions for approval — is said above the table, with Resume (which resumes
 * it on the relay; it then catches up from its watermark) and Review (which opens the console).
 * Real Chromium with the built extension, the real Drupal 10.2 People page, relay A → relay B.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { probeShadows } from '../support/closed-shadow';
import { connectExtension } from '../support/connect';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site';
import { createScimUser, RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays';

describe('People page banner', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;

  beforeAll(async () => {
    [browser, site, relays] = await Promise.all([launchExtensionBrowser(), startFixtureSite(), startRelayPair()]);
    const { a, targetId } = relays;
    // heidi.wilson reaches relay B, then is deactivated with a threshold of 0: her deactivation is held.
    const id = await createScimUser(a, 'heidi.wilson');
    expect((await a.api('POST', `/users/${id}/provision`, {})).status).toBe(200);
    const patched = await a.api('PATCH', `/targets/${targetId}`, { deletionThreshold: 0, modes: { scheduled: { enabled: true, intervalMinutes: 60 } } });
    expect(patched.status, patched.text).toBe(200);
    const off = await a.scim('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(off.status, off.text).toBe(200);
    expect((await a.api('POST', `/targets/${targetId}/run`, { mode: 'scheduled' })).status).toBe(200);
    expect((await a.api('POST', `/targets/${targetId}/pause`, {})).status).toBe(200);
    await connectExtension(browser.background, { relayUrl: a.url, relayToken: RELAY_A_TOKEN, sites: [site.origin] });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close()]);
  });

  it('says which target is paused and which holds deletions, and Resume resumes it on the relay', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/admin/people`);
    await expect.poll(() => page.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(9);
    const shadow = await probeShadows(page);
    await expect
      .poll(() => shadow.texts('scim-relay-bar', '[data-scim-alerts] li'), { timeout: 15_000 })
      .toEqual(['“Relay B” is paused. Changes wait and arrive on resume. Resume', '“Relay B” holds 1 deactivation or deletion for approval. Review']);

    await shadow.click('scim-relay-bar', '[data-scim-alerts] li:first-child button');
    await expect.poll(async () => (await relays.a.api('GET', `/targets/${relays.targetId}`)).body.status, { timeout: 15_000 }).toBe('active');
    await expect
      .poll(() => shadow.texts('scim-relay-bar', '[data-scim-alerts] li'), { timeout: 15_000 })
      .toEqual(['“Relay B” holds 1 deactivation or deletion for approval. Review']);

    // Review opens the console, where held deletions are approved.
    const opened = browser.context.waitForEvent('page', { timeout: 15_000 });
    await shadow.click('scim-relay-bar', '[data-scim-alerts] li:first-child button');
    expect((await opened).url()).toMatch(/^chrome-extension:\/\/[a-z]+\/options\.html/);
    await page.close();
  });
});
