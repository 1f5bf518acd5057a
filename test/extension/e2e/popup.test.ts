/**
 * The popup end to end: the real Drupal 10 user edit page (/user/2/edit, alice.johnson) served on
 * 127.0.0.1, relay A with relay B as its target, the extension connected. The site is neither a
 * source nor a target and relay A has no alice.johnson: the popup shows what will be sent, adds
 * her to the directory and provisions her into relay B, with the step trace per target.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser';
import { setRelayToken } from '../support/connect';
import { startConnectedSite } from '../support/connected-site';
import { openPopupFor as openPopup } from '../support/popup';
import type { FixtureSite } from '../support/fixture-site';
import { findScimUser, RELAY_A_TOKEN, type RelayPair } from '../support/relays';
import { screenshotPath } from '../support/screenshots.ts';

describe('popup: provision this user', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;

  beforeAll(async () => {
    ({ browser, site, relays } = await startConnectedSite());
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close()]);
  });

  const openPopupFor = (userPage: Page) => openPopup(browser, userPage);

  async function openUserPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/user/2/edit`);
    return page;
  }

  it('shows what will be sent, adds the page’s user and provisions her into relay B', async () => {
    const userPage = await openUserPage();
    const popup = await openPopupFor(userPage);
    await expect.poll(() => popup.getByTestId('directory-state').textContent(), { timeout: 15_000 }).toContain('neither a source nor a target');
    await expect(popup.getByRole('checkbox', { name: /Relay B/ }).isChecked()).resolves.toBe(true);

    await popup.getByRole('button', { name: 'Review what will be sent' }).click();
    const review = popup.getByRole('region', { name: 'What will be sent' });
    await review.waitFor();
    const sent = await review.textContent();
    expect(sent).toContain('"userName": "alice.johnson"');
    expect(sent).toContain('alice.johnson@example.com');
    // nothing written before the admin says so
    expect((await relays.a.api('GET', '/users?userName=alice.johnson')).body.items).toEqual([]);

    await popup.screenshot({ path: screenshotPath('popup-review.png'), fullPage: true });

    await popup.getByRole('button', { name: 'Add and provision' }).click();
    const result = popup.locator('.target-run', { hasText: 'Relay B' });
    await expect.poll(() => result.getAttribute('data-state'), { timeout: 20_000 }).toBe('ok');
    await expect(result.textContent()).resolves.toContain('created');
    await expect(result.locator('ol.steps li').count()).resolves.toBeGreaterThan(1);
    await result.getByText('Steps').click();
    await popup.screenshot({ path: screenshotPath('popup.png'), fullPage: true });

    const onB = await findScimUser(relays.b, 'alice.johnson');
    expect(onB).toMatchObject({ userName: 'alice.johnson', active: true });
    expect(onB!.emails[0].value).toBe('alice.johnson@example.com');
    await Promise.all([popup.close(), userPage.close()]);
  });

  it('finds the user the next time; provisioning again sends nothing when nothing changed', async () => {
    const userPage = await openUserPage();
    const popup = await openPopupFor(userPage);
    await expect.poll(() => popup.getByTestId('directory-state').textContent(), { timeout: 15_000 }).toBe('In the directory as alice.johnson.');
    await expect(popup.locator('.target-choice', { hasText: 'Relay B' }).textContent()).resolves.toContain('in sync');
    await popup.getByRole('button', { name: 'Provision this user' }).click();
    const result = popup.locator('.target-run', { hasText: 'Relay B' });
    await expect.poll(() => result.getAttribute('data-state'), { timeout: 20_000 }).toBe('ok');
    await expect(result.textContent()).resolves.toContain('nothing sent (unchanged');
    await Promise.all([popup.close(), userPage.close()]);
  });

  it('shows a refused token instead of the user', async () => {
    await setRelayToken(browser.background, 'srt_revoked-or-mistyped');
    const userPage = await openUserPage();
    const popup = await openPopupFor(userPage);
    await expect.poll(() => popup.locator('.result').textContent(), { timeout: 15_000 }).toBe('The relay refused the token (401).');
    await setRelayToken(browser.background, RELAY_A_TOKEN);
    await Promise.all([popup.close(), userPage.close()]);
  });

  it('shows a failing target’s reason per target', async () => {
    // Alice changes, and relay B refuses relay A's token from now on: the update fails (401).
    const alice = (await relays.a.api('GET', '/users?userName=alice.johnson')).body.items[0];
    const changed = await relays.a.scim('PATCH', `/Users/${alice.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'Editor' }],
    });
    expect(changed.status, changed.text).toBe(200);
    const broken = await relays.a.api('PATCH', `/targets/${relays.targetId}`, { token: 'not-relay-b-token' });
    expect(broken.status, broken.text).toBe(200);
    const userPage = await openUserPage();
    const popup = await openPopupFor(userPage);
    await expect.poll(() => popup.getByTestId('directory-state').textContent(), { timeout: 15_000 }).toBe('In the directory as alice.johnson.');
    await popup.getByRole('button', { name: 'Provision this user' }).click();
    const result = popup.locator('.target-run', { hasText: 'Relay B' });
    await expect.poll(() => result.getAttribute('data-state'), { timeout: 20_000 }).toBe('failed');
    await expect(result.textContent()).resolves.toMatch(/failed — .*(401|token|unauthori)/i);
    await Promise.all([popup.close(), userPage.close()]);
  });
});
