/**
 * An http(s) address the admin typed (the relay, an admin site): parsed leniently (trimmed), and
 * the host permission pattern that covers it.
 */
export function parseHttpUrl(input: string): URL | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
}

/** The match pattern for `optional_host_permissions` that covers an address's origin. */
export function originPattern(address: string): string {
  // Match patterns take no port: "https://relay.example:8787/*" is invalid, "https://relay.example/*"
  // covers every port of that host.
  const { protocol, hostname } = new URL(address);
  return `${protocol}//${hostname}/*`;
}
