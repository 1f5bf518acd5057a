/**
 * The popup's "What will be sent" for CMS targets (issue #12): real Chromium with the built
 * extension, the captured WordPress 6.9 `user-edit.php` and Joomla 5.2 user editor (Atum) served
 * under their own paths, relay A with a WordPress, a Joomla and a SCIM target (relay B). The page's
 * user is not in the directory, so the popup reviews before it adds: each CMS target shows the
 * request its site would receive — its route and its own fields (site-payload.ts) — not SCIM JSON;
 * the SCIM target shows SCIM JSON.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { connectExtension } from '../support/connect';
import { CAPTURED_ORIGINS, fixture, rehostedPage, startFixtureSite, type FixtureSite } from '../support/fixture-site';
import { RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays';

describe('popup: review of what a WordPress or Joomla target receives', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;

  const page = (html: string, from: string) => rehostedPage(html, from, () => site.origin);

  beforeAll(async () => {
    [browser, relays] = await Promise.all([launchExtensionBrowser(), startRelayPair()]);
    const wpEdit = fixture('wordpress-real/admin_html/user-edit_user_id_2.html');
    const joomlaEdit = fixture('joomla-real/admin_html/user_edit_id_573_alice.html');
    site = await startFixtureSite({
      '/wp-admin/user-edit.php': page(wpEdit, CAPTURED_ORIGINS.wordpress),
      '/administrator/index.php': page(joomlaEdit, CAPTURED_ORIGINS.joomla),
    });
    // The sites the targets name are never called: a preview sends nothing.
    for (const [name, kind, token] of [
      ['WordPress shop', 'wordpress-rest', 'admin:abcd efgh ijkl mnop qrst uvwx'],
      ['Joomla portal', 'joomla-webservices', 'c2hhMjU2OjU2MDpyZXZpZXc='],
    ] as const) {
      const res = await relays.a.api('POST', '/targets', { name, kind, baseUrl: 'http://127.0.0.1:9', token });
      expect(res.status, res.text).toBe(201);
    }
    await connectExtension(browser.background, { relayUrl: relays.a.url, relayToken: RELAY_A_TOKEN, sites: [site.origin] });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close()]);
  });

  /** The popup for the user tab: the tab is brought to the front and the popup page reloaded beside it. */
  async function reviewFor(path: string): Promise<{ popup: Page; tab: Page; sent: (target: string) => Promise<string> }> {
    const tab = await browser.newPage();
    await tab.goto(`${site.origin}${path}`);
    const popup = await browser.newPage();
    await popup.setViewportSize({ width: 420, height: 720 });
    await popup.goto(browser.extensionUrl('popup.html'));
    await tab.bringToFront();
    await popup.reload();
    await expect.poll(() => popup.getByTestId('directory-state').textContent(), { timeout: 15_000 }).toContain('Not in the directory');
    for (const name of ['WordPress shop', 'Joomla portal', 'Relay B']) await expect(popup.getByRole('checkbox', { name }).isChecked()).resolves.toBe(true);
    await popup.getByRole('button', { name: 'Review what will be sent' }).click();
    const review = popup.getByRole('region', { name: 'What will be sent' });
    await review.waitFor();
    const sent = (target: string) =>
      review
        .locator('div', { hasText: `To ${target}:` })
        .locator('pre.payload')
        .textContent()
        .then((t) => t ?? '');
    return { popup, tab, sent };
  }

  it('on WordPress user-edit.php: the WordPress target shows POST /wp/v2/users with WordPress fields, the Joomla target Joomla fields', async () => {
    const { popup, tab, sent } = await reviewFor('/wp-admin/user-edit.php?user_id=2');
    const wordpress = await sent('WordPress shop');
    expect(wordpress.split('\n')[0]).toBe('POST /wp/v2/users');
    const wpBody = JSON.parse(wordpress.slice(wordpress.indexOf('\n') + 1));
    expect(wpBody).toMatchObject({ username: 'alice.editor', email: 'alice.new@example.test', password: '(random, never stored)', roles: ['subscriber'] });
    expect(Object.keys(wpBody)).not.toContain('userName');
    expect(wordpress).not.toContain('schemas');

    const joomla = await sent('Joomla portal');
    expect(joomla.split('\n')[0]).toBe('POST /v1/users');
    const joomlaBody = JSON.parse(joomla.slice(joomla.indexOf('\n') + 1));
    expect(joomlaBody).toMatchObject({ username: 'alice.editor', email: 'alice.new@example.test', block: 0, groups: [2] });
    expect(joomla).not.toContain('schemas');

    // A SCIM target receives SCIM: the contrast the review shows.
    const scim = JSON.parse(await sent('Relay B'));
    expect(scim).toMatchObject({ userName: 'alice.editor' });
    expect(scim.schemas).toContain('urn:ietf:params:scim:schemas:core:2.0:User');
    // Nothing is written before the admin says so.
    expect((await relays.a.api('GET', '/users?userName=alice.editor')).body.items).toEqual([]);
    await Promise.all([popup.close(), tab.close()]);
  });

  it('on Joomla’s user editor: the Joomla target shows POST /v1/users with the name the form shows and the default groups', async () => {
    const { popup, tab, sent } = await reviewFor('/administrator/index.php?option=com_users&view=user&layout=edit&id=573');
    const joomla = await sent('Joomla portal');
    expect(joomla.split('\n')[0]).toBe('POST /v1/users');
    expect(JSON.parse(joomla.slice(joomla.indexOf('\n') + 1))).toEqual({
      name: 'Alice A. Anders',
      username: 'alice.editor',
      email: 'alice.new@example.test',
      block: 0,
      groups: [2],
    });
    const wordpress = await sent('WordPress shop');
    expect(wordpress.split('\n')[0]).toBe('POST /wp/v2/users');
    expect(JSON.parse(wordpress.slice(wordpress.indexOf('\n') + 1))).toMatchObject({ username: 'alice.editor', name: 'Alice A. Anders' });
    await Promise.all([popup.close(), tab.close()]);
  });
});
