import { parseHttpUrl } from './http-url';

export { originPattern as toOriginPattern } from './http-url';

/**
 * Hosts where plain http is accepted: the admin token sent to them never leaves the machine
 * (`npm start` serves the relay on http://127.0.0.1:8787). `URL.hostname` keeps IPv6 brackets.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export const INSECURE_RELAY_URL =
  'The relay URL must start with https:// — over http:// the admin token would travel in clear. Plain http is accepted only for localhost, 127.0.0.1 and [::1].';
export const NOT_HTTP_RELAY_URL = 'The relay URL must be an http(s) address, e.g. https://relay.example.com.';

/**
 * The relay's base URL as the admin typed it, reduced to `scheme://host[:port][/path]` with no
 * trailing slash, or why it cannot be used: not http(s) at all, or http to a host other than
 * this machine (every request carries the admin token as a Bearer header).
 */
export function checkRelayUrl(input: string): { ok: true; url: string } | { ok: false; error: string } {
  const url = parseHttpUrl(input);
  if (!url) return { ok: false, error: NOT_HTTP_RELAY_URL };
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) return { ok: false, error: INSECURE_RELAY_URL };
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/**
 * Why a stored relay URL must not be used, or null when it may. Settings saved by an older
 * version (or written straight into storage) are checked again before any request carries the token.
 */
export function storedRelayUrlRefusal(stored: string): string | null {
  if (stored === '') return null;
  const checked = checkRelayUrl(stored);
  return checked.ok ? null : checked.error;
}
