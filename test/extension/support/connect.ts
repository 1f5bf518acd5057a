/// <reference path="./chrome-global.d.ts" />
/**
 * Connects the loaded extension to a relay and a site the way the options page does, through the
 * background service worker: the relay URL and admin token go into extension storage (the keys
 * extension/src/lib/relay-settings.ts defines), the site's origin into the list of sites, and the
 * background registers its content scripts for that origin (extension/src/lib/site-registry.ts).
 */
import type { Worker } from 'playwright-core';

export interface Connection {
  relayUrl: string;
  relayToken: string;
  /** Site origins to overlay, e.g. `http://127.0.0.1:41234`. */
  sites: string[];
}

/** Writes the settings and waits until the background has registered content scripts for every site. */
export async function connectExtension(background: Worker, connection: Connection): Promise<void> {
  await background.evaluate(async (c) => {
    await chrome.storage.local.set({ relayUrl: c.relayUrl, relayToken: c.relayToken, sites: c.sites });
  }, connection);
  await waitForRegistrations(background, connection.sites);
}

/** Changes only the stored token (e.g. a revoked or mistyped one). */
export async function setRelayToken(background: Worker, relayToken: string): Promise<void> {
  await background.evaluate(async (t) => chrome.storage.local.set({ relayToken: t }), relayToken);
}

/** Changes only the stored relay URL (e.g. a relay that is down). */
export async function setRelayUrl(background: Worker, relayUrl: string): Promise<void> {
  await background.evaluate(async (u) => chrome.storage.local.set({ relayUrl: u }), relayUrl);
}

/** The match patterns of the content scripts the background registered. */
export async function registeredMatches(background: Worker): Promise<string[]> {
  return background.evaluate(async () => {
    const scripts = await chrome.scripting.getRegisteredContentScripts();
    return (scripts as { matches?: string[] }[]).flatMap((s) => s.matches ?? []);
  });
}

async function waitForRegistrations(background: Worker, origins: string[], timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const matches = await registeredMatches(background);
    // Match patterns carry no port (http://127.0.0.1/*): compare scheme and host.
    const missing = origins.filter((o) => {
      const { protocol, hostname } = new URL(o);
      return !matches.some((m) => m.startsWith(`${protocol}//${hostname}/`));
    });
    if (missing.length === 0) return;
    if (Date.now() > until) throw new Error(`content scripts not registered for ${missing.join(', ')} (registered: ${matches.join(', ') || 'none'})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
