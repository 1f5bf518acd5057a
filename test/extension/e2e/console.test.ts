/**
 * The options console end to end: real Chromium with the built extension, relay A (the console's
 * relay) and relay B as a SCIM app added from the console. Every call goes through the
 * background's admin API proxy with the token the Connect form saved.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDrupalSite, type DrupalSiteServer } from '../../support/drupal-site/server';
import { startFaultTarget, type FaultTarget } from '../../support/fault-target/server';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { setRelayUrl } from '../support/connect';
import { createScimUser, RELAY_A_TOKEN, RELAY_B_TOKEN, startRelayPair, type RelayPair } from '../support/relays';
import { screenshotPath } from '../support/screenshots.ts';

const FAULT_TOKEN = 'console-fault-token-0123456789';

describe('options console', () => {
  let browser: ExtensionBrowser;
  let relays: RelayPair;
  let page: Page;
  let rejecting: FaultTarget;
  let drupal: DrupalSiteServer;

  beforeAll(async () => {
    [browser, relays, rejecting, drupal] = await Promise.all([launchExtensionBrowser(), startRelayPair(), startFaultTarget(FAULT_TOKEN), startDrupalSite()]);
    await createScimUser(relays.a, 'ada.console', { name: { givenName: 'Ada', familyName: 'Lovelace' } });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), relays?.close(), rejecting?.close(), drupal?.close()]);
  });

  const tab = (name: string) => page.getByRole('tab', { name, exact: true }).click();

  it('connects: a wrong token is refused in words, the right one is checked against the relay', async () => {
    await page.goto(browser.extensionUrl('options.html'));
    await page.getByLabel('Relay URL').fill(relays.a.url);
    await page.getByLabel('Admin token').fill('srt_not-the-token');
    await page.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => page.locator('.result').textContent()).toBe('The relay refused the token (401).');

    await page.getByLabel('Admin token').fill(RELAY_A_TOKEN);
    await page.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => page.locator('.result').textContent()).toBe('Connected (HTTP 200).');
    // The token stays in the background's storage; the page only learns that one is saved.
    await expect(page.locator('#relay-token').inputValue()).resolves.toBe('');
    await expect(page.locator('#relay-token-hint').textContent()).resolves.toContain('A token is saved');
  });

  it('refuses a page’s request outside the relay’s /api/v1', async () => {
    const answer = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'console:api', method: 'GET', path: '/../../scim/v2/Users' }));
    expect(answer).toMatchObject({ kind: 'unreachable' });
    expect((answer as { error: string }).error).toMatch(/^Refused/);
  });

  it('names the fields the API rejects next to them', async () => {
    await tab('Targets');
    await page.getByRole('button', { name: 'New target' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Broken');
    await page.getByLabel('SCIM base URL').fill('not a url');
    await page.getByLabel('Bearer token').fill('x');
    await page.getByLabel('Concurrent requests (at most 6)').fill('9');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.locator('#t-base-url-error').textContent()).toBeTruthy();
    await expect(page.locator('#t-concurrency-error').textContent()).resolves.toMatch(/6/);
    await expect(page.getByLabel('SCIM base URL').getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await relays.a.api('GET', '/targets')).body.items.map((t: { name: string }) => t.name)).not.toContain('Broken');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  let targetId = '';

  it('creates a target and saves and tests it against relay B, with the report in words', async () => {
    await page.getByRole('button', { name: 'New target' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Relay B (console)');
    await page.getByLabel('SCIM base URL').fill(`${relays.b.url}/scim/v2`);
    await page.getByLabel('Bearer token').fill(RELAY_B_TOKEN);
    await page.locator('fieldset.mode', { hasText: 'Automatic' }).getByRole('checkbox').first().check();
    await page.getByRole('button', { name: 'Save and test' }).click();
    const report = page.getByRole('region', { name: 'Test report' });
    await report.waitFor({ timeout: 20_000 });
    await expect(report.locator('h4').textContent()).resolves.toBe('The target answers and the settings work.');
    await expect(report.textContent()).resolves.toContain('Supports PATCH: yes');
    const stored = (await relays.a.api('GET', '/targets')).body.items.find((t: { name: string }) => t.name === 'Relay B (console)');
    expect(stored).toMatchObject({ baseUrl: `${relays.b.url}/scim/v2`, hasToken: true, modes: { automatic: { enabled: true } } });
    expect(stored.capabilities).not.toBeNull();
    targetId = stored.id;
    await expect(page.getByRole('table', { name: 'Targets' }).textContent()).resolves.toContain('Relay B (console)');
    await page.screenshot({ path: screenshotPath('console-targets.png'), fullPage: true });
  });

  it('creates a Drupal target with its role map, naming a bad role under the field', async () => {
    const site = drupal.createSite({ fixture: 'drupal10-real' });
    const admin = site.accounts.find((a) => a.model === 'admin' && a.username)!;
    await page.getByRole('button', { name: 'New target' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Intranet (target)');
    await page.getByLabel('Kind').selectOption('drupal-jsonapi');
    await page.getByLabel('Site address').fill(site.baseUrl);
    await page.getByLabel('Credentials (username:password)').fill(`${admin.username}:${admin.password}`);
    await page.getByLabel('Groups to Drupal roles').fill('Editors = Content Editor');
    await page.getByRole('button', { name: 'Save and test' }).click();
    await expect.poll(() => page.locator('#t-role-map-error').textContent()).toContain('machine name');

    await page.getByLabel('Groups to Drupal roles').fill('Editors = content_editor');
    await page.getByRole('button', { name: 'Save and test' }).click();
    const report = page.getByRole('region', { name: 'Test report' });
    await report.waitFor({ timeout: 20_000 });
    await expect(report.getAttribute('data-ok')).resolves.toBe('true');
    const stored = (await relays.a.api('GET', '/targets')).body.items.find((t: { name: string }) => t.name === 'Intranet (target)');
    expect(stored).toMatchObject({ kind: 'drupal-jsonapi', options: { auth: 'basic', roleMap: { Editors: 'content_editor' } } });
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('previews the payload live as the mapping is edited, and points at a bad rule', async () => {
    await page.getByRole('button', { name: 'Mapping of Relay B (console)' }).click();
    const payload = page.getByTestId('payload');
    await expect.poll(() => payload.textContent(), { timeout: 15_000 }).toContain('"userName": "ada.console"');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const last = page.locator('table.rules tbody tr:not(.rule-error)').last();
    await last.getByLabel(/^Target attribute of/).fill('title');
    await last.getByLabel(/^Kind of value for/).selectOption('template');
    await last.getByLabel(/^Value of/).fill('{name.givenName} the Analyst');
    await expect.poll(() => payload.textContent(), { timeout: 15_000 }).toContain('"title": "Ada the Analyst"');
    // nothing saved yet
    expect(
      (await relays.a.api('GET', `/targets/${targetId}/mapping`)).body.mapping.some((r: { target: string }) => r.target === 'title' && 'template' in r),
    ).toBe(false);

    await last.getByLabel(/^Kind of value for/).selectOption('source');
    await last.getByLabel(/^Value of/).fill('emails[type eq');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await expect.poll(() => page.locator('tr.rule-error').textContent()).toContain('title');
    await page.screenshot({ path: screenshotPath('console-mapping.png'), fullPage: true });

    await last.getByLabel(/^Value of/).fill('title');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await expect.poll(() => page.locator('.status-line').filter({ hasText: 'Mapping saved' }).count()).toBe(1);
    expect((await relays.a.api('GET', `/targets/${targetId}/mapping`)).body.mapping.at(-1)).toMatchObject({ target: 'title', source: 'title' });
  });

  it('retries a failed outbox row', async () => {
    // An app that rejects every new account: its scheduled run leaves the rows failed, with the reason.
    const fault = await fetch(`${rejecting.url}/t/console/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          match: { method: 'POST', path: '/scim/v2/Users' },
          times: 100,
          respond: {
            status: 400,
            body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidValue', detail: 'department is required' },
          },
        },
      ]),
    });
    expect(fault.status).toBe(200);
    const down = await relays.a.api('POST', '/targets', {
      name: 'Picky app',
      baseUrl: `${rejecting.url}/t/console/scim/v2`,
      token: FAULT_TOKEN,
      modes: { scheduled: { enabled: true, intervalMinutes: 60 } },
    });
    expect(down.status, down.text).toBe(201);
    await createScimUser(relays.a, 'bob.outbox');
    const run = await relays.a.api('POST', `/targets/${down.body.id}/run`, { mode: 'scheduled' });
    expect(run.status, run.text).toBe(200);
    const failed = (await relays.a.api('GET', `/outbox?state=failed&targetId=${down.body.id}`)).body.items;
    expect(failed.length).toBeGreaterThan(0);

    await tab('Outbox');
    const table = page.getByRole('table', { name: 'Outbox: failed' });
    await table.waitFor();
    const row = failed[0];
    await expect(table.textContent()).resolves.toContain('Picky app');
    await expect(table.textContent()).resolves.toContain('department is required');
    await page.getByRole('button', { name: `Retry row ${row.id}` }).click();
    await expect
      .poll(() =>
        page
          .getByRole('status')
          .filter({ hasText: `Row ${row.id} queued for retry.` })
          .count(),
      )
      .toBe(1);
    const after = (await relays.a.api('GET', `/outbox?targetId=${down.body.id}`)).body.items.find((r: { id: number }) => r.id === row.id);
    expect(after.state).not.toBe('failed');
    expect(Date.parse(after.nextAttemptAt)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('adds a Drupal site as a source, tests it and imports its people', async () => {
    const site = drupal.createSite({ fixture: 'drupal10-real' });
    const admin = site.accounts.find((a) => a.model === 'admin' && a.username)!;
    await tab('Sources');
    await page.getByRole('button', { name: 'New source' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Intranet');
    await page.getByLabel('Site address').fill(site.baseUrl);
    await page.getByLabel('Username', { exact: true }).fill(admin.username!);
    await page.getByLabel('Password', { exact: true }).fill(admin.password!);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('table', { name: 'Sources' }).waitFor();

    await page.getByRole('button', { name: 'Test Intranet' }).click();
    const report = page.getByRole('region', { name: 'Test of Intranet' });
    await report.waitFor({ timeout: 20_000 });
    await expect(report.getAttribute('data-ok')).resolves.toBe('true');

    await page.getByRole('button', { name: 'Import changes from Intranet' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Import from “Intranet”' }).textContent(), { timeout: 30_000 })
      .toMatch(/: done \(.*created/);
    expect((await relays.a.api('GET', '/users?userName=alice.johnson')).body.items).toHaveLength(1);
  });

  it('creates a token shown once and revokes it', async () => {
    await tab('Tokens');
    await page.getByLabel('Name', { exact: true }).fill('Okta (console)');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByLabel('Secret').inputValue();
    expect(secret).toMatch(/^srt_/);
    expect((await fetch(`${relays.a.url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke' }).first().click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Tokens' }).textContent()).toContain('revoked');
    expect((await fetch(`${relays.a.url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
  });

  it('moves between sections with the keyboard', async () => {
    await tab('Connect');
    await page.getByRole('tab', { name: 'Connect', exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: 'Targets', exact: true }).getAttribute('aria-selected')).resolves.toBe('true');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('tab-targets');
    await page.keyboard.press('End');
    await expect(page.getByRole('tab', { name: 'Tokens', exact: true }).getAttribute('aria-selected')).resolves.toBe('true');
    expect(new URL(page.url()).hash).toBe('#tokens');
  });

  it('renders text from the relay as text, never as HTML', async () => {
    const name = '<img src=x onerror="document.body.dataset.pwned=1">Evil';
    const created = await relays.a.api('POST', '/targets', { name, baseUrl: 'https://evil.example/scim/v2', token: 'x' });
    expect(created.status, created.text).toBe(201);
    await tab('Targets');
    const row = page.getByRole('row', { name: /Evil/ });
    await expect.poll(() => row.locator('th').textContent()).toBe(name);
    await expect(page.locator('table.list img').count()).resolves.toBe(0);
    await expect(page.evaluate(() => document.body.dataset.pwned)).resolves.toBeUndefined();
  });

  it('shows that the relay is down instead of an empty list', async () => {
    await setRelayUrl(browser.background, 'http://127.0.0.1:9');
    await tab('Tokens');
    await tab('Targets');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('could not be reached');
    await setRelayUrl(browser.background, relays.a.url);
  });
});
