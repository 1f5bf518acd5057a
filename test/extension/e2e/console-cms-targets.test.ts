/**
 * The console's target form for the WordPress and Joomla kinds, end to end: real Chromium with
 * the built extension, relay A, and the fake WordPress and Joomla sites (real HTTP servers built
 * from the captures). A saved target's role map is picked from the roles the site lists.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJoomlaSite } from '../../support/joomla-site/client';
import { startJoomlaSite } from '../../support/joomla-site/server';
import { createWordpressSite } from '../../support/wordpress-site/client';
import { startWordpressSite } from '../../support/wordpress-site/server';
import type { CmsSiteServer } from '../../support/cms-site-server';
import { startDrupalSite, type DrupalSiteServer } from '../../support/drupal-site/server';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { createScimUser, startRelay, RELAY_A_TOKEN, type Relay } from '../support/relays';

const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 5)).toString('base64');

describe('console target form for WordPress and Joomla', () => {
  let browser: ExtensionBrowser;
  let relay: Relay;
  let wordpress: CmsSiteServer;
  let joomla: CmsSiteServer;
  let drupal: DrupalSiteServer;
  let page: Page;

  beforeAll(async () => {
    [browser, relay, wordpress, joomla, drupal] = await Promise.all([
      launchExtensionBrowser(),
      startRelay(RELAY_A_TOKEN, KEY),
      startWordpressSite(),
      startJoomlaSite(),
      startDrupalSite(),
    ]);
    await createScimUser(relay, 'grace.cms', { displayName: 'Grace Hopper', name: { givenName: 'Grace', familyName: 'Hopper' } });
    page = await browser.newPage();
    await page.goto(browser.extensionUrl('options.html'));
    await page.getByLabel('Relay URL').fill(relay.url);
    await page.getByLabel('Admin token').fill(RELAY_A_TOKEN);
    await page.getByRole('button', { name: 'Check connection' }).click();
    await page.locator('.result', { hasText: 'Connected (HTTP 200).' }).waitFor();
    await page.getByRole('tab', { name: 'Targets', exact: true }).click();
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), relay?.close(), wordpress?.close(), joomla?.close(), drupal?.close()]);
  });

  const stored = async (name: string) => (await relay.api('GET', '/targets')).body.items.find((t: { name: string }) => t.name === name);

  it('creates a WordPress target with its options, then maps a group to a role picked from the site', async () => {
    const site = await createWordpressSite(wordpress.url, { fixture: true });
    await page.getByRole('button', { name: 'New target' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Blog');
    await page.getByLabel('Kind').selectOption('wordpress-rest');
    await page.getByLabel('Site address').fill(site.baseUrl);
    await page.getByLabel('Application Password (username:application password)').fill('not-a-pair');
    await page.getByLabel('Role of a new account').fill('Not A Slug');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // zod issues from the API, beside their fields
    await expect.poll(() => page.locator('#t-default-role-error').textContent()).toContain('role slug');
    await expect(page.locator('#t-token-error').textContent()).resolves.toContain('application password');

    await page.getByLabel('Application Password (username:application password)').fill(site.adminToken);
    await page.getByLabel('Role of a new account').fill('author');
    await page.getByLabel('REST API address').selectOption('/?rest_route=');
    await page.getByLabel('Who inherits a deleted account’s posts').fill('delete-content');
    await page.getByRole('button', { name: 'Save and test' }).click();
    const report = page.getByRole('region', { name: 'Test report' });
    await report.waitFor({ timeout: 20_000 });
    await expect(report.getAttribute('data-ok')).resolves.toBe('true');
    expect(await stored('Blog')).toMatchObject({
      kind: 'wordpress-rest',
      options: { restPath: '/?rest_route=', defaultRole: 'author', reassign: 'delete-content', allowUserOne: false, roleMap: {} },
    });

    // Saved: the role map is now a picker of the site's roles, with nothing to create or delete them.
    const picker = page.getByRole('group', { name: 'Groups to WordPress roles' });
    await page.getByRole('button', { name: 'Map a group' }).click();
    await picker.getByLabel('Directory group 1').fill('Editors');
    const roles = picker.getByLabel('Site role for group 1');
    await expect.poll(() => roles.locator('option').allTextContents()).toEqual(expect.arrayContaining(['Editor (editor)', 'Administrator (administrator)']));
    await roles.selectOption('editor');
    await expect(picker.getByRole('button', { name: /create|new role|delete role/i }).count()).resolves.toBe(0);
    // The role of a new account is picked from the same list once saved.
    await expect(page.getByLabel('Role of a new account').inputValue()).resolves.toBe('author');
    await expect(page.getByLabel('Role of a new account').locator('option').allTextContents()).resolves.toContain('Editor (editor)');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await stored('Blog')).options.roleMap).toEqual({ Editors: 'editor' });
    await page.getByRole('button', { name: 'Close' }).click();

    // Reopened, the saved mapping is shown in the picker.
    await page.getByRole('button', { name: 'Edit Blog' }).click();
    await expect.poll(() => page.getByRole('group', { name: 'Groups to WordPress roles' }).getByLabel('Site role for group 1').inputValue()).toBe('editor');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('creates a Joomla target with its options, then maps a group to a user group picked from the site', async () => {
    const site = await createJoomlaSite(joomla.url, { fixture: true });
    await page.getByRole('button', { name: 'New target' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Portal');
    await page.getByLabel('Kind').selectOption('joomla-webservices');
    await page.getByLabel('Site address').fill(site.baseUrl);
    await page.getByLabel('API token (a Super User’s)').fill(site.adminToken);
    await page.getByLabel('Groups of a new account (ids)').fill('2, zero');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.locator('#t-default-groups-error').textContent()).toBeTruthy();

    await page.getByLabel('Groups of a new account (ids)').fill('2, 3');
    await page.getByRole('button', { name: 'Save and test' }).click();
    const report = page.getByRole('region', { name: 'Test report' });
    await report.waitFor({ timeout: 20_000 });
    await expect(report.getAttribute('data-ok')).resolves.toBe('true');
    expect(await stored('Portal')).toMatchObject({
      kind: 'joomla-webservices',
      options: { apiPath: '/api/index.php', defaultGroups: [2, 3], superUserGroups: [8], allowSuperUsers: false },
    });

    const picker = page.getByRole('group', { name: 'Groups to Joomla user groups' });
    await page.getByRole('button', { name: 'Map a group' }).click();
    await picker.getByLabel('Directory group 1').fill('Editors');
    const groups = picker.getByLabel('Site role for group 1');
    await expect.poll(() => groups.locator('option').allTextContents()).toEqual(expect.arrayContaining(['Editor (4)', 'Super Users (8)']));
    await groups.selectOption('4');
    // The default and Super User groups are ticked from the site's groups too, by title.
    const defaults = page.getByRole('group', { name: 'Groups of a new account' });
    await expect(defaults.getByLabel('Registered').isChecked()).resolves.toBe(true);
    await expect(defaults.getByLabel('Author').isChecked()).resolves.toBe(true);
    await defaults.getByLabel('Author').uncheck();
    await expect(
      page
        .getByRole('group', { name: /^Super User groups/ })
        .getByLabel('Super Users')
        .isChecked(),
    ).resolves.toBe(true);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await stored('Portal')).options).toMatchObject({ roleMap: { Editors: 4 }, defaultGroups: [2], superUserGroups: [8] });
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('previews the WordPress and Joomla fields each site receives, not SCIM JSON', async () => {
    await page.getByRole('button', { name: 'Mapping of Blog' }).click();
    const payload = page.getByTestId('payload');
    await expect.poll(() => page.getByTestId('site-request').textContent(), { timeout: 15_000 }).toContain('POST /wp/v2/users');
    const wp = JSON.parse((await payload.textContent()) ?? '{}') as Record<string, unknown>;
    expect(wp).toMatchObject({ username: 'grace.cms', email: 'grace.cms@example.test', first_name: 'Grace', last_name: 'Hopper', roles: ['author'] });
    expect(wp).not.toHaveProperty('schemas');
    await page.getByLabel('update').check();
    await expect.poll(() => page.getByTestId('site-request').textContent(), { timeout: 15_000 }).toContain('POST /wp/v2/users/{id}');

    await page.getByRole('button', { name: 'Mapping of Portal' }).click();
    await expect.poll(() => page.getByTestId('site-request').textContent(), { timeout: 15_000 }).toContain('POST /v1/users');
    const joomlaBody = JSON.parse((await page.getByTestId('payload').textContent()) ?? '{}') as Record<string, unknown>;
    expect(joomlaBody).toEqual({ name: 'Grace Hopper', username: 'grace.cms', email: 'grace.cms@example.test', block: 0, groups: [2] });
  });

  it('offers a saved Drupal target’s role map as a picker of the site’s roles too', async () => {
    const site = drupal.createSite({ fixture: 'drupal10-real' });
    const admin = site.accounts.find((a) => a.model === 'admin' && a.username)!;
    await page.getByRole('button', { name: 'New target' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Intranet');
    await page.getByLabel('Kind').selectOption('drupal-jsonapi');
    await page.getByLabel('Site address').fill(site.baseUrl);
    await page.getByLabel('Credentials (username:password)').fill(`${admin.username}:${admin.password}`);
    await page.getByLabel('Groups to Drupal roles').fill('Editors = content_editor');
    await page.getByRole('button', { name: 'Save', exact: true }).click();

    const picker = page.getByRole('group', { name: 'Groups to Drupal roles' });
    const roles = picker.getByLabel('Site role for group 1');
    await expect.poll(() => roles.locator('option').allTextContents()).toContain('content_editor');
    await expect(roles.inputValue()).resolves.toBe('content_editor');
    await expect(picker.getByLabel('Directory group 1').inputValue()).resolves.toBe('Editors');
    await page.getByRole('button', { name: 'Close' }).click();
  });
});
