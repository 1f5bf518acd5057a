/**
 * The People overlay end to end: real Chromium with the built extension, the real Drupal 10.2
 * People page served under /admin/people, relay A (the extension's relay) with two targets —
 * relay B and a SCIM app that rejects one user and is busy (503) for another — and the extension
 * connected as an admin would. The site is neither a source nor a target: rows are matched by the
 * names and emails the page shows once the admin presses "Match by name/email". The overlay's
 * shadow roots are closed; the test reads them through the DevTools protocol and clicks with real
 * mouse input (support/closed-shadow.ts).
 */
import { statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultTarget, type FaultTarget } from '../../support/fault-target/server';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { chipLabels, chipsHostOf, probeShadows, type ShadowProbe } from '../support/closed-shadow';
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
          respond: {
            status: 400,
            body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidValue', detail: 'department is required' },
          },
        },
      ]),
    });
    expect(fault.status).toBe(200);
    // Relay A knows six of the nine Drupal accounts (by userName: the site is not a source here).
    for (const name of ['heidi.wilson', 'grace.lee', 'frank.miller', 'erin.davis', 'carol.white', 'bob.smith'])
      ids[name] = await createScimUser(relays.a, name);
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
    const scheduled = await relays.a.api('PATCH', `/targets/${app.body.id}`, {
      modes: { manual: { enabled: true }, scheduled: { enabled: true, intervalMinutes: 60 } },
    });
    expect(scheduled.status, scheduled.text).toBe(200);
    const busy = await fetch(`${flaky.url}/t/people/__control/faults?append=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          match: { method: 'POST', path: '/scim/v2/Users', bodyIncludes: '"userName":"erin.davis"' },
          times: 1,
          respond: {
            status: 503,
            headers: { 'retry-after': '3600' },
            body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503', detail: 'try again later' },
          },
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
  let shadow: ShadowProbe;
  const chipsOf = async (page: Page, name: string) => chipLabels(shadow, await chipsHostOf(page, name));
  const inRow = async (page: Page, name: string, inner: string) => shadow.texts(await chipsHostOf(page, name), inner);
  const provisionRow = async (page: Page, name: string) => shadow.click(await chipsHostOf(page, name), 'button');
  const knownRows = async () =>
    (await shadow.inEach('scim-relay-chips', (root) => root.querySelector('[data-scim-view="known"]') !== null)).filter(Boolean).length;

  /** Presses "Match by name/email" on the bar as the admin would, and waits for the rows it finds. */
  async function matchByName(): Promise<void> {
    await shadow.click('scim-relay-bar', '[data-scim-match]');
    await expect.poll(knownRows, { timeout: 15_000 }).toBeGreaterThan(0);
  }

  async function openPeople(path = '/admin/people', rows = 9): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${site.origin}${path}`);
    await expect.poll(() => page.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(rows);
    shadow = await probeShadows(page);
    await matchByName();
    return page;
  }

  it('shows a chip per target on every row, from one batched lookup per step: uids on load, names and emails on "Match"', async () => {
    proxy.reset();
    const page = await openPeople();
    await expect(chipsOf(page, 'heidi.wilson')).resolves.toEqual(['Relay B: in sync', 'Flaky app: in sync']);
    await expect(chipsOf(page, 'frank.miller')).resolves.toEqual(['Relay B: in sync', 'Flaky app: failed']);
    await expect(chipsOf(page, 'grace.lee')).resolves.toEqual(['Relay B: not linked', 'Flaky app: not linked']);
    // dave.brown (uid 5) is not in the relay at all.
    await expect(chipsOf(page, 'dave.brown')).resolves.toEqual(['not in relay']);
    expect(proxy.calls).toEqual(['POST /api/v1/users/lookup', 'POST /api/v1/users/lookup']);
    const [onLoad, onMatch] = proxy.bodies.map((b) => JSON.parse(b.body) as { userNames?: string[]; emails?: string[]; uids?: string[] });
    expect(onLoad).not.toHaveProperty('userNames');
    expect(onLoad).not.toHaveProperty('emails');
    expect(onLoad!.uids).toHaveLength(9);
    expect(onMatch!.userNames).toContain('heidi.wilson');
    await expect(shadow.texts('scim-relay-bar', '[data-scim-summary]')).resolves.toEqual([
      '9 users on this page · not a source or target of this relay (matched by name/email)',
    ]);
    await page.close();
  });

  it('shows a link waiting for its retry as pending, with the next attempt in its description', async () => {
    const status = await relays.a.api('GET', `/users/${ids['erin.davis']}/status`);
    const link = status.body.links.find((l: { targetName: string }) => l.targetName === 'Flaky app');
    expect(link).toMatchObject({ state: 'pending', remoteId: null });
    expect(Date.parse(link.nextAttemptAt)).toBeGreaterThan(Date.now() + 30 * 60_000);
    const page = await openPeople();
    const host = await chipsHostOf(page, 'erin.davis');
    await expect(chipLabels(shadow, host)).resolves.toEqual(['Relay B: not linked', 'Flaky app: pending']);
    // Its accessible description is the tooltip it points at, read out on focus.
    const [pending] = await shadow.inEach(host, (root) => {
      const chip = root.querySelectorAll<HTMLElement>('.chip')[1]!;
      const tip = root.getElementById(chip.getAttribute('aria-describedby')!)!;
      const hiddenBefore = tip.checkVisibility();
      chip.focus();
      return {
        state: chip.getAttribute('data-state'),
        role: tip.getAttribute('role'),
        text: tip.textContent,
        hiddenBefore,
        shownOnFocus: tip.checkVisibility(),
      };
    });
    expect(pending).toMatchObject({ state: 'pending', role: 'tooltip', hiddenBefore: false, shownOnFocus: true });
    expect(pending!.text).toMatch(/^Waiting to be sent to Flaky app \(next attempt .+\)\. \(matched by name: erin\.davis\)$/);
    await page.close();
  });

  it('keeps page CSS out of the chips and opens the failure reason on keyboard focus', async () => {
    const page = await openPeople();
    // A hostile page style: nothing of it may reach inside the shadow root.
    await page.addStyleTag({ content: 'span, button { color: rgb(255, 0, 0) !important; font-size: 40px !important; display: none !important; }' });
    const [failed] = await shadow.inEach(await chipsHostOf(page, 'frank.miller'), (root) => {
      const chip = root.querySelectorAll<HTMLElement>('.chip')[1]!;
      const tip = chip.querySelector<HTMLElement>('.tip')!;
      const style = getComputedStyle(chip);
      const hiddenBefore = tip.checkVisibility();
      chip.focus();
      return {
        fontSize: style.fontSize,
        display: style.display,
        hiddenBefore,
        shownOnFocus: tip.checkVisibility(),
        text: tip.textContent,
        describedBy: chip.getAttribute('aria-describedby'),
        tipId: tip.id,
      };
    });
    expect(failed!.fontSize).toBe('11px');
    // inline-flex, blockified to flex as an item of the row's flex box; not the page's display: none.
    expect(failed!.display).toBe('flex');
    expect(failed).toMatchObject({ hiddenBefore: false, shownOnFocus: true });
    expect(failed!.text).toMatch(/^Failed on Flaky app: .*department is required/);
    expect(failed!.describedBy).toBe(failed!.tipId);
    await page.close();
  });

  it('captures the list overlay with a failure reason open (docs/screenshots/ with UPDATE_SCREENSHOTS=1)', async () => {
    const page = await openPeople();
    await shadow.inEach(await chipsHostOf(page, 'frank.miller'), (root) => root.querySelectorAll<HTMLElement>('.chip')[1]!.focus());
    const file = screenshotPath('people-overlay.png');
    await page.locator('table.views-table').screenshot({ path: file });
    expect(statSync(file).size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('"Provision" on a row sends the user to every target, relay B receives it, and the chips update', async () => {
    const page = await openPeople();
    expect(await findScimUser(relays.b, 'grace.lee')).toBeUndefined();
    proxy.reset();
    await provisionRow(page, 'grace.lee');
    await expect.poll(() => chipsOf(page, 'grace.lee'), { timeout: 15_000 }).toEqual(['Relay B: in sync', 'Flaky app: in sync']);
    expect((await findScimUser(relays.b, 'grace.lee'))?.userName).toBe('grace.lee');
    await expect(inRow(page, 'grace.lee', '.note')).resolves.toEqual(['Provisioned to Relay B, Flaky app.']);
    // One provision call, then one lookup to refresh the page.
    expect(proxy.calls.filter((c) => c.startsWith('POST /api/v1/users/lookup'))).toHaveLength(2);
    expect(proxy.count(`POST /api/v1/users/${ids['grace.lee']}/provision`)).toBe(1);
    await page.close();
  });

  it('shows a target failure after "Provision" instead of swallowing it', async () => {
    const page = await openPeople();
    await provisionRow(page, 'frank.miller');
    await expect
      .poll(() => inRow(page, 'frank.miller', '.note[data-kind="error"]'), { timeout: 15_000 })
      .toEqual([expect.stringMatching(/^Flaky app: .*department is required/)]);
    await expect(shadow.inEach(await chipsHostOf(page, 'frank.miller'), (root) => root.querySelector('.note')?.getAttribute('role'))).resolves.toEqual([
      'alert',
    ]);
    await page.close();
  });

  it("provisions the rows ticked in the page's own bulk checkboxes together", async () => {
    const page = await openPeople();
    const selectedButton = () =>
      shadow.inEach('scim-relay-bar', (root) => ({
        text: root.querySelector('button.primary')!.textContent,
        disabled: root.querySelector<HTMLButtonElement>('button.primary')!.disabled,
      }));
    await expect(selectedButton()).resolves.toEqual([{ text: 'Provision selected (0)', disabled: true }]);
    await rowOf(page, 'erin.davis').locator('input.form-checkbox').check();
    await rowOf(page, 'carol.white').locator('input.form-checkbox').check();
    await expect.poll(selectedButton).toEqual([{ text: 'Provision selected (2)', disabled: false }]);
    await shadow.click('scim-relay-bar', 'button.primary');
    await expect.poll(() => shadow.texts('scim-relay-bar', '[data-scim-message]'), { timeout: 20_000 }).toEqual(['2 of 2 provisioned.']);
    expect((await findScimUser(relays.b, 'erin.davis'))?.userName).toBe('erin.davis');
    expect((await findScimUser(relays.b, 'carol.white'))?.userName).toBe('carol.white');
    await expect(chipsOf(page, 'carol.white')).resolves.toEqual(['Relay B: in sync', 'Flaky app: in sync']);
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
    // Matching by name, once asked for, holds for rows that arrive later.
    await expect.poll(async () => (await chipsOf(page, 'bob.smith'))[0], { timeout: 10_000 }).toBe('Relay B: not linked');
    expect(proxy.count('POST /api/v1/users/lookup')).toBe(1);
    await expect(shadow.texts('scim-relay-bar', '[data-scim-summary]')).resolves.toEqual([expect.stringMatching(/^1 user on this page/)]);
    await page.close();
  });

  it('says so when the token is refused, and recovers with Retry once it is fixed', async () => {
    await setRelayToken(browser.background, 'not-the-admin-token-at-all');
    const page = await browser.newPage();
    await page.goto(`${site.origin}/admin/people`);
    await expect.poll(() => page.locator('scim-relay-chips[data-scim-state="error"]').count(), { timeout: 15_000 }).toBe(9);
    shadow = await probeShadows(page);
    await expect(shadow.texts('scim-relay-bar', '[role="alert"]')).resolves.toEqual([
      'The relay refused the admin token (401): check it in the extension options.',
    ]);
    await expect(chipsOf(page, 'heidi.wilson')).resolves.toEqual(['status unavailable']);
    await setRelayToken(browser.background, RELAY_A_TOKEN);
    await shadow.click('scim-relay-bar', '[data-scim-error] + button');
    await expect.poll(async () => (await chipsOf(page, 'heidi.wilson'))[0], { timeout: 15_000 }).toBe('not in relay');
    await matchByName();
    await expect.poll(async () => (await chipsOf(page, 'heidi.wilson'))[0], { timeout: 15_000 }).toBe('Relay B: in sync');
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
      await expect.poll(() => page.locator('scim-relay-chips[data-scim-state="error"]').count(), { timeout: 15_000 }).toBe(9);
      shadow = await probeShadows(page);
      await expect(shadow.texts('scim-relay-bar', '[role="alert"]')).resolves.toEqual([
        'The relay could not be reached (is it running, and is the address right?).',
      ]);
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
    const page = await openPeople('/wp-admin/users.php', 8);
    await expect(chipLabels(shadow, 'tr#user-6 scim-relay-chips')).resolves.toEqual(['Relay B: not linked', 'Flaky app: not linked']);
    await expect(shadow.texts('tr#user-6 scim-relay-chips', '.tip')).resolves.toEqual([
      expect.stringMatching(/matched by email: wei@corp\.example/),
      expect.stringMatching(/matched by email/),
    ]);
    await expect(chipLabels(shadow, 'tr#user-5 scim-relay-chips')).resolves.toEqual(['not in relay']);
    await page.close();
  });
});
