/**
 * The admin token travels as a Bearer header on every relay call, so the relay URL must be https,
 * or http to this machine only (localhost, 127.0.0.1, [::1]). Refused in the Connect form, and
 * refused again when a stored URL is used (settings saved before the rule, or written directly):
 * no request leaves, the admin reads why.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { connectExtension } from '../support/connect';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site';

const INSECURE =
  'The relay URL must start with https:// — over http:// the admin token would travel in clear. Plain http is accepted only for localhost, 127.0.0.1 and [::1].';

describe('relay URL over plain http', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;
  // A "relay" on another loopback address, standing in for a remote host reached over http.
  let remote: Server;
  let remoteUrl: string;
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    remote = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' }).end('{}');
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.2', resolve));
    remoteUrl = `http://127.0.0.2:${(remote.address() as AddressInfo).port}`;
    [browser, site] = await Promise.all([launchExtensionBrowser(), startFixtureSite()]);
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close(), new Promise((resolve) => remote?.close(resolve))]);
  });

  it('is refused by the Connect form with the reason, and nothing is saved', async () => {
    const page = await browser.newPage();
    await page.goto(browser.extensionUrl('options.html'));
    await page.getByLabel('Relay URL').fill('http://relay.example.com');
    await page.getByLabel('Admin token').fill('srt_would-travel-in-clear');
    await page.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => page.locator('.result').textContent()).toBe(INSECURE);
    const stored = await browser.background.evaluate(() => chrome.storage.local.get(['relayUrl', 'relayToken']));
    expect(stored).toEqual({});
    // The background refuses it too, whoever asks.
    const saved = await page.evaluate(() =>
      chrome.runtime.sendMessage({ type: 'relay:save-settings', relayUrl: 'http://relay.example.com/', relayToken: 'srt_x' }),
    );
    expect(saved).toEqual({ ok: false, error: INSECURE });
    await page.close();
  });

  it('is accepted for this machine: localhost, 127.0.0.1 and [::1]', async () => {
    const page = await browser.newPage();
    await page.goto(browser.extensionUrl('options.html'));
    for (const url of ['http://localhost:8787', 'http://127.0.0.1:8787/', 'http://[::1]:8787', 'https://relay.example.com']) {
      const saved = await page.evaluate((u) => chrome.runtime.sendMessage({ type: 'relay:save-settings', relayUrl: u, relayToken: '' }), url);
      expect(saved, url).toEqual({ ok: true });
    }
    await page.close();
  });

  it('is refused when already stored: the Connect form, the console, ping and the user panel say why and send nothing', async () => {
    await connectExtension(browser.background, { relayUrl: remoteUrl, relayToken: 'srt_stored-before-the-rule', sites: [site.origin] });
    const options = await browser.newPage();
    await options.goto(browser.extensionUrl('options.html'));
    await expect.poll(() => options.locator('.result').textContent()).toBe(INSECURE);
    await expect(options.evaluate(() => chrome.runtime.sendMessage({ type: 'relay:ping' }))).resolves.toEqual({ ok: false, error: INSECURE });
    await expect(options.evaluate(() => chrome.runtime.sendMessage({ type: 'console:api', method: 'GET', path: '/targets' }))).resolves.toEqual({
      kind: 'unreachable',
      error: INSECURE,
    });

    const user = await browser.newPage();
    await user.goto(`${site.origin}/user/5`);
    await user.locator('scim-relay-panel[data-scim-state="error"]').waitFor({ timeout: 15_000 });
    expect(seen).toEqual([]);
    await Promise.all([options.close(), user.close()]);
  });
});
