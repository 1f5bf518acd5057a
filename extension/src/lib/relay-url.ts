import { parseHttpUrl } from './http-url';

export { originPattern as toOriginPattern } from './http-url';

/**
 * The relay's base URL as the admin typed it, reduced to `scheme://host[:port][/path]` with no
 * trailing slash, or `null` when it is not an http(s) URL.
 */
export function normalizeRelayUrl(input: string): string | null {
  const url = parseHttpUrl(input);
  return url && `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
