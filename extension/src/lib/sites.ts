import { z } from 'zod';
import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';
import { parseHttpUrl } from './http-url';

/**
 * The admin sites (CMS origins) the admin added on the options page. Host permission for each
 * is granted from a click; the background registers the content scripts for them at run time
 * when told `sites:changed`.
 */
export const sitesItem = storage.defineItem<string[]>('local:sites', { fallback: [] });

export const sitesChangedMessageSchema = z.object({ type: z.literal('sites:changed') });

/** `https://cms.example.com/anything` → `https://cms.example.com` (ports kept), or null. */
export function normalizeSiteOrigin(input: string): string | null {
  return parseHttpUrl(input)?.origin ?? null;
}

/** The match pattern for a site's pages (patterns take no port: every port of the host). */
export { originPattern as siteOriginPattern } from './http-url';

/** Tells the background to (re)register content scripts; a missing listener is not an error. */
export async function announceSitesChanged(): Promise<void> {
  try {
    await browser.runtime.sendMessage({ type: 'sites:changed' });
  } catch {
    // No listener yet (an older background): the scripts register on its next start.
  }
}
