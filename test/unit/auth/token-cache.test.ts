/**
 * The per-isolate token cache (worker/src/auth/token-cache.ts): the bound on how long a revoked
 * token may still be accepted, with an injected clock.
 */
import { describe, expect, it } from 'vitest';
import { createTokenCache, TOKEN_CACHE_TTL_MS } from '../../../worker/src/auth/token-cache';

const record = (id: string) => ({ id, name: id, scopes: 'scim:read', lastUsed: null });

describe('the token cache', () => {
  it('keeps a verified token for TOKEN_CACHE_TTL_MS, not a moment longer', () => {
    let now = 1_000_000;
    const cache = createTokenCache({ now: () => now });
    cache.set('h1', record('t1'));
    now += TOKEN_CACHE_TTL_MS - 1;
    expect(cache.get('h1')?.id).toBe('t1');
    now += 1;
    expect(cache.get('h1')).toBeUndefined();
  });

  it('is not extended by use: a token in constant use is still checked again after the TTL', () => {
    let now = 0;
    const cache = createTokenCache({ now: () => now, ttlMs: 100 });
    cache.set('h1', record('t1'));
    for (now = 10; now < 100; now += 10) expect(cache.get('h1')).toBeDefined();
    expect(cache.get('h1')).toBeUndefined();
  });

  it('forgets a token by id at once (revocation through the admin API)', () => {
    const cache = createTokenCache();
    cache.set('h1', record('t1'));
    cache.set('h2', record('t2'));
    cache.forget('t1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')?.id).toBe('t2');
  });

  it('holds at most maxEntries tokens, dropping the oldest', () => {
    const cache = createTokenCache({ maxEntries: 2 });
    cache.set('h1', record('t1'));
    cache.set('h2', record('t2'));
    cache.set('h3', record('t3'));
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h3')?.id).toBe('t3');
  });
});
