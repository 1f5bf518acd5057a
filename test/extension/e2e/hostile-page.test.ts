/**
 * A script on a page of an added site (an XSS, a malicious module) shares the DOM with the
 * content script. It must not be able to make the extension act or read what it shows:
 *  - a save note forged in the page's own storage, or a submit the script makes, re-imports and
 *    provisions nothing (the note is the background's, per tab, for the admin's own submit);
 *  - on a site that is neither source nor target, the page's names and emails are not looked up
 *    on load (only after the admin presses "Match by name/email");
 *  - the overlay's shadow roots are closed: no text, no buttons for the page; and a synthetic
 *    click, even on the real button, provisions nothing.
 * Relay A is reached through a counting proxy, so "nothing" is measured on the wire.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrupalSite, type DrupalSiteHandle } from '../../support/drupal-site/client';
import { startDrupalSite, type DrupalSiteServer } from '../../support/drupal-site/server';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser.ts';
import { chipsHostOf, probeShadows } from '../support/closed-shadow.ts';
import { connectExtension } from '../support/connect.ts';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.ts';
import { drupalRoutes, proxyRoute, startFixtureSite, type FixtureSite } from '../support/fixture-site.ts';
import { createScimUser, RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays.ts';

/** Long enough for the content script, its messages and a relay round trip, had any been sent. */
const SETTLE_MS = 2_000;

