/**
 * The overlay on the real WordPress 6.9 and Joomla 5.2 (Atum) admin pages, end to end: real
 * Chromium with the built extension, the captured pages served under their own paths
 * (`/wp-admin/users.php`, `/administrator/index.php?option=com_users&view=users`), relay A with
 * relay B as its target. The site is neither a source nor a target, so rows are matched by the
 * names and emails the page shows once the admin presses "Match by name/email". Shadow roots are
 * closed: read through the DevTools protocol, clicked with real mouse input (support/closed-shadow.ts).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { chipLabels, probeShadows, type ShadowProbe } from '../support/closed-shadow';
import { connectExtension } from '../support/connect';
import { CAPTURED_ORIGINS, fixture, rehostedPage, startFixtureSite, type FixtureSite, type SiteRequest } from '../support/fixture-site';
import { createScimUser, findScimUser, RELAY_A_TOKEN, startRelayPair, type RelayPair } from '../support/relays';

/**
 * A stand-in for Joomla's toolbar script (media/system/js/joomla-toolbar-button.min.js and
 * core.js `Joomla.submitform`), which the capture does not include: a toolbar button's click sets
 * the form's `task` and submits the form through a hidden submit button, as Joomla's does.
 */
const JOOMLA_TOOLBAR = `customElements.define('joomla-toolbar-button', class extends HTMLElement {
  connectedCallback() {
    this.addEventListener('click', () => {
      const form = document.getElementById('user-form');
      const task = this.getAttribute('task');
      if (!form || !task) return;
      form.querySelector('input[name="task"]').value = task;
      const button = document.createElement('input');
      button.type = 'submit';
      button.style.display = 'none';
      form.appendChild(button).click();
      form.removeChild(button);
    });
  }
});`;

