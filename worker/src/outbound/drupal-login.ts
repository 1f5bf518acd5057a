/**
 * What a Drupal site means when it answers the relay as nobody. Drupal 10 core `basic_auth` does
 * not refuse a wrong password: BasicAuth::authenticate() returns NULL and the request goes on as
 * the anonymous user — 200, users as label-only objects, a filtered listing empty, and no
 * `meta.links.me` in the JSON:API entry point (EntryPoint::index adds it for an authenticated
 * account only, Drupal ≥ 8.7). Flood control answers exactly the same way: after 5 failed logins
 * of one account from one IP in 6 hours (config `user.flood`: user_limit, user_window), or 50 from
 * one IP in an hour, even the right password is not checked — and every further attempt counts
 * against the IP. The two cannot be told apart from the answer, so the message names both, says
 * how to lift a block, and the relay stops logging in (a source or target is paused).
 */

/** The entry point's `meta.links.me.meta.id`: the account the site took the relay for, if any. */
export function entryPointAccount(body: unknown): string | null {
  const id = (body as { meta?: { links?: { me?: { meta?: { id?: unknown } } } } } | null | undefined)?.meta?.links?.me?.meta?.id;
  return typeof id === 'string' && id !== '' ? id : null;
}

export const FLOOD_HELP =
  'If the password is right, Drupal\'s flood control is blocking this account from the relay\'s address after 5 failed logins (for 6 hours by default; meanwhile even the right password fails). To lift it: wait, or on the site run `drush sql:query "DELETE FROM flood"`, or use the Flood control module (People → Flood unblock).';

/**
 * The failure in words. `workedBefore`: these credentials imported or provisioned before, so a
 * password changed on the site is as likely as a typo.
 */
export function loginRefusedMessage(auth: 'basic' | 'bearer', opts: { workedBefore?: boolean } = {}): string {
  const answered = 'Drupal answered the relay as an anonymous visitor (its JSON:API entry point names no account)';
  if (auth === 'bearer') return `The token was not accepted: ${answered}. Check the token and the module that issues it (e.g. simple_oauth).`;
  const lead = opts.workedBefore
    ? `Wrong user name or password: ${answered}, though these credentials worked before — was the account's password changed on the site?`
    : `Wrong user name or password: ${answered}. Check both (and that the core "HTTP Basic Authentication" module is on).`;
  return `${lead} ${FLOOD_HELP} Runs stop logging in until the source or target is resumed; each Save and test tries once.`;
}
