/**
 * Secrets are kept out of messages where the messages are built, never by replacing substrings
 * afterwards: a password such as `admin` would otherwise turn Drupal's "Site administrators …
 * /admin/config" into "Site [secret]istrators … /[secret]/config". So: the Authorization header
 * is never part of a message; a URL is shown without its userinfo and with the values of
 * token-like query parameters replaced; a remote's own words are quoted as they are.
 */

/** Query parameters whose values are credentials in the wild (OAuth, API keys, signed URLs). */
const SECRET_PARAMS = /^(access_token|token|api_key|apikey|key|secret|password|pass|pwd|auth|sig|signature|client_secret|code)$/i;

/** A URL safe to show: no user:password@, token-like query values replaced; not a URL: returned as is. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  u.username = '';
  u.password = '';
  for (const key of [...new Set(u.searchParams.keys())]) if (SECRET_PARAMS.test(key)) u.searchParams.set(key, 'redacted');
  return u.toString();
}

/** Every absolute http(s) URL inside a text (a runtime's error message) redacted. */
export function redactUrlsIn(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>)]+/gi, (m) => redactUrl(m));
}
