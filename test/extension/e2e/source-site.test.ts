/**
 * A site that is a configured source of relay A: rows resolve by the site's own uid (no name
 * guessing), "Provision" on a row the relay has not imported yet re-imports it from the site's
 * JSON:API first, and saving the edit form re-imports and provisions that user at once.
 * The site's JSON:API is the fake Drupal 10 site (test/support/drupal-site) loaded with the same
 * real capture as the pages, reached through the page site's own /jsonapi path.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrupalSite, type DrupalSiteHandle } from '../../support/drupal-site/client';
import { startDrupalSite, type DrupalSiteServer } from '../../support/drupal-site/server';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser.ts';
import { chipLabels, chipsHostOf, probeShadows, type ShadowProbe } from '../support/closed-shadow.ts';
import { connectExtension } from '../support/connect.ts';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.ts';
import { drupalRoutes, proxyRoute, startFixtureSite, type FixtureSite } from '../support/fixture-site.ts';
import { findScimUser, RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays.ts';

describe('A Drupal site that is a source of the relay', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;
  let proxy: CountingProxy;
  let drupalServer: DrupalSiteServer;
  let drupal: DrupalSiteHandle;
  let sourceId: string;

  beforeAll(async () => {
    [browser, relays, drupalServer] = await Promise.all([launchExtensionBrowser(), startRelayPair(), startDrupalSite()]);
    drupal = await createDrupalSite(drupalServer.url, { fixture: 'drupal10-real' });
    site = await startFixtureSite({ ...drupalRoutes(), '/jsonapi/*': proxyRoute(drupal.baseUrl) });
    proxy = await startCountingProxy(relays.a.url);
    const admin = drupal.accounts.find((a) => a.model === 'admin' && a.username)!;
    const created = await relays.a.api('POST', '/sources', {
      name: 'People site',
      kind: 'drupal-jsonapi',
      baseUrl: site.origin,
      credentials: { type: 'basic', username: admin.username, password: admin.password },
    });
    expect(created.status, created.text).toBe(201);
    sourceId = created.body.id;
    // heidi.wilson (uid 9) is imported and in sync on relay B; nobody else is imported yet.
    const imported = await relays.a.api('POST', `/sources/${sourceId}/users/9/import`);
    expect(imported.status, imported.text).toBe(200);
    const provisioned = await relays.a.api('POST', `/users/${imported.body.user.id}/provision`, {});
    expect(provisioned.status, provisioned.text).toBe(200);
    await connectExtension(browser.background, { relayUrl: proxy.url, relayToken: RELAY_A_TOKEN, sites: [site.origin] });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close(), proxy?.close(), drupalServer?.close()]);
  });

  // The overlay's shadow roots are closed: read through the DevTools protocol (support/closed-shadow.ts).
  let shadow: ShadowProbe;
  const chipTexts = async (page: Page, name: string) => chipLabels(shadow, await chipsHostOf(page, name));
  const provisionRow = async (page: Page, name: string) => shadow.click(await chipsHostOf(page, name), 'button');

  async function openPeople(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/admin/people`);
    await expect.poll(() => page.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(9);
    shadow = await probeShadows(page);
    return page;
  }

  it('resolves rows by uid through the source, and tells the admin the site is a source', async () => {
    const page = await openPeople();
    await expect(chipTexts(page, 'heidi.wilson')).resolves.toEqual(['Relay B: in sync']);
    const [tip] = await shadow.texts('table.views-table tbody tr:first-child scim-relay-chips', '.tip');
    expect(tip).not.toMatch(/matched by/);
    await expect(chipTexts(page, 'grace.lee')).resolves.toEqual(['not in relay']);
    await expect(shadow.texts('scim-relay-bar', '[data-scim-summary]')).resolves.toEqual(['9 users on this page · source: People site']);
    // A source resolves by uid: the page's names and emails are never offered as a match.
    await expect(shadow.texts('scim-relay-bar', 'button')).resolves.toEqual(['Provision selected (0)']);
    await page.close();
  });

  it('"Provision" on a row not imported yet imports it from the site first, then relay B receives it', async () => {
    const page = await openPeople();
    await expect(chipTexts(page, 'erin.davis')).resolves.toEqual(['not in relay']);
    proxy.reset();
    await provisionRow(page, 'erin.davis');
    await expect.poll(() => chipTexts(page, 'erin.davis'), { timeout: 20_000 }).toEqual(['Relay B: in sync']);
    expect(proxy.count(`POST /api/v1/sources/${sourceId}/users/6/import`)).toBe(1);
    expect(await findScimUser(relays.b, 'erin.davis')).toMatchObject({ userName: 'erin.davis', active: true });
    await page.close();
  });

  it('a blocked account is imported inactive and not created on the target (the relay skips it), and the row says why', async () => {
    const page = await openPeople();
    await provisionRow(page, 'grace.lee');
    const host = await chipsHostOf(page, 'grace.lee');
    await expect.poll(() => shadow.texts(host, '.note'), { timeout: 20_000 }).toEqual([expect.stringMatching(/^Relay B: skipped — ./)]);
    await expect(chipTexts(page, 'grace.lee')).resolves.toEqual(['Relay B: not linked']);
    expect(await findScimUser(relays.b, 'grace.lee')).toBeUndefined();
    await page.close();
  });

  it('saving the edit form re-imports the user and provisions the change at once', async () => {
    // What Drupal stores when the admin saves the form with a new address.
    await drupal.updateUser(2, { mail: 'alice@changed.example' });
    const page = await browser.newPage();
    await page.goto(`${site.origin}/user/2/edit`);
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    await Promise.all([page.waitForURL(`${site.origin}/user/2/edit`), page.locator('#edit-submit').click()]);
    const panel = await probeShadows(page);
    await expect.poll(() => panel.texts('scim-relay-panel', '[data-scim-saved]'), { timeout: 20_000 }).toEqual(['Saved: re-imported and provisioned.']);
    const onB = await findScimUser(relays.b, 'alice.johnson');
    expect(onB?.emails?.[0]?.value).toBe('alice@changed.example');
    await expect(panel.inEach('scim-relay-panel', (root) => root.querySelector('tr[data-scim-target="Relay B"]')?.getAttribute('data-state'))).resolves.toEqual(
      ['in_sync'],
    );
    await page.close();
  });
});
