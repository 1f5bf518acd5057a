/**
 * Scope on People pages, in the popup and in the console (issue #13), end to end: real Chromium
 * with the built extension, the real Drupal 10.2 People page and user edit page, relay A with two
 * targets on relay B — "Relay B" scoped to the Staff group, and "Guarded B" whose first sync is
 * over its creation threshold of 1, so its creations are held. Chips show "out of scope" as its
 * own state and the overrides; overrides are set from the popup, the console's Users tab and the
 * user panel; held creations are shown in words, counted whole past one page, and approved from the console.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { chipsHostOf, probeShadows, type ShadowProbe } from '../support/closed-shadow';
import { connectExtension } from '../support/connect';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site';
import { openPopupFor } from '../support/popup';
import { screenshotPath } from '../support/screenshots.ts';
import { createScimUser, findScimUser, RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays';

describe('scope and overrides in the extension', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;
  let guardedId: string;
  const ids: Record<string, string> = {};

  const overrides = async () =>
    Object.fromEntries(
      ((await relays.a.api('GET', `/targets/${relays.targetId}/overrides`)).body.items as { userName: string; override: string }[]).map((o) => [
        o.userName,
        o.override,
      ]),
    );
  const heldOn = async (targetId: string) => (await relays.a.api('GET', `/outbox?state=held&targetId=${targetId}`)).body.items.length;

  beforeAll(async () => {
    [browser, site, relays] = await Promise.all([launchExtensionBrowser(), startFixtureSite(), startRelayPair()]);
    for (const name of ['heidi.wilson', 'grace.lee', 'frank.miller', 'alice.johnson']) ids[name] = await createScimUser(relays.a, name);
    const staff = await relays.a.scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Staff',
      members: [{ value: ids['heidi.wilson'] }, { value: ids['grace.lee'] }],
    });
    expect(staff.status, staff.text).toBe(201);
    const scoped = await relays.a.api('PATCH', `/targets/${relays.targetId}`, { scope: { kind: 'groups', groupIds: [staff.body.id] } });
    expect(scoped.status, scoped.text).toBe(200);
    // Added once the users exist: its initial sync would create four accounts, over its threshold of 1.
    const guarded = await relays.a.api('POST', '/targets', {
      name: 'Guarded B',
      baseUrl: `${relays.b.url}/scim/v2`,
      token: relays.b.token,
      creationThreshold: 1,
      modes: { scheduled: { enabled: true, intervalMinutes: 60 } },
    });
    expect(guarded.status, guarded.text).toBe(201);
    guardedId = guarded.body.id;
    expect((await relays.a.api('POST', `/targets/${guardedId}/run`, { mode: 'scheduled' })).status).toBe(200);
    expect(await heldOn(guardedId)).toBe(4);
    await connectExtension(browser.background, { relayUrl: relays.a.url, relayToken: RELAY_A_TOKEN, sites: [site.origin] });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close()]);
  });

  let shadow: ShadowProbe;

  /** The People page with its rows matched by name, as the admin does on a site that is no source. */
  async function openPeople(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/admin/people`);
    await expect.poll(() => page.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(9);
    shadow = await probeShadows(page);
    await shadow.click('scim-relay-bar', '[data-scim-match]');
    await expect
      .poll(async () => (await shadow.inEach('scim-relay-chips', (root) => root.querySelector('[data-scim-view="known"]') !== null)).filter(Boolean).length, {
        timeout: 15_000,
      })
      .toBe(4);
    return page;
  }

  /** Relay B's chip in a user's row: its label, state, override and the style that sets it apart. */
  async function relayBChip(page: Page, name: string) {
    const [chip] = await shadow.inEach(await chipsHostOf(page, name), (root) => {
      const el = [...root.querySelectorAll<HTMLElement>('.chip')].find((c) => c.firstChild?.textContent?.startsWith('Relay B:'));
      if (!el) return null;
      const style = getComputedStyle(el);
      return {
        label: el.firstChild?.textContent,
        state: el.getAttribute('data-state'),
        override: el.getAttribute('data-override'),
        tip: el.querySelector('.tip')?.textContent,
        look: `${style.borderStyle} ${style.borderColor} ${style.color}`,
      };
    });
    return chip;
  }

  it('shows "out of scope" on the People page as a state of its own, styled apart from "not linked"', async () => {
    const page = await openPeople();
    const frank = await relayBChip(page, 'frank.miller');
    expect(frank).toMatchObject({ label: 'Relay B: out of scope', state: 'out_of_scope', override: null });
    expect(frank!.tip).toBe("Out of scope for Relay B: not in the target's scope. (matched by name: frank.miller)");
    const heidi = await relayBChip(page, 'heidi.wilson');
    expect(heidi!.state).not.toBe('out_of_scope');
    expect(heidi!.label).not.toContain('out of scope');
    const [notLinked] = await shadow.inEach(await chipsHostOf(page, 'dave.brown'), (root) => {
      const style = getComputedStyle(root.querySelector<HTMLElement>('.chip')!);
      return `${style.borderStyle} ${style.borderColor} ${style.color}`;
    });
    expect(frank!.look).not.toBe(notLinked);
    await page.screenshot({ path: screenshotPath('people-out-of-scope.png') });
    await page.close();
  });

  it('says on the People page banner how many account creations a target holds, with Review', async () => {
    const page = await openPeople();
    await expect
      .poll(() => shadow.texts('scim-relay-bar', '[data-scim-alerts] li'), { timeout: 15_000 })
      .toEqual(['“Guarded B” holds 4 account creations for approval. Review']);
    await page.close();
  });

  it('sets "always provision" from the popup, next to the link state', async () => {
    const userPage = await browser.newPage();
    await userPage.goto(`${site.origin}/user/2/edit`);
    const popup = await openPopupFor(browser, userPage);
    const choice = popup.locator('.target-choice', { hasText: 'Relay B' });
    await expect.poll(() => choice.textContent(), { timeout: 15_000 }).toContain('out of scope');
    await popup.getByLabel('Provisioning of alice.johnson to Relay B').selectOption('always');
    await expect
      .poll(() => popup.locator('section[aria-labelledby="user-heading"] .status-line').textContent(), { timeout: 15_000 })
      .toBe('alice.johnson will always be provisioned to Relay B.');
    expect((await overrides())['alice.johnson']).toBe('always');
    await expect.poll(() => popup.getByLabel('Provisioning of alice.johnson to Relay B').inputValue(), { timeout: 15_000 }).toBe('always');
    await Promise.all([popup.close(), userPage.close()]);
  });

  it('sets "never provision" from the console’s Users tab', async () => {
    const page = await browser.newPage();
    await page.goto(browser.extensionUrl('options.html#users'));
    await page.getByLabel('Find').fill('grace');
    const row = page.getByRole('table', { name: 'Users' }).locator('tr', { hasText: 'grace.lee' });
    await row.getByLabel('Provisioning of grace.lee to Relay B').selectOption('never');
    await expect.poll(() => page.locator('.status-line').textContent(), { timeout: 15_000 }).toBe('grace.lee will never be provisioned to Relay B.');
    expect((await overrides())['grace.lee']).toBe('never');
    await expect.poll(() => row.locator('li[data-target="Relay B"]').textContent(), { timeout: 15_000 }).toContain('out of scope (never)');
    await page.screenshot({ path: screenshotPath('console-users-overrides.png'), fullPage: true });
    await page.close();
  });

  it('shows each override on its chip', async () => {
    const page = await openPeople();
    await expect(relayBChip(page, 'grace.lee')).resolves.toMatchObject({ label: 'Relay B: out of scope · never', state: 'out_of_scope', override: 'never' });
    const alice = await relayBChip(page, 'alice.johnson');
    expect(alice).toMatchObject({ override: 'always' });
    expect(alice!.label).toMatch(/^Relay B: .+ · always$/);
    expect(alice!.state).not.toBe('out_of_scope');
    await page.close();
  });

  it('clears an override from the user panel: the user follows the scope again', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/user/2/edit`);
    await expect.poll(() => page.locator('scim-relay-panel').getAttribute('data-scim-state'), { timeout: 15_000 }).toBe('ready');
    shadow = await probeShadows(page);
    // The site is no source: the panel finds alice.johnson once the admin asks to match by name.
    await shadow.click('scim-relay-panel', '[data-scim-unmatched] button');
    // The admin's own input: focus the picker, then the arrow key moves it from "Always provision" up to "Follow scope".
    await expect.poll(() => shadow.texts('scim-relay-panel', 'tr[data-scim-target="Relay B"] select'), { timeout: 15_000 }).toHaveLength(1);
    await shadow.click('scim-relay-panel', 'tr[data-scim-target="Relay B"] select');
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowUp');
    await expect
      .poll(() => shadow.texts('scim-relay-panel', '[data-scim-override]'), { timeout: 15_000 })
      .toEqual(['alice.johnson follows the scope of Relay B again.']);
    expect((await overrides())['alice.johnson']).toBeUndefined();
    await page.close();
  });

  it('shows held creations in the console with Approve, and approving releases them', async () => {
    const page = await browser.newPage();
    await page.goto(browser.extensionUrl('options.html#targets'));
    await page.getByRole('button', { name: 'Sync and drift of Guarded B' }).click();
    const panel = page.getByRole('region', { name: 'Sync & drift: Guarded B' });
    await expect.poll(() => panel.getByTestId('held-creations').textContent(), { timeout: 15_000 }).toContain('4 account creations held for approval');
    await expect(panel.getByRole('button', { name: 'Approve 4 account creations' }).count()).resolves.toBe(1);

    await page.getByRole('tab', { name: 'Held', exact: true }).click();
    const held = page.getByRole('region', { name: 'Held for Guarded B' });
    await expect.poll(() => held.getByRole('heading').textContent(), { timeout: 15_000 }).toBe('Guarded B: 4 account creations held');
    // Each held row says it creates, and whom, by userName.
    const rows = async () => (await held.getByRole('listitem').allTextContents()).map((t) => t.replace(/ \(row \d+\) /, ' ')).sort();
    await expect
      .poll(rows, { timeout: 15_000 })
      .toEqual(['alice.johnson', 'frank.miller', 'grace.lee', 'heidi.wilson'].map((name) => `create User ${name} Approve`));
    await page.screenshot({ path: screenshotPath('console-held-creations.png'), fullPage: true });

    // A hold bigger than one page (50 rows) is counted whole, not by the rows listed so far.
    const bulk = await relays.a.scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: Array.from({ length: 50 }, (_, i) => ({
        method: 'POST',
        path: '/Users',
        bulkId: `h${i}`,
        data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `held.${i}@example.org` },
      })),
    });
    expect(bulk.status, bulk.text).toBe(200);
    expect((await relays.a.api('POST', `/targets/${guardedId}/run`, { mode: 'scheduled' })).status).toBe(200);
    expect(await heldOn(guardedId)).toBe(50); // the outbox lists 50 a page
    await page.reload();
    await page.getByRole('tab', { name: 'Held', exact: true }).click();
    await expect.poll(() => held.getByRole('heading').textContent(), { timeout: 15_000 }).toBe('Guarded B: 54 account creations held (50 listed)');
    await page.getByRole('region', { name: 'Held for approval' }).getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => held.getByRole('heading').textContent(), { timeout: 15_000 }).toBe('Guarded B: 54 account creations held');
    await held.getByRole('button', { name: 'Approve all for Guarded B' }).click();
    await expect.poll(() => page.locator('.status-line').first().textContent(), { timeout: 15_000 }).toBe('Approved 54 held rows for Guarded B.');
    await expect.poll(() => heldOn(guardedId), { timeout: 15_000 }).toBe(0);
    // Approved creations are sent: relay B receives the accounts.
    await expect.poll(async () => (await findScimUser(relays.b, 'frank.miller'))?.userName, { timeout: 20_000 }).toBe('frank.miller');
    await page.close();
  });
});
