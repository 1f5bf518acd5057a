/**
 * The relay's base URL as the admin typed it, reduced to `scheme://host[:port][/path]` with no
 * trailing slash, or `null` when it is not an http(s) URL.
 */
export function normalizeRelayUrl(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The match pattern for `optional_host_permissions` that covers the relay's origin. */
export function toOriginPattern(relayUrl: string): string {
  // Match patterns take no port: "https://relay.example:8787/*" is invalid, "https://relay.example/*"
  // covers every port of that host.
  const { protocol, hostname } = new URL(relayUrl);
  return `${protocol}//${hostname}/*`;
}
