/**
 * The People overlay end to end: real Chromium with the built extension, the real Drupal 10.2
 * People page served under /admin/people, relay A (the extension's relay) with two targets —
 * relay B and a SCIM app that rejects one user and is busy (503) for another — and the extension
 * connected as an admin would.
 */
import { statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultTarget, type FaultTarget } from '../../support/fault-target/server';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { connectExtension, setRelayToken, setRelayUrl } from '../support/connect';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { screenshotPath } from '../support/screenshots.ts';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site';
import { createScimUser, findScimUser, RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays';

const FAULT_TOKEN = 'people-overlay-fault-token-0123456789';

describe('People list overlay (Drupal 10.2 capture, Claro)', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;
  let proxy: CountingProxy;
  let flaky: FaultTarget;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    [browser, site, relays, flaky] = await Promise.all([launchExtensionBrowser(), startFixtureSite(), startRelayPair(), startFaultTarget(FAULT_TOKEN)]);
    proxy = await startCountingProxy(relays.a.url);
    // The app refuses frank.miller for good: a permanent, visible failure with its reason.
    const fault = await fetch(`${flaky.url}/t/people/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          match: { method: 'POST', path: '/scim/v2/Users', bodyIncludes: '"userName":"frank.miller"' },
          times: 100,
          respond: { status: 400, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidValue', detail: 'department is required' } },
        },
      ]),
    });
    expect(fault.status).toBe(200);
    // Relay A knows six of the nine Drupal accounts (by userName: the site is not a source here).
    for (const name of ['heidi.wilson', 'grace.lee', 'frank.miller', 'erin.davis', 'carol.white', 'bob.smith']) ids[name] = await createScimUser(relays.a, name);
    // On WordPress the list shows emails: li.wei is known to the relay under another userName.
    ids['wei'] = await createScimUser(relays.a, 'wei@corp.example', { emails: [{ value: 'li.wei@example.com', type: 'work', primary: true }] });
    // Added once those users exist and without an initial sync: only what changes from now on
    // (and what is provisioned by hand) reaches it, so the other accounts stay "not linked".
    const app = await relays.a.api('POST', '/targets', { name: 'Flaky app', baseUrl: `${flaky.url}/t/people/scim/v2`, token: FAULT_TOKEN, initialSync: false });
    expect(app.status, app.text).toBe(201);
    for (const name of ['heidi.wilson', 'frank.miller']) {
      const res = await relays.a.api('POST', `/users/${ids[name]}/provision`, {});
      expect(res.status, res.text).toBe(200);
    }
    // erin.davis is pending on the app, genuinely: the app's scheduled run meets a 503 for her,
    // a transient failure, so her row waits for its retry and her link says pending until then.
    // (A change merely queued for a run leaves the link as it was: only the dispatcher writes it.)
    const scheduled = await relays.a.api('PATCH', `/targets/${app.body.id}`, { modes: { manual: { enabled: true }, scheduled: { enabled: true, intervalMinutes: 60 } } });
    expect(scheduled.status, scheduled.text).toBe(200);
    const busy = await fetch(`${flaky.url}/t/people/__control/faults?append=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          match: { method: 'POST', path: '/scim/v2/Users', bodyIncludes: '"userName":"erin.davis"' },
          times: 1,
          respond: { status: 503, headers: { 'retry-after': '3600' }, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503', detail: 'try again later' } },
        },
      ]),
    });
    expect(busy.status).toBe(200);
    const renamed = await relays.a.scim('PATCH', `/Users/${ids['erin.davis']}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Erin Davis' }],
    });
    expect(renamed.status, renamed.text).toBe(200);
    const run = await relays.a.api('POST', `/targets/${app.body.id}/run`, { mode: 'scheduled' });
    expect(run.status, run.text).toBe(200);
    await connectExtension(browser.background, { relayUrl: proxy.url, relayToken: RELAY_A_TOKEN, sites: [site.origin] });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close(), proxy?.close(), flaky?.close()]);
  });

  const rowOf = (page: Page, name: string) => page.locator('table.views-table tbody tr', { has: page.locator(`a.username:text-is("${name}")`) });
  const chipsOf = (page: Page, name: string) => rowOf(page, name).locator('scim-relay-chips .chip');

  async function openPeople(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/admin/people`);
    await page.locator('scim-relay-chips[data-scim-state="loading"]').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
    await expect.poll(() => page.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(9);
    return page;
  }

  it('shows a chip per target on every row, from one batched lookup', async () => {
    proxy.reset();
    const page = await openPeople();
    const heidi = await chipsOf(page, 'heidi.wilson').evaluateAll((els) => els.map((e) => e.firstChild?.textContent));
    expect(heidi).toEqual(['Relay B: in sync', 'Flaky app: in sync']);
    const frank = await chipsOf(page, 'frank.miller').evaluateAll((els) => els.map((e) => e.firstChild?.textContent));
    expect(frank).toEqual(['Relay B: in sync', 'Flaky app: failed']);
    const grace = await chipsOf(page, 'grace.lee').evaluateAll((els) => els.map((e) => e.firstChild?.textContent));
    expect(grace).toEqual(['Relay B: not linked', 'Flaky app: not linked']);
    // dave.brown (uid 5) is not in the relay at all.
    await expect(chipsOf(page, 'dave.brown').first().evaluate((e) => e.firstChild?.textContent)).resolves.toBe('not in relay');
    expect(proxy.count('POST /api/v1/users/lookup')).toBe(1);
    expect(proxy.calls).toHaveLength(1);
    await page.close();
  });

  it('shows a link waiting for its retry as pending, with the next attempt in its description', async () => {
    const status = await relays.a.api('GET', `/users/${ids['erin.davis']}/status`);
    const link = status.body.links.find((l: { targetName: string }) => l.targetName === 'Flaky app');
    expect(link).toMatchObject({ state: 'pending', remoteId: null });
    expect(Date.parse(link.nextAttemptAt)).toBeGreaterThan(Date.now() + 30 * 60_000);
    const page = await openPeople();
    const chips = chipsOf(page, 'erin.davis');
    await expect(chips.evaluateAll((els) => els.map((e) => e.firstChild?.textContent))).resolves.toEqual(['Relay B: not linked', 'Flaky app: pending']);
    const pending = chips.nth(1);
    await expect(pending.getAttribute('data-state')).resolves.toBe('pending');
    // Its accessible description is the tooltip it points at, read out on focus.
    const tipId = await pending.getAttribute('aria-describedby');
    const tip = pending.locator(`[id="${tipId}"]`);
    await expect(tip.getAttribute('role')).resolves.toBe('tooltip');
    await expect(tip.textContent()).resolves.toMatch(/^Waiting to be sent to Flaky app \(next attempt .+\)\. \(matched by name: erin\.davis\)$/);
    await pending.focus();
    await expect(tip.isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('keeps page CSS out of the chips and opens the failure reason on keyboard focus', async () => {
    const page = await openPeople();
    // A hostile page style: nothing of it may reach inside the shadow root.
    await page.addStyleTag({ content: 'span, button { color: rgb(255, 0, 0) !important; font-size: 40px !important; display: none !important; }' });
    const failed = chipsOf(page, 'frank.miller').nth(1);
    await expect(failed.evaluate((e) => getComputedStyle(e).fontSize)).resolves.toBe('11px');
    // inline-flex, blockified to flex as an item of the row's flex box; not the page's display: none.
    await expect(failed.evaluate((e) => getComputedStyle(e).display)).resolves.toBe('flex');
    const tip = failed.locator('.tip');
    await expect(tip.isVisible()).resolves.toBe(false);
    await failed.focus();
    await expect(tip.isVisible()).resolves.toBe(true);
    await expect(tip.textContent()).resolves.toMatch(/^Failed on Flaky app: .*department is required/);
    await expect(failed.getAttribute('aria-describedby')).resolves.toBe(await tip.getAttribute('id'));
    await page.close();
  });

  it('captures the list overlay with a failure reason open (docs/screenshots/ with UPDATE_SCREENSHOTS=1)', async () => {
    const page = await openPeople();
    await chipsOf(page, 'frank.miller').nth(1).focus();
    const file = screenshotPath('people-overlay.png');
    await page.locator('table.views-table').screenshot({ path: file });
    expect(statSync(file).size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('"Provision" on a row sends the user to every target, relay B receives it, and the chips update', async () => {
    const page = await openPeople();
    expect(await findScimUser(relays.b, 'grace.lee')).toBeUndefined();
    proxy.reset();
    await rowOf(page, 'grace.lee').getByRole('button', { name: 'Provision grace.lee' }).click();
    await expect.poll(() => chipsOf(page, 'grace.lee').evaluateAll((els) => els.map((e) => e.firstChild?.textContent)), { timeout: 15_000 }).toEqual(['Relay B: in sync', 'Flaky app: in sync']);
    expect((await findScimUser(relays.b, 'grace.lee'))?.userName).toBe('grace.lee');
    await expect(rowOf(page, 'grace.lee').locator('scim-relay-chips .note').textContent()).resolves.toBe('Provisioned to Relay B, Flaky app.');
    // One provision call, then one lookup to refresh the page.
    expect(proxy.calls.filter((c) => c.startsWith('POST /api/v1/users/lookup'))).toHaveLength(2);
    expect(proxy.count(`POST /api/v1/users/${ids['grace.lee']}/provision`)).toBe(1);
    await page.close();
  });

  it('shows a target failure after "Provision" instead of swallowing it', async () => {
    const page = await openPeople();
    await rowOf(page, 'frank.miller').getByRole('button', { name: 'Provision frank.miller' }).click();
    const note = rowOf(page, 'frank.miller').locator('scim-relay-chips .note[data-kind="error"]');
    await expect.poll(() => note.textContent(), { timeout: 15_000 }).toMatch(/^Flaky app: .*department is required/);
    await expect(note.getAttribute('role')).resolves.toBe('alert');
    await page.close();
  });

  it('provisions the rows ticked in the page\'s own bulk checkboxes together', async () => {
    const page = await openPeople();
    const bar = page.locator('scim-relay-bar');
    await expect(bar.getByRole('button', { name: 'Provision selected (0)' }).isDisabled()).resolves.toBe(true);
    await rowOf(page, 'erin.davis').locator('input.form-checkbox').check();
    await rowOf(page, 'carol.white').locator('input.form-checkbox').check();
    await bar.getByRole('button', { name: 'Provision selected (2)' }).click();
    await expect.poll(() => bar.locator('[data-scim-message]').textContent(), { timeout: 20_000 }).toBe('2 of 2 provisioned.');
    expect((await findScimUser(relays.b, 'erin.davis'))?.userName).toBe('erin.davis');
    expect((await findScimUser(relays.b, 'carol.white'))?.userName).toBe('carol.white');
    await expect(chipsOf(page, 'carol.white').first().evaluate((e) => e.firstChild?.textContent)).resolves.toBe('Relay B: in sync');
    await page.close();
  });

  it('follows the table when it changes (AJAX paging): new rows get chips from one more lookup', async () => {
    const page = await openPeople();
    proxy.reset();
    // What an AJAX view refresh does: the rows are replaced in place (here: bob.smith's row re-rendered as uid 12).
    await page.evaluate(() => {
      const tbody = document.querySelector('table.views-table tbody')!;
      const rows = [...tbody.querySelectorAll('tr')];
      const clone = rows[0]!.cloneNode(true) as HTMLTableRowElement;
      clone.querySelector('scim-relay-chips')?.remove();
      const box = clone.querySelector<HTMLInputElement>('input[name^="user_bulk_form"]')!;
      box.value = btoa('["en","12"]');
      const link = clone.querySelector('a.username')!;
      link.textContent = 'bob.smith';
      link.setAttribute('href', '/user/12');
      for (const r of rows.slice(1)) r.remove();
      rows[0]!.replaceWith(clone);
    });
    await expect.poll(() => page.locator('scim-relay-chips').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => chipsOf(page, 'bob.smith').first().evaluate((e) => e.firstChild?.textContent), { timeout: 10_000 }).toBe('Relay B: not linked');
    expect(proxy.count('POST /api/v1/users/lookup')).toBe(1);
    await expect(page.locator('scim-relay-bar [data-scim-summary]').textContent()).resolves.toMatch(/^1 user on this page/);
    await page.close();
  });

  it('says so when the token is refused, and recovers with Retry once it is fixed', async () => {
    await setRelayToken(browser.background, 'not-the-admin-token-at-all');
    const page = await browser.newPage();
    await page.goto(`${site.origin}/admin/people`);
    const alert = page.locator('scim-relay-bar [role="alert"]');
    await expect.poll(() => alert.textContent(), { timeout: 15_000 }).toBe('The relay refused the admin token (401): check it in the extension options.');
    await expect(chipsOf(page, 'heidi.wilson').first().evaluate((e) => e.firstChild?.textContent)).resolves.toBe('status unavailable');
    await setRelayToken(browser.background, RELAY_A_TOKEN);
    await page.locator('scim-relay-bar').getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => chipsOf(page, 'heidi.wilson').first().evaluate((e) => e.firstChild?.textContent), { timeout: 15_000 }).toBe('Relay B: in sync');
    await page.close();
  });

  it('says so when the relay is down', async () => {
    // A port nothing listens on: the proxy closed, as a stopped relay would.
    const gone = await startCountingProxy(relays.a.url);
    await gone.close();
    await setRelayUrl(browser.background, gone.url);
    try {
      const page = await browser.newPage();
      await page.goto(`${site.origin}/admin/people`);
      await expect.poll(() => page.locator('scim-relay-bar [role="alert"]').textContent(), { timeout: 15_000 }).toBe('The relay could not be reached (is it running, and is the address right?).');
      await page.close();
    } finally {
      await setRelayUrl(browser.background, proxy.url);
    }
  });

  it('puts the same overlay on the Gin People page', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/gin/admin/people`);
    await expect.poll(() => page.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(3);
    await expect(page.locator('scim-relay-bar').count()).resolves.toBe(1);
    await page.close();
  });

  it('puts chips on WordPress users.php too, matching by the email the list shows', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/wp-admin/users.php`);
    await expect.poll(() => page.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(8);
    const wei = page.locator('tr#user-6 scim-relay-chips .chip');
    await expect(wei.evaluateAll((els) => els.map((e) => e.firstChild?.textContent))).resolves.toEqual(['Relay B: not linked', 'Flaky app: not linked']);
    await expect(wei.first().locator('.tip').textContent()).resolves.toMatch(/matched by email: wei@corp\.example/);
    await expect(page.locator('tr#user-5 scim-relay-chips .chip').first().evaluate((e) => e.firstChild?.textContent)).resolves.toBe('not in relay');
    await page.close();
  });
});
