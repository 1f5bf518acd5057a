/**
 * Membership drift in the user panel (issue #9): relay A pushes a group to relay B; the member
 * is removed on relay B; A's reconcile finds it, but its repair cannot land (relay B now refuses
 * A's writes: a read-only token). The panel must then say "membership drift — repairing" for that
 * target, never "in sync". Real Chromium with the built extension, the real Drupal 10.2 edit form
 * of alice.johnson (/user/2/edit), relay A and relay B.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionBrowser } from '../support/browser';
import { probeShadows } from '../support/closed-shadow';
import { startConnectedSite } from '../support/connected-site';
import type { FixtureSite } from '../support/fixture-site';
import { createScimUser, findScimUser, type RelayPair } from '../support/relays';

const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PANEL = 'scim-relay-panel';

describe('user panel: membership drift found by reconcile', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;

  beforeAll(async () => {
    ({ browser, site, relays } = await startConnectedSite());
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close()]);
  });

  it('says "membership drift — repairing" (panel and console), not in sync, while the removed membership is not restored', async () => {
    const { a, b } = relays;
    const aliceId = await createScimUser(a, 'alice.johnson', { emails: [{ value: 'alice.johnson@example.com', type: 'work', primary: true }] });
    const group = await a.scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Editors',
      members: [{ value: aliceId }],
    });
    expect(group.status, group.text).toBe(201);
    const created = await a.api('POST', '/targets', {
      name: 'Relay B groups',
      baseUrl: `${b.url}/scim/v2`,
      token: b.token,
      pushGroups: true,
      modes: { scheduled: { enabled: true, intervalMinutes: 60, operations: { create: true, update: true, deactivate: true, delete: false } } },
    });
    expect(created.status, created.text).toBe(201);
    const targetId: string = created.body.id;
    // "Run now" until the initial sync has sent alice and the group; the group's members follow
    // once alice exists on relay B (its push waits a few seconds for her).
    let remoteGroup: { id: string; members?: { value: string }[] } | undefined;
    for (let i = 0; i < 10 && !remoteGroup?.members?.length; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1500));
      expect((await a.api('POST', `/targets/${targetId}/run`, {})).status).toBe(200);
      remoteGroup = (await b.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Editors"')}`)).body.Resources[0];
    }
    const remoteAlice = await findScimUser(b, 'alice.johnson');
    expect(remoteGroup?.members?.map((m) => m.value)).toEqual([remoteAlice!.id]);

    // Drift on relay B, and relay B stops taking A's writes: reads still work.
    const removed = await b.scim('PATCH', `/Groups/${remoteGroup!.id}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'remove', path: `members[value eq "${remoteAlice!.id}"]` }],
    });
    expect(removed.status, removed.text).toBeLessThan(300);
    const readOnly = await b.api('POST', '/tokens', { name: 'read only', scopes: ['scim:read'] });
    expect(readOnly.status, readOnly.text).toBe(201);
    expect((await a.api('PATCH', `/targets/${targetId}`, { token: readOnly.body.secret })).status).toBe(200);
    const reconciled = await a.api('POST', `/targets/${targetId}/reconcile`, {});
    expect(reconciled.status, reconciled.text).toBe(200);
    expect(reconciled.body.state.found).toMatchObject({ members: 1 });

    const status = await a.api('GET', `/users/${aliceId}/status`);
    expect(status.body.links.find((l: { targetId: string }) => l.targetId === targetId)).toMatchObject({ state: 'pending', drift: ['memberships'] });

    const page = await browser.newPage();
    await page.goto(`${site.origin}/user/2/edit`);
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    const shadow = await probeShadows(page);
    await shadow.click(PANEL, '[data-scim-unmatched] button');
    await expect.poll(() => shadow.texts(PANEL, '[data-scim-unmatched]'), { timeout: 15_000 }).toEqual([]);
    const row = 'tr[data-scim-target="Relay B groups"]';
    await expect(shadow.inEach(PANEL, (root, _h, s: string) => root.querySelector(s)?.getAttribute('data-state') ?? null, row)).resolves.toEqual(['drift']);
    const cells = await shadow.texts(PANEL, `${row} td`);
    expect(cells[0]).toBe('membership drift — repairing');
    await page.close();

    // The console's Users tab says the same, not the link's bare "pending".
    const console = await browser.newPage();
    await console.goto(browser.extensionUrl('options.html#users'));
    await console.getByLabel('Find').fill('alice');
    const entry = console.getByRole('table', { name: 'Users' }).locator('tr', { hasText: 'alice.johnson' }).locator('li[data-target="Relay B groups"]');
    await expect.poll(() => entry.textContent(), { timeout: 15_000 }).toContain('Relay B groups: membership drift — repairing');
    await console.close();
  });
});
