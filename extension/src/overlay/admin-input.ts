/**
 * Tells the admin's own input from what a page script does. Every overlay action (Provision,
 * Match by name/email) runs only for a trusted event: `element.click()` and `dispatchEvent` from a
 * script make untrusted ones, and the closed shadow roots keep page scripts from the buttons anyway.
 *
 * A form submit the admin made, from one a page script made: Scripts on an added site share
 * the DOM with the content script: `form.requestSubmit()` fires a submit event the browser marks
 * trusted, and `dispatchEvent` a synthetic one. Only a trusted submit that follows the admin's own
 * trusted click or key press inside that form (within a few seconds) counts; anything else is
 * ignored, so the extension does not re-import and provision on a page's say-so.
 */
import type { ContentScriptContext } from 'wxt/utils/content-script-context';

/** A click or key press and the form submit it causes land well within this. */
const GESTURE_WINDOW_MS = 5_000;

/**
 * `controls`: elements outside the form whose click submits it (Joomla's toolbar Save buttons call
 * `Joomla.submitbutton()`); a trusted gesture inside one of them counts like one inside the form.
 */
export function onAdminSubmit(ctx: ContentScriptContext, form: HTMLFormElement, handler: () => void, controls: readonly Element[] = []): void {
  let lastGesture: { target: EventTarget | null; at: number } | null = null;
  const remember = (e: Event) => {
    // isTrusted: made by the user agent from real input, which no page script can produce.
    if (e.isTrusted) lastGesture = { target: e.target, at: performance.now() };
  };
  // Capture on window: seen before any page handler on the form can stop it.
  for (const type of ['pointerdown', 'click', 'keydown'] as const) ctx.addEventListener(window, type, remember, { capture: true });
  ctx.addEventListener(form, 'submit', (e) => {
    const gesture = lastGesture;
    if (!e.isTrusted || !gesture || performance.now() - gesture.at > GESTURE_WINDOW_MS) return;
    const target = gesture.target;
    if (!(target instanceof Node) || !(form.contains(target) || controls.some((c) => c.contains(target)))) return;
    handler();
  });
}

/** An event handler that runs `action` only for real input (a click or key press by the admin). */
export function ifTrusted(action: () => void): (event: Event) => void {
  return (event) => {
    if (event.isTrusted) action();
  };
}