describe('overlay on the captured WordPress and Joomla admin pages', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  let relays: RelayPair;

  const page = (html: string, from: string) => rehostedPage(html, from, () => site.origin);

  beforeAll(async () => {
    [browser, relays] = await Promise.all([launchExtensionBrowser(), startRelayPair()]);
    const wpList = fixture('wordpress-real/admin_html/users.html');
    const wpEdit = fixture('wordpress-real/admin_html/user-edit_user_id_2.html');
    const joomlaList = fixture('joomla-real/admin_html/users.html');
    const joomlaEdit = fixture('joomla-real/admin_html/user_edit_id_573_alice.html');
    site = await startFixtureSite({
      '/wp-admin/users.php': page(wpList, CAPTURED_ORIGINS.wordpress),
      '/wp-admin/user-edit.php': page(wpEdit, CAPTURED_ORIGINS.wordpress),
      '/administrator/index.php': (req, res) => {
        const view = new URL(req.url, 'http://x').searchParams.get('view');
        page(view === 'users' ? joomlaList : joomlaEdit, CAPTURED_ORIGINS.joomla)(req, res);
      },
      '/media/system/js/joomla-toolbar-button.min.js': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(JOOMLA_TOOLBAR);
      },
    });
    // Relay A knows alice.editor (both sites' alice) and bob.author; carol is on neither.
    await createScimUser(relays.a, 'alice.editor', {
      emails: [{ value: 'alice.new@example.test', type: 'work', primary: true }],
      displayName: 'Alice A. Anders',
    });
    await createScimUser(relays.a, 'bob.author', { emails: [{ value: 'bob@example.test', type: 'work', primary: true }] });
    await connectExtension(browser.background, { relayUrl: relays.a.url, relayToken: RELAY_A_TOKEN, sites: [site.origin] });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), relays?.close()]);
  });

  /** The form's POST answered (the URL stays the same: the capture's form posts to its own address). */
  const posted = (tab: Page) => tab.waitForResponse((r) => r.request().method() === 'POST').then(() => tab.waitForLoadState());

  async function openList(path: string, rows: number): Promise<{ tab: Page; shadow: ShadowProbe }> {
    const tab = await browser.newPage();
    await tab.goto(`${site.origin}${path}`);
    await expect.poll(() => tab.locator('scim-relay-chips:not([data-scim-state="loading"])').count(), { timeout: 15_000 }).toBe(rows);
    const shadow = await probeShadows(tab);
    await shadow.click('scim-relay-bar', '[data-scim-match]');
    const known = async () =>
      (await shadow.inEach('scim-relay-chips', (root) => root.querySelector('[data-scim-view="known"]') !== null)).filter(Boolean).length;
    await expect.poll(known, { timeout: 15_000 }).toBe(2);
    return { tab, shadow };
  }

  it('puts chips on every row of WordPress users.php, and "Provision" sends a matched user to relay B', async () => {
    const { tab, shadow } = await openList('/wp-admin/users.php', 10);
    await expect(chipLabels(shadow, 'tr#user-2 scim-relay-chips')).resolves.toEqual(['Relay B: not linked']);
    await expect(chipLabels(shadow, 'tr#user-4 scim-relay-chips')).resolves.toEqual(['not in relay']);
    await shadow.click('tr#user-3 scim-relay-chips', 'button');
    await expect.poll(() => chipLabels(shadow, 'tr#user-3 scim-relay-chips'), { timeout: 15_000 }).toEqual(['Relay B: in sync']);
    expect((await findScimUser(relays.b, 'bob.author'))?.userName).toBe('bob.author');
    await tab.close();
  });

  it('puts chips on every row of the Joomla Users list (Atum), with the same Provision', async () => {
    const { tab, shadow } = await openList('/administrator/index.php?option=com_users&view=users', 10);
    const rowOf = (uid: string) => `table#userList tbody tr:has(input[name="cid[]"][value="${uid}"]) scim-relay-chips`;
    await expect(chipLabels(shadow, rowOf('573'))).resolves.toEqual(['Relay B: not linked']);
    await expect(chipLabels(shadow, rowOf('575'))).resolves.toEqual(['not in relay']);
    await shadow.click(rowOf('573'), 'button');
    await expect.poll(() => chipLabels(shadow, rowOf('573')), { timeout: 15_000 }).toEqual(['Relay B: in sync']);
    expect((await findScimUser(relays.b, 'alice.editor'))?.userName).toBe('alice.editor');
    await tab.close();
  });

  it('shows the user panel on Joomla’s user editor and answers the popup with the user the form shows', async () => {
    const tab = await browser.newPage();
    const url = `${site.origin}/administrator/index.php?option=com_users&view=user&layout=edit&id=573`;
    await tab.goto(url);
    await tab.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    const shadow = await probeShadows(tab);
    await expect(shadow.texts('scim-relay-panel', 'h2')).resolves.toEqual(['SCIM Relay: Alice A. Anders']);
    const answer = await browser.background.evaluate(async (u) => {
      const tabs = (await chrome.tabs.query({ url: u })) as { id: number }[];
      return chrome.tabs.sendMessage(tabs.sort((a, b) => b.id - a.id)[0]!.id, { type: 'page:current-user' });
    }, url);
    expect(answer).toEqual({
      site: site.origin,
      cms: 'joomla',
      uid: '573',
      name: 'alice.editor',
      mail: 'alice.new@example.test',
      status: 'active',
      displayName: 'Alice A. Anders',
    });
    await tab.close();
  });

  it('treats the admin’s click on Joomla’s toolbar Save as a save of the user, and its Close as none', async () => {
    const tab = await browser.newPage();
    await tab.goto(`${site.origin}/administrator/index.php?option=com_users&view=user&layout=edit&id=573`);
    await tab.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    const posts = () => site.requests.filter((r) => r.method === 'POST' && r.path === '/administrator/index.php');
    // The form is multipart (enctype="multipart/form-data"): the task is one of its parts.
    const taskOf = (r: SiteRequest) => /name="task"\r\n\r\n([^\r]*)/.exec(r.body)?.[1];
    const before = posts().length;
    await Promise.all([posted(tab), tab.locator('#toolbar-apply button').click()]);
    expect(posts().slice(before).map(taskOf)).toEqual(['user.apply']);
    let shadow = await probeShadows(tab);
    await expect
      .poll(() => shadow.texts('scim-relay-panel', '[data-scim-saved]'), { timeout: 15_000 })
      .toEqual(['Saved. This site is not a source of the relay, so nothing was re-imported.']);

    await Promise.all([posted(tab), tab.locator('#toolbar-cancel button').click()]);
    expect(posts().slice(-1).map(taskOf)).toEqual(['user.cancel']);
    await tab.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    shadow = await probeShadows(tab);
    // A save would be announced right after the panel is ready (the page asks whether one is
    // pending as it loads); give that answer time to arrive, then check none came.
    await tab.waitForTimeout(3_000);
    await expect(shadow.texts('scim-relay-panel', '[data-scim-saved]')).resolves.toEqual([]);
    await tab.close();
  });

  it('ignores a save of Joomla’s form that a page script starts from the toolbar (no admin gesture)', async () => {
    const tab = await browser.newPage();
    await tab.goto(`${site.origin}/administrator/index.php?option=com_users&view=user&layout=edit&id=573`);
    await tab.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    const before = site.requests.length;
    // element.click() from a script: an untrusted click, though the submit it causes is trusted.
    await Promise.all([posted(tab), tab.evaluate(() => document.querySelector<HTMLElement>('#toolbar-apply button')!.click())]);
    expect(site.requests.slice(before).some((r) => r.method === 'POST')).toBe(true);
    await tab.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    const shadow = await probeShadows(tab);
    await tab.waitForTimeout(3_000);
    await expect(shadow.texts('scim-relay-panel', '[data-scim-saved]')).resolves.toEqual([]);
    await tab.close();
  });

  it('treats the admin’s "Update User" on WordPress user-edit.php as a save of that user', async () => {
    const tab = await browser.newPage();
    await tab.goto(`${site.origin}/wp-admin/user-edit.php?user_id=2`);
    await tab.locator('scim-relay-panel[data-scim-state="ready"]').waitFor({ timeout: 15_000 });
    await Promise.all([tab.waitForURL(`${site.origin}/wp-admin/user-edit.php`), tab.locator('#submit').click()]);
    const shadow = await probeShadows(tab);
    await expect
      .poll(() => shadow.texts('scim-relay-panel', '[data-scim-saved]'), { timeout: 15_000 })
      .toEqual(['Saved. This site is not a source of the relay, so nothing was re-imported.']);
    await tab.close();
  });
});
