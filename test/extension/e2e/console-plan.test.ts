/**
 * The console's "Plan" on a target, end to end: real Chromium with the built extension, relay A
 * (the console's relay) and relay B added from the console as a scheduled target, whose queue
 * the plan lists (GET /targets/{id}/plan) without sending anything.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { fillTargetToB, openConsoleTargets, tableRows } from '../support/console';
import { createScimUser, findScimUser, startRelayPair, type RelayPair } from '../support/relays';

describe('options console: a target’s plan', () => {
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

  const targetsTable = () => page.getByRole('table', { name: 'Targets' });

  it('lists what the next run would send: the create of a user added on relay A', async () => {
    // Scheduled (hourly by default): changes queue for the target and wait for its run.
    await fillTargetToB(page, relays, 'Relay B (planned)', 'Scheduled');
    await page.getByRole('button', { name: 'Save and test' }).click();
    await page.getByRole('region', { name: 'Test report' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => targetsTable().textContent()).toContain('Relay B (planned)');

    // Nothing queued yet for the new target: the plan says so.
    await page.getByRole('button', { name: 'Plan of Relay B (planned)' }).click();
    const panel = page.getByRole('region', { name: 'Plan for Relay B (planned)' });
    await expect.poll(() => panel.textContent()).toContain('Nothing queued: the next run would send nothing.');
    // Focus moved to the plan, so a keyboard user lands on it.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('plan-heading');

    // A change on relay A queues a row for the target; its schedule has not run.
    await createScimUser(relays.a, 'plan.person');
    await panel.getByRole('button', { name: 'Refresh plan' }).press('Enter');
    const table = panel.getByRole('table', { name: 'Plan for Relay B (planned)' });
    await table.waitFor();
    const rows = await tableRows(table);
    const stored = (await relays.a.api('GET', '/targets')).body.items.find((t: { name: string }) => t.name === 'Relay B (planned)');
    const planned = (await relays.a.api('GET', `/targets/${stored.id}/plan`)).body.operations as { action: string; detail: string }[];
    expect(planned).toHaveLength(1);
    expect(rows).toEqual([['plan.person', 'create', planned[0]!.detail]]);
    expect(planned[0]!.action).toBe('create');
    // A plan sends nothing.
    expect(await findScimUser(relays.b, 'plan.person')).toBeUndefined();

    await panel.getByRole('button', { name: 'Close plan' }).click();
    await expect(panel.count()).resolves.toBe(0);
  });

  it('shows why the plan cannot be had, in words', async () => {
    const gone = await relays.a.api('POST', '/targets', { name: 'Gone app', baseUrl: 'https://gone.example/scim/v2', token: 'x' });
    expect(gone.status, gone.text).toBe(201);
    await page.reload();
    await expect.poll(() => targetsTable().textContent()).toContain('Gone app');
    // Deleted behind the console's back: the relay answers 404 for its plan.
    expect((await relays.a.api('DELETE', `/targets/${gone.body.id}`)).status).toBeLessThan(300);
    await page.getByRole('button', { name: 'Plan of Gone app' }).click();
    const panel = page.getByRole('region', { name: 'Plan for Gone app' });
    await expect.poll(() => panel.getByRole('alert').textContent()).toBe('The target does not exist.');
    await expect(panel.getByRole('table').count()).resolves.toBe(0);
  });
});
