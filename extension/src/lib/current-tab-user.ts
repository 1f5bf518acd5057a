import { browser } from 'wxt/browser';
import { currentUserResponseSchema, type CurrentUserResponse } from './messages';

export type TabUser = { kind: 'user'; user: NonNullable<CurrentUserResponse> } | { kind: 'none'; reason: string };

/**
 * Asks the active tab's content script which user the page shows. A tab without our content
 * script (a site not added, a browser page) does not answer: that is "no user", with the reason.
 */
export async function currentTabUser(): Promise<TabUser> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  if (tab?.id === undefined) return { kind: 'none', reason: 'No active tab.' };
  let raw: unknown;
  try {
    raw = await browser.tabs.sendMessage(tab.id, { type: 'page:current-user' });
  } catch {
    return { kind: 'none', reason: 'This tab is not an admin page of a site you added under Options → Connect (or it needs a reload).' };
  }
  const parsed = currentUserResponseSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'none', reason: 'The page answered with something this popup cannot read.' };
  if (parsed.data === null) return { kind: 'none', reason: 'Open a user’s page (e.g. /user/12 or its edit form) to provision that user.' };
  return { kind: 'user', user: parsed.data };
}
