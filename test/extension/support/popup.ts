/**
 * The toolbar popup for a tab: the popup asks the active tab of its window, so the tab is brought
 * to the front and the popup page (loaded beside it) is reloaded.
 */
import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from './browser';

export async function openPopupFor(browser: ExtensionBrowser, tab: Page): Promise<Page> {
  const popup = await browser.newPage();
  await popup.setViewportSize({ width: 420, height: 560 });
  await popup.goto(browser.extensionUrl('popup.html'));
  await tab.bringToFront();
  await popup.reload();
  return popup;
}
