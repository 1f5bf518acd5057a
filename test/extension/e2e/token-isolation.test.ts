/**
 * The admin token is for the background alone. storage.local is open to content scripts unless
 * the extension limits it (chrome.storage.StorageArea.setAccessLevel); the background does so on
 * start. This test evaluates in the extension's own isolated world on an added site's page —
 * where our content script runs — and checks that storage there refuses to answer, while the
 * service worker still reads the token.
 */
import type { CDPSession } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtensionBrowser, type ExtensionBrowser } from '../support/browser';
import { connectExtension } from '../support/connect';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site';

const TOKEN = 'srt_isolation-test-token-0123456789abcdef';

describe('the admin token in extension storage', () => {
  let browser: ExtensionBrowser;
  let site: FixtureSite;

  beforeAll(async () => {
    [browser, site] = await Promise.all([launchExtensionBrowser(), startFixtureSite()]);
    // No relay is needed: the page's lookup fails, but the content script still starts.
    await connectExtension(browser.background, { relayUrl: 'http://127.0.0.1:9', relayToken: TOKEN, sites: [site.origin] });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), site?.close()]);
  });

  it('is readable by the background', async () => {
    const token = await browser.background.evaluate(async () => (await chrome.storage.local.get('relayToken')).relayToken);
    expect(token).toBe(TOKEN);
  });

  it("is not readable from the content script's world on an added site", async () => {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    const worlds = collectIsolatedWorlds(cdp);
    await cdp.send('Runtime.enable');
    await page.goto(`${site.origin}/admin/people`);
    // Playwright adds an isolated world of its own (origin = the page's); ours carries the extension's origin.
    const contextId = await waitFor(() => worlds.find((w) => w.origin === `chrome-extension://${browser.extensionId}`)?.id);
    const answer = await cdp.send('Runtime.evaluate', {
      contextId,
      awaitPromise: true,
      returnByValue: true,
      expression: `chrome.storage.local.get('relayToken').then((v) => ({ read: v.relayToken ?? null }), (e) => ({ error: String(e && e.message || e) }))`,
    });
    const value = answer.result.value as { read?: string | null; error?: string };
    expect(value.read, 'the content script world read the token').toBeUndefined();
    expect(value.error).toMatch(/not allowed|access/i);
    await page.close();
  });
});

interface World {
  id: number;
  origin: string;
}

/** The extension's isolated worlds (content scripts) as Chromium creates them on the page. */
function collectIsolatedWorlds(cdp: CDPSession): World[] {
  const worlds: World[] = [];
  cdp.on('Runtime.executionContextCreated', (e) => {
    const ctx = e.context as { id: number; origin: string; auxData?: { type?: string } };
    if (ctx.auxData?.type === 'isolated') worlds.push({ id: ctx.id, origin: ctx.origin });
  });
  return worlds;
}

async function waitFor<T>(get: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('the content script world never appeared');
    await new Promise((r) => setTimeout(r, 50));
  }
}
