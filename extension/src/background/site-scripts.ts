/**
 * Content scripts exist only for the sites the admin added and granted: the manifest declares
 * none (the entrypoint is `registration: 'runtime'`), and this module keeps
 * `scripting.registerContentScripts` in step with the stored site list and the granted host
 * permissions — on start, when the options page says `sites:changed`, when the list changes in
 * storage, and when a permission is granted or revoked.
 */
import { browser } from 'wxt/browser';
import { sitesChangedMessageSchema, sitesItem, siteOriginPattern } from '../lib/sites';

/** The built content script (WXT writes `entrypoints/site.content.ts` here). */
export const SITE_SCRIPT = 'content-scripts/site.js';
const ID_PREFIX = 'site:';
/** As site.content.ts declares: the table is complete at document_end. */
const RUN_AT = 'document_end' as const;

/** One registration per host pattern; the content script itself checks the exact origin (ports) with the background. */
async function wantedPatterns(): Promise<string[]> {
  const sites = await sitesItem.getValue();
  const patterns = [...new Set(sites.map(siteOriginPattern))];
  const granted = await Promise.all(patterns.map((p) => browser.permissions.contains({ origins: [p] })));
  return patterns.filter((_, i) => granted[i]);
}

let syncing: Promise<void> = Promise.resolve();

/** Brings the registrations in line with the granted sites; calls are serialised so two syncs never race. */
export function syncSiteScripts(): Promise<void> {
  syncing = syncing.then(doSync, doSync);
  return syncing;
}

async function doSync(): Promise<void> {
  try {
    const [wanted, registered] = await Promise.all([wantedPatterns(), browser.scripting.getRegisteredContentScripts()]);
    const ours = registered.filter((s) => s.id.startsWith(ID_PREFIX));
    // A registration from an older version (another script or run time) is replaced.
    const stale = ours.filter((s) => !wanted.includes(s.id.slice(ID_PREFIX.length)) || !s.js?.includes(SITE_SCRIPT) || s.runAt !== RUN_AT).map((s) => s.id);
    if (stale.length > 0) await browser.scripting.unregisterContentScripts({ ids: stale });
    const present = new Set(ours.map((s) => s.id).filter((id) => !stale.includes(id)));
    const missing = wanted.filter((p) => !present.has(ID_PREFIX + p));
    if (missing.length > 0) {
      await browser.scripting.registerContentScripts(
        missing.map((pattern) => ({ id: ID_PREFIX + pattern, matches: [pattern], js: [SITE_SCRIPT], runAt: RUN_AT, persistAcrossSessions: true })),
      );
    }
  } catch (err) {
    console.error('SCIM Relay: could not register content scripts for the sites', err);
  }
}

export function watchSites(): void {
  void syncSiteScripts();
  browser.runtime.onStartup.addListener(() => void syncSiteScripts());
  browser.permissions.onAdded.addListener(() => void syncSiteScripts());
  browser.permissions.onRemoved.addListener(() => void syncSiteScripts());
  sitesItem.watch(() => void syncSiteScripts());
  browser.runtime.onMessage.addListener((raw: unknown, sender, sendResponse) => {
    if (!sitesChangedMessageSchema.safeParse(raw).success || sender.id !== browser.runtime.id || sender.tab !== undefined) return false;
    syncSiteScripts().then(
      () => sendResponse({ ok: true }),
      () => sendResponse({ ok: false }),
    );
    return true;
  });
}
