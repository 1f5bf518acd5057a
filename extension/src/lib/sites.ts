import { z } from 'zod';
import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';

/**
 * The admin sites (CMS origins) the admin added on the options page. Host permission for each
 * is granted from a click; the background registers the content scripts for them at run time
 * when told `sites:changed`.
 */
export const sitesItem = storage.defineItem<string[]>('local:sites', { fallback: [] });

export const sitesChangedMessageSchema = z.object({ type: z.literal('sites:changed') });

/** `https://cms.example.com/anything` → `https://cms.example.com` (ports kept), or null. */
export function normalizeSiteOrigin(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return url.origin;
}

/** The match pattern for a site's pages (patterns take no port: every port of the host). */
export function siteOriginPattern(origin: string): string {
  const { protocol, hostname } = new URL(origin);
  return `${protocol}//${hostname}/*`;
}

/** Tells the background to (re)register content scripts; a missing listener is not an error. */
export async function announceSitesChanged(): Promise<void> {
  try {
    await browser.runtime.sendMessage({ type: 'sites:changed' });
  } catch {
    // No listener yet (an older background): the scripts register on its next start.
  }
}
