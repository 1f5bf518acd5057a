/**
 * "This user's edit form was just submitted by the admin", kept by the background per tab until
 * the page after the post loads (Drupal redirects after a save), which then asks to re-import and
 * provision. The submit event fires before the CMS has stored anything, so acting then would read
 * the old account.
 *
 * The note lives in extension storage keyed by the sender's tab id, which no page can write: a
 * page's own storage (sessionStorage, as before) let any script on an added site forge a save and
 * make the extension re-import and provision without the admin. The content script sends the
 * note only for a trusted submit the admin started (overlay/admin-submit.ts).
 */
import { storage } from 'wxt/utils/storage';
import { z } from 'zod';
import { uidSchema } from '../adapters/page-adapter';

/** A save older than this is stale (the post failed, or the tab went elsewhere). */
export const SAVED_MAX_AGE_MS = 2 * 60_000;

const noteSchema = z.object({ site: z.string(), uid: uidSchema, at: z.number() });
const notesSchema = z.record(z.string(), noteSchema);
type Notes = z.infer<typeof notesSchema>;

export interface SavedFormsStore {
  get(): Promise<unknown>;
  set(notes: Notes): Promise<void>;
}

// storage.session: kept across service-worker restarts, gone with the browser session, and (by
// default) readable by extension pages and the service worker only — not by content scripts.
// Defined on first use, so that importing this module (in Node unit tests) touches no browser API.
let notesItem: ReturnType<typeof defineNotesItem> | null = null;
const defineNotesItem = () => storage.defineItem<Record<string, unknown>>('session:savedForms', { fallback: {} });
const item = () => (notesItem ??= defineNotesItem());
export const sessionSavedFormsStore: SavedFormsStore = { get: () => item().getValue(), set: (notes) => item().setValue(notes) };

export function createSavedForms(store: SavedFormsStore = sessionSavedFormsStore, now: () => number = Date.now) {
  const read = async (): Promise<Notes> => {
    const parsed = notesSchema.safeParse(await store.get());
    const fresh = Object.entries(parsed.success ? parsed.data : {}).filter(([, n]) => now() - n.at <= SAVED_MAX_AGE_MS);
    return Object.fromEntries(fresh);
  };
  const matches = (note: Notes[string] | undefined, site: string, uid: string) => note !== undefined && note.site === site && note.uid === uid;
  return {
    /** The admin submitted `uid`'s edit form in this tab (one note per tab: the latest submit wins). */
    async note(tabId: number, site: string, uid: string): Promise<void> {
      const notes = await read();
      notes[String(tabId)] = { site, uid, at: now() };
      await store.set(notes);
    },
    /** Whether this tab has a fresh note for `uid` on `site`; the note stays. */
    async has(tabId: number, site: string, uid: string): Promise<boolean> {
      return matches((await read())[String(tabId)], site, uid);
    },
    /** Removes and reports this tab's note when it is for `uid` on `site`: a save is acted on once. */
    async take(tabId: number, site: string, uid: string): Promise<boolean> {
      const notes = await read();
      const key = String(tabId);
      if (!matches(notes[key], site, uid)) return false;
      delete notes[key];
      await store.set(notes);
      return true;
    },
  };
}
export type SavedForms = ReturnType<typeof createSavedForms>;
