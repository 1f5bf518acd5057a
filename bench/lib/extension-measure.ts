/**
 * One timed page load for bench:extension. An init script in the page's main world watches the
 * overlay's row hosts (their `data-scim-state` attribute) and records the moment every row of
 * the table has left "loading" (`window.__chipsAt`); the page itself records when the parser
 * built the table (`window.__tableAt`, an inline script right after it).
 */
import type { BrowserContext, Page } from 'playwright-core';

/** Installed once per browser context, before any page script runs. */
export const WATCH_CHIPS = `(() => {
  const check = () => {
    if (window.__chipsAt !== undefined) return;
    const rows = document.querySelectorAll('table.views-table > tbody > tr').length;
    const hosts = document.querySelectorAll('scim-relay-chips');
    if (rows === 0 || hosts.length < rows) return;
    for (const h of hosts) if (h.getAttribute('data-scim-state') === 'loading') return;
    window.__chipsAt = performance.now();
    observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-scim-state'] });
})();`;

export interface LoadTiming {
  /** parser built the table, ms since navigation start */
  tableAt: number;
  /** every row has its chips with a final state (null: the overlay did not run) */
  chipsAt: number | null;
  /** the page's load event ended */
  loadAt: number;
}

export async function prepareContext(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: WATCH_CHIPS });
}

/** Loads `url` in a fresh tab and reads the timings; `withOverlay` waits for the chips. */
export async function timedLoad(context: BrowserContext, url: string, withOverlay: boolean, timeoutMs = 20_000): Promise<LoadTiming> {
  const page: Page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'load' });
    if (withOverlay)
      await page.waitForFunction(() => (window as unknown as { __chipsAt?: number }).__chipsAt !== undefined, undefined, { timeout: timeoutMs, polling: 50 });
    else await page.waitForTimeout(50);
    return await page.evaluate(() => {
      const w = window as unknown as { __tableAt: number; __chipsAt?: number };
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { tableAt: w.__tableAt, chipsAt: w.__chipsAt ?? null, loadAt: nav.loadEventEnd };
    });
  } finally {
    await page.close();
  }
}
