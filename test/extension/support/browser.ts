/**
 * Debian's Chromium (/usr/bin/chromium) driven by playwright-core, with the built extension
 * loaded unpacked. Playwright cannot download a browser here, so it gets the system binary;
 * `--headless=new` is Chrome's real headless mode, the one that runs extensions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { prepareTestExtension } from './extension-build.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface ExtensionBrowser {
  context: BrowserContext;
  /** The extension's background service worker. */
  background: Worker;
  extensionId: string;
  /** `chrome-extension://<id>/<file>` */
  extensionUrl(file: string): string;
  /** A new tab. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchExtensionBrowser(): Promise<ExtensionBrowser> {
  const extension = prepareTestExtension();
  const profile = mkdtempSync(path.join(os.tmpdir(), 'scim-relay-profile-'));
  const cleanup = () => {
    rmSync(profile, { recursive: true, force: true });
    extension.remove();
  };
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      // headless is given as a flag: playwright's own `headless: true` picks the old headless shell.
      headless: false,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--disable-extensions-except=${extension.dir}`,
        `--load-extension=${extension.dir}`,
      ],
    });
  } catch (e) {
    cleanup();
    throw e;
  }
  try {
    const background = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
    const extensionId = new URL(background.url()).host;
    return {
      context,
      background,
      extensionId,
      extensionUrl: (file) => `chrome-extension://${extensionId}/${file.replace(/^\//, '')}`,
      newPage: () => context.newPage(),
      close: async () => {
        await context.close().catch(() => undefined);
        cleanup();
      },
    };
  } catch (e) {
    await context.close().catch(() => undefined);
    cleanup();
    throw e;
  }
}