describe('a hostile script on an added site', () => {
  let browser: ExtensionBrowser;
  let source: FixtureSite;
  let plain: FixtureSite;
  let relays: RelayPair;
  let proxy: CountingProxy;
  let drupalServer: DrupalSiteServer;
  let drupal: DrupalSiteHandle;

  beforeAll(async () => {
    [browser, relays, drupalServer, plain] = await Promise.all([launchExtensionBrowser(), startRelayPair(), startDrupalSite(), startFixtureSite()]);
    drupal = await createDrupalSite(drupalServer.url, { fixture: 'drupal10-real' });
    source = await startFixtureSite({ ...drupalRoutes(), '/jsonapi/*': proxyRoute(drupal.baseUrl) });
    proxy = await startCountingProxy(relays.a.url);
    const admin = drupal.accounts.find((a) => a.model === 'admin' && a.username)!;
    const created = await relays.a.api('POST', '/sources', {
      name: 'People site',
      kind: 'drupal-jsonapi',
      baseUrl: source.origin,
      credentials: { type: 'basic', username: admin.username, password: admin.password },
    });
    expect(created.status, created.text).toBe(201);
    // Directory users a page might go fishing for by name and email.
    for (const name of ['heidi.wilson', 'grace.lee', 'bob.smith'])
      await createScimUser(relays.a, name, { emails: [{ value: `${name}@example.com`, type: 'work', primary: true }] });
    await connectExtension(browser.background, { relayUrl: proxy.url, relayToken: RELAY_A_TOKEN, sites: [source.origin, plain.origin] });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), source?.close(), plain?.close(), relays?.close(), proxy?.close(), drupalServer?.close()]);
  });

  /** Relay calls that change something: a re-import from the source, or provisioning. */
  const actions = () => proxy.calls.filter((c) => /\/import$|\/provision$/.test(c));

  async function openPanel(url: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    return page;
  }

  it("a save note forged in the page's sessionStorage re-imports and provisions nothing", async () => {
    const page = await openPanel(`${source.origin}/user/2/edit`);
    proxy.reset();
    // The note the extension used to keep in the page's own storage, written by the page.
    await page.evaluate((site) => sessionStorage.setItem('scim-relay:saved-user', JSON.stringify({ site, uid: '2', at: Date.now() })), source.origin);
    await page.reload();
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(SETTLE_MS);
    expect(actions()).toEqual([]);
    const shadow = await probeShadows(page);
    await expect(shadow.texts('scim-relay-panel', '[data-scim-saved]')).resolves.toEqual([]);
    await page.close();
  });

  it("a submit the page script makes (requestSubmit, a dispatched submit event) is not taken for the admin's save", async () => {
    const page = await openPanel(`${source.origin}/user/2/edit`);
    proxy.reset();
    // requestSubmit() fires a submit event the browser marks trusted, and really posts the form.
    await Promise.all([
      page.waitForURL(`${source.origin}/user/2/edit`),
      page.waitForEvent('framenavigated'),
      page.evaluate(() => document.querySelector<HTMLFormElement>('form#user-form')!.requestSubmit()),
    ]);
    expect(source.requests.some((r) => r.method === 'POST' && r.path === '/user/2/edit')).toBe(true);
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    await page.evaluate(() => document.querySelector('form#user-form')!.dispatchEvent(new SubmitEvent('submit', { bubbles: true, cancelable: true })));
    await page.reload();
    await page.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(SETTLE_MS);
    expect(actions()).toEqual([]);
    await page.close();
  });

  it('on a site that is neither source nor target, the names and emails the page shows are not looked up on load', async () => {
    proxy.reset();
    const page = await browser.newPage();
    await page.goto(`${plain.origin}/admin/people`);
    await expect.poll(() => page.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(9);
    // The page tries to press "Match by name/email" for the admin.
    await page.evaluate(() => {
      const bar = document.querySelector('scim-relay-bar')!;
      bar.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
      (bar as HTMLElement).click();
    });
    await page.waitForTimeout(SETTLE_MS);
    expect(proxy.calls).toEqual(['POST /api/v1/users/lookup']);
    const body = JSON.parse(proxy.bodies[0]!.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['site', 'uids']);
    await page.close();
  });

  it('cannot read the chips, the bar or the user panel: their shadow roots are closed', async () => {
    const people = await browser.newPage();
    await people.goto(`${plain.origin}/admin/people`);
    await expect.poll(() => people.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(9);
    const seen = await people.evaluate(() => {
      const hosts = [...document.querySelectorAll('scim-relay-chips, scim-relay-bar')];
      return {
        hosts: hosts.length,
        shadowRoots: hosts.filter((h) => h.shadowRoot !== null).length,
        text: hosts.map((h) => h.textContent).join(''),
        states: [...new Set(hosts.map((h) => h.getAttribute('data-scim-state')).filter((s) => s !== null))],
        bodyText: document.body.innerText,
      };
    });
    expect(seen).toMatchObject({ hosts: 10, shadowRoots: 0, text: '', states: ['ready'] });
    expect(seen.bodyText).not.toMatch(/not in relay|SCIM Relay|Provision/);
    const panel = await openPanel(`${source.origin}/user/5`);
    const fromPanel = await panel.evaluate(() => {
      const host = document.querySelector('scim-relay-panel')!;
      return { shadowRoot: host.shadowRoot !== null, text: host.textContent, bodyText: document.body.innerText };
    });
    expect(fromPanel).toMatchObject({ shadowRoot: false, text: '' });
    expect(fromPanel.bodyText).not.toMatch(/SCIM Relay|Recent events|Provision now/);
    await Promise.all([people.close(), panel.close()]);
  });

  it('cannot press Provision: clicks at the button land on the host, and a synthetic click on the button itself does nothing', async () => {
    const page = await browser.newPage();
    await page.goto(`${source.origin}/admin/people`);
    await expect.poll(() => page.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(9);
    const host = await chipsHostOf(page, 'erin.davis');
    const shadow = await probeShadows(page);
    const [box] = await shadow.inEach(host, (root) => {
      root.querySelector('button')!.scrollIntoView({ block: 'center' });
      const r = root.querySelector('button')!.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2, disabled: root.querySelector('button')!.disabled };
    });
    // Not imported yet, and the site is a source: the button is live for the admin.
    expect(box!.disabled).toBe(false);
    proxy.reset();
    // What a page can do: find what sits under a point and click it.
    const hit = await page.evaluate(({ x, y }) => {
      const el = document.elementFromPoint(x, y)!;
      el.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true, clientX: x, clientY: y }));
      (el as HTMLElement).click();
      return el.tagName;
    }, box!);
    expect(hit).toBe('SCIM-RELAY-CHIPS');
    // Even a script holding the real button (here: through the DevTools protocol) makes only untrusted clicks.
    await shadow.inEach(host, (root) => {
      const button = root.querySelector('button')!;
      button.click();
      button.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    });
    await page.waitForTimeout(SETTLE_MS);
    expect(actions()).toEqual([]);
    await page.close();
  });
});
