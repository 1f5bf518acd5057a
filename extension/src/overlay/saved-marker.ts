/**
 * "This user was just saved", carried across the form post. The submit event fires before the
 * CMS has stored anything, so re-importing then would read the old account; instead the content
 * script notes the save in the tab's sessionStorage and, when the page after the post loads
 * (Drupal redirects after a successful save), asks the background to re-import and provision.
 */
import { z } from 'zod';
import { uidSchema } from '../adapters/page-adapter';

const KEY = 'scim-relay:saved-user';
/** A save older than this is stale (the post failed, or the tab went elsewhere). */
const MAX_AGE_MS = 2 * 60_000;

const markerSchema = z.object({ site: z.string(), uid: uidSchema, at: z.number() });

export function markSaved(storage: Storage, site: string, uid: string, now = Date.now()): void {
  try {
    storage.setItem(KEY, JSON.stringify({ site, uid, at: now }));
  } catch {
    // storage full or disabled: the save simply is not followed by a re-import
  }
}

/** The uid saved on this site within the last two minutes, removing the note; null when there is none. */
export function takeSaved(storage: Storage, site: string, now = Date.now()): string | null {
  let raw: string | null;
  try {
    raw = storage.getItem(KEY);
    if (raw === null) return null;
    storage.removeItem(KEY);
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = markerSchema.safeParse(json);
  if (!parsed.success || parsed.data.site !== site || now - parsed.data.at > MAX_AGE_MS) return null;
  return parsed.data.uid;
}
