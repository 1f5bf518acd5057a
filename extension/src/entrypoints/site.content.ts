/**
 * The content script for the admin's sites. Registered at run time by the background, only for
 * origins the admin granted (background/site-scripts.ts) — the manifest declares no content
 * script. It recognises the page through the adapters, then mounts the People overlay or the
 * user panel; on any other page it only answers the popup (`page:current-user`: null).
 */
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { detectPage } from '../adapters/detect-page';
import { currentUserRequestSchema } from '../lib/page-messages';
import { currentUserOf } from '../overlay/current-user';
import { mountPeopleOverlay } from '../overlay/people-overlay';
import { mountUserOverlay } from '../overlay/user-overlay';

export default defineContentScript({
  registration: 'runtime',
  // document_end: the server-rendered table is complete, and the overlay need not wait for images
  // and the page's scripts (document_idle came 100–170 ms later in bench:extension). Not
  // document_start: compiling the script then competes with the page's own parsing. Later changes
  // by Drupal behaviours are caught by the overlay's MutationObserver.
  runAt: 'document_end',
  async main(ctx) {
    if (document.readyState === 'loading') await new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }));
    if (ctx.isInvalid) return;
    const page = detectPage(document, location);

    const onMessage = (raw: unknown, _sender: unknown, sendResponse: (r: unknown) => void) => {
      if (!currentUserRequestSchema.safeParse(raw).success) return false;
      // Re-read the form: the admin may have edited it since the page loaded.
      sendResponse(currentUserOf(detectPage(document, location) ?? page));
      return false;
    };
    browser.runtime.onMessage.addListener(onMessage);
    ctx.onInvalidated(() => browser.runtime.onMessage.removeListener(onMessage));

    if (!page) return;
    try {
      if (page.kind === 'people-list') await mountPeopleOverlay(ctx, page);
      else await mountUserOverlay(ctx, page);
    } catch (err) {
      // Never break the page: the overlay is an extra, the admin page must keep working.
      console.error('SCIM Relay: overlay failed', err);
    }
  },
});
