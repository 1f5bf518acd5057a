/**
 * The console's "Sync & drift" on a target (issue #9), end to end: real Chromium with the built
 * extension, relay A (the console's relay) and relay B as a target created after users exist, so
 * it starts with an initial sync. The panel shows the full pass's progress, then reconciles on
 * demand and reports the drift found (none on an untouched target, then a user deleted on B).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { openConsoleTargets } from '../support/console';
import { createScimUser, findScimUser, startRelayPair, type RelayPair } from '../support/relays';

describe('options console: a target’s sync and drift', () => {
  let browser: ExtensionBrowser;
  let relays: RelayPair;
  let page: Page;
  let targetId: string;

  beforeAll(async () => {
    [browser, relays] = await Promise.all([launchExtensionBrowser(), startRelayPair()]);
    for (const name of ['ann.sync', 'ben.sync', 'cat.sync']) await createScimUser(relays.a, name);
    // A second target on relay B, created after the users: it starts with an initial sync.
    const created = await relays.a.api('POST', '/targets', {
      name: 'Fresh B',
      baseUrl: `${relays.b.url}/scim/v2`,
      token: relays.b.token,
      modes: { scheduled: { enabled: true, intervalMinutes: 60 } },
    });
    expect(created.status, created.text).toBe(201);
    targetId = created.body.id;
    page = await openConsoleTargets(browser, relays);
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), relays?.close()]);
  });

  it('shows the initial sync, then its completion after a run', async () => {
    await page.getByRole('button', { name: 'Sync and drift of Fresh B' }).click();
    const panel = page.getByRole('region', { name: 'Sync & drift: Fresh B' });
    await expect.poll(() => panel.getByRole('region', { name: 'Sync' }).textContent(), { timeout: 15_000 }).toContain('Initial sync');
    await expect(panel.getByRole('region', { name: 'Sync' }).textContent()).resolves.toContain('of 3 settled');

    expect((await relays.a.api('POST', `/targets/${targetId}/run`, { mode: 'scheduled' })).status).toBe(200);
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => panel.getByRole('region', { name: 'Sync' }).textContent(), { timeout: 15_000 }).toContain('complete');
    for (const name of ['ann.sync', 'ben.sync', 'cat.sync']) expect(await findScimUser(relays.b, name)).toBeDefined();
  });

  it('reconciles on demand and reports the drift it found', async () => {
    const panel = page.getByRole('region', { name: 'Sync & drift: Fresh B' });
    await panel.getByRole('button', { name: 'Reconcile Fresh B' }).click();
    await expect.poll(() => panel.getByRole('status').textContent(), { timeout: 20_000 }).toMatch(/Reconcil/);
    await expect.poll(() => panel.getByRole('region', { name: 'Reconcile' }).textContent(), { timeout: 20_000 }).toContain('Drift found: none');

    // Deleted directly on relay B: the next reconcile finds it and queues its repair.
    const gone = await findScimUser(relays.b, 'ben.sync');
    expect((await relays.b.scim('DELETE', `/Users/${gone!.id}`)).status).toBe(204);
    await panel.getByRole('button', { name: 'Reconcile Fresh B' }).click();
    await expect.poll(() => panel.getByRole('region', { name: 'Reconcile' }).textContent(), { timeout: 20_000 }).toContain('1 deleted on the target');
  });
});
