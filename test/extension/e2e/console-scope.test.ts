/**
 * "Who is provisioned" in the console (issue #13), end to end: real Chromium with the built
 * extension, relay A (the console's relay) and relay B as its target. The scope editor of an
 * existing target: members of a group picked from the directory, a filter whose error the relay
 * names under the field, back to all users; every scope change is previewed (who is created,
 * who deactivated) and applies only once the admin confirms. The creation threshold is saved
 * beside the deletion threshold.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { connectExtension } from '../support/connect';
import { createScimUser, RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays';
import { screenshotPath } from '../support/screenshots.ts';

describe('options console: a target’s scope', () => {
  let browser: ExtensionBrowser;
  let relays: RelayPair;
  let page: Page;
  let staffId: string;

  const target = async () => (await relays.a.api('GET', `/targets/${relays.targetId}`)).body;
  const form = () => page.getByRole('form', { name: 'Edit “Relay B”' });
  const scope = () => page.getByRole('radiogroup', { name: 'Who is provisioned' });
  const preview = () => page.getByRole('region', { name: 'Changing who is provisioned to “Relay B”' });

  async function openEditor() {
    await page.goto(browser.extensionUrl('options.html#targets'));
    await page.getByRole('button', { name: 'Edit Relay B' }).click();
    await form().waitFor();
  }

  beforeAll(async () => {
    [browser, relays] = await Promise.all([launchExtensionBrowser(), startRelayPair()]);
    const ann = await createScimUser(relays.a, 'ann.staff', { userType: 'Employee' });
    const ben = await createScimUser(relays.a, 'ben.staff', { userType: 'Employee' });
    const cat = await createScimUser(relays.a, 'cat.contractor', { userType: 'Contractor' });
    const staff = await relays.a.scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Staff',
      members: [{ value: ann }, { value: ben }],
    });
    expect(staff.status, staff.text).toBe(201);
    staffId = staff.body.id;
    // cat.contractor is on relay B already: a scope without her deactivates her there.
    expect((await relays.a.api('POST', `/users/${cat}/provision`, {})).status).toBe(200);
    await connectExtension(browser.background, { relayUrl: relays.a.url, relayToken: RELAY_A_TOKEN, sites: [] });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), relays?.close()]);
  });

  it('previews a group scope picked from the directory, and Cancel leaves the target as it was', async () => {
    await openEditor();
    await expect(scope().getByRole('radio', { name: 'All users' }).isChecked()).resolves.toBe(true);
    await scope().getByRole('radio', { name: 'Members of groups' }).check();
    await page.getByLabel('Find a directory group').fill('sta');
    await page
      .getByRole('list', { name: 'Directory groups' })
      .getByRole('checkbox', { name: /Staff \(2 members\)/ })
      .check();
    await expect(page.getByRole('checkbox', { name: 'Include nested groups (members of member groups)' }).isChecked()).resolves.toBe(true);
    await form().getByRole('button', { name: 'Save', exact: true }).click();

    await preview().waitFor({ timeout: 15_000 });
    await expect(preview().getByTestId('scope-preview-headline').textContent()).resolves.toBe(
      '2 will be created, 1 deactivated (2 in the new scope, 0 unchanged).',
    );
    await expect(preview().getByTestId('scope-preview-create').textContent()).resolves.toBe('ann.staff, ben.staff');
    await expect(preview().getByTestId('scope-preview-deactivate').textContent()).resolves.toBe('cat.contractor');
    await page.screenshot({ path: screenshotPath('console-scope-preview.png'), fullPage: true });
    // Nothing is saved before the admin applies it.
    expect((await target()).scope).toEqual({ kind: 'all' });

    await preview().getByRole('button', { name: 'Cancel' }).click();
    await expect(preview().count()).resolves.toBe(0);
    await expect(form().locator('.status-line').textContent()).resolves.toBe('The scope was not changed.');
    expect((await target()).scope).toEqual({ kind: 'all' });
  });

  it('applies the group scope once confirmed, with the creation threshold beside the deletion threshold', async () => {
    await form().getByLabel('Creation threshold').fill('5');
    await form().getByRole('button', { name: 'Save', exact: true }).click();
    await preview().getByRole('button', { name: 'Apply the new scope' }).click();
    await expect.poll(() => form().locator('.status-line').textContent(), { timeout: 15_000 }).toBe('Saved “Relay B”.');
    const saved = await target();
    expect(saved.scope).toEqual({ kind: 'groups', groupIds: [staffId], nested: true });
    expect(saved.creationThreshold).toBe(5);
    // The targets list says who the target provisions.
    await expect.poll(() => page.getByRole('table', { name: 'Targets' }).textContent()).toContain('members of 1 group (and nested groups)');
  });

  it('shows the relay’s words for a bad filter under the filter field, then previews and applies a good one', async () => {
    await openEditor();
    // The saved group scope shows its group by name, from the directory.
    await expect.poll(() => form().locator('.group-picker').textContent()).toContain('Staff');
    await scope().getByRole('radio', { name: 'Matching a filter' }).check();
    const filter = form().getByLabel('SCIM filter over the directory');
    await expect(form().locator('#t-scope-filter-hint').textContent()).resolves.toBe('For example: userType eq "Employee" and active eq true');
    await filter.fill('userType eq');
    await form().getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => form().locator('#t-scope-filter-error').textContent(), { timeout: 15_000 }).toMatch(/\S/);
    await expect(filter.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(preview().count()).resolves.toBe(0);
    await page.screenshot({ path: screenshotPath('console-scope-filter-error.png'), fullPage: true });

    await filter.fill('userType eq "Contractor"');
    await form().getByRole('button', { name: 'Save', exact: true }).click();
    await preview().waitFor({ timeout: 15_000 });
    await expect(form().locator('#t-scope-filter-error').count()).resolves.toBe(0);
    await expect(preview().getByTestId('scope-preview-headline').textContent()).resolves.toMatch(/^\d+ will be created, \d+ deactivated/);
    await preview().getByRole('button', { name: 'Apply the new scope' }).click();
    await expect.poll(async () => (await target()).scope, { timeout: 15_000 }).toEqual({ kind: 'filter', filter: 'userType eq "Contractor"' });
  });

  it('goes back to all users through the same preview', async () => {
    await openEditor();
    await scope().getByRole('radio', { name: 'All users' }).check();
    await form().getByRole('button', { name: 'Save', exact: true }).click();
    await preview().waitFor({ timeout: 15_000 });
    await preview().getByRole('button', { name: 'Apply the new scope' }).click();
    await expect.poll(async () => (await target()).scope, { timeout: 15_000 }).toEqual({ kind: 'all' });
  });
});
