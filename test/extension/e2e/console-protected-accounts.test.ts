/**
 * The console's protected accounts (issue #9), end to end: real Chromium with the built
 * extension, relay A (the console's relay) and relay B as a target. The target form edits the
 * list (add, remove, Enter adds), the relay stores it, and the plan names a protected account's
 * queued change as protected instead of a bare "skip".
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { fillTargetToB, openConsoleTargets, tableRows } from '../support/console';
import { createScimUser, findScimUser, startRelayPair, type RelayPair } from '../support/relays';

describe('options console: protected accounts of a target', () => {
  let browser: ExtensionBrowser;
  let relays: RelayPair;
  let page: Page;

  beforeAll(async () => {
    [browser, relays] = await Promise.all([launchExtensionBrowser(), startRelayPair()]);
    page = await openConsoleTargets(browser, relays);
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), relays?.close()]);
  });

  it('adds and removes protected accounts in the target form, and the plan names a protected account as such', async () => {
    await fillTargetToB(page, relays, 'Relay B (protected)', 'Scheduled');
    const field = page.getByLabel('Protected accounts', { exact: true }).and(page.locator('input'));
    await expect(page.locator('#t-protected-hint').textContent()).resolves.toContain('never updates, deactivates or deletes');
    await field.fill('keeper');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await field.fill('remote-9');
    await field.press('Enter');
    await field.fill('mistake');
    await field.press('Enter');
    const list = page.getByRole('list', { name: 'Protected accounts' });
    await expect(list.locator('li span').allTextContents()).resolves.toEqual(['keeper', 'remote-9', 'mistake']);
    await page.getByRole('button', { name: 'Remove mistake' }).click();
    await expect(list.locator('li span').allTextContents()).resolves.toEqual(['keeper', 'remote-9']);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Targets' }).textContent()).toContain('Relay B (protected)');

    const stored = (await relays.a.api('GET', '/targets')).body.items.find((t: { name: string }) => t.name === 'Relay B (protected)');
    expect(stored.protectedAccounts).toEqual(['keeper', 'remote-9']);

    // "keeper" exists on relay B and is linked by a manual provision: protected, never written.
    await createScimUser(relays.b, 'keeper', { displayName: 'Set on B' });
    const id = await createScimUser(relays.a, 'keeper', { displayName: 'From A' });
    const provisioned = await relays.a.api('POST', `/users/${id}/provision`, { targetIds: [stored.id] });
    expect(provisioned.body.results[0]).toMatchObject({ outcome: 'protected' });
    expect((await findScimUser(relays.b, 'keeper'))?.displayName).toBe('Set on B');
    // A change on relay A queues it for the scheduled run: the plan says it is protected.
    const changed = await relays.a.scim('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Changed on A' }],
    });
    expect(changed.status, changed.text).toBe(200);
    await page.getByRole('button', { name: 'Plan of Relay B (protected)' }).click();
    const table = page.getByRole('table', { name: 'Plan for Relay B (protected)' });
    await table.waitFor();
    const rows = await tableRows(table);
    expect(rows).toEqual([['keeper', 'protected (never written)', expect.stringMatching(/^protected: /)]]);
  });
});
