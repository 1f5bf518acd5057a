/**
 * The relay URL rule (extension/src/lib/relay-url.ts): the admin token goes with every call, so
 * https, or http to this machine only.
 */
import { describe, expect, it } from 'vitest';
import { checkRelayUrl, INSECURE_RELAY_URL, NOT_HTTP_RELAY_URL, storedRelayUrlRefusal } from '../../../extension/src/lib/relay-url';

describe('relay URL', () => {
  it('accepts https anywhere, reduced to origin and path without a trailing slash', () => {
    expect(checkRelayUrl(' https://relay.example.com/base/ ')).toEqual({ ok: true, url: 'https://relay.example.com/base' });
  });

  it('accepts plain http for localhost, 127.0.0.1 and [::1] only', () => {
    expect(checkRelayUrl('http://localhost:8787')).toEqual({ ok: true, url: 'http://localhost:8787' });
    expect(checkRelayUrl('HTTP://LOCALHOST:8787/')).toEqual({ ok: true, url: 'http://localhost:8787' });
    expect(checkRelayUrl('http://127.0.0.1:8787')).toEqual({ ok: true, url: 'http://127.0.0.1:8787' });
    expect(checkRelayUrl('http://[::1]:8787')).toEqual({ ok: true, url: 'http://[::1]:8787' });
  });

  it('refuses plain http to any other host, including look-alikes of localhost', () => {
    for (const url of ['http://relay.example.com', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example', 'http://10.0.0.5:8787', 'http://[::2]']) {
      expect(checkRelayUrl(url), url).toEqual({ ok: false, error: INSECURE_RELAY_URL });
    }
  });

  it('refuses what is not an http(s) address', () => {
    for (const url of ['relay.example.com', 'ftp://relay.example.com', 'javascript:alert(1)', ''])
      expect(checkRelayUrl(url), url).toEqual({ ok: false, error: NOT_HTTP_RELAY_URL });
  });

  it('refuses a stored URL that breaks the rule, and lets an empty one (not set yet) through', () => {
    expect(storedRelayUrlRefusal('http://relay.example.com')).toBe(INSECURE_RELAY_URL);
    expect(storedRelayUrlRefusal('https://relay.example.com')).toBeNull();
    expect(storedRelayUrlRefusal('')).toBeNull();
  });
});
