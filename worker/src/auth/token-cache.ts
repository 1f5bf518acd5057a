/**
 * A short-lived per-isolate cache of verified tokens, so a SCIM request's token check costs no
 * D1 round trip once its isolate has seen the token (issue #11: one round trip per request).
 *
 * Revocation delay: a token revoked through the admin API stops working at once in the isolate
 * that served the revocation (it forgets the token there); any other isolate may still accept it
 * for at most TOKEN_CACHE_TTL_MS after it last looked the token up. Only successful lookups are
 * kept (keyed by the SHA-256 of the secret, never the secret), so an unknown token is checked
 * against D1 every time. Written here, not taken from a library: it is a bounded Map with an
 * expiry, and the bound on revocation is the point, so it stays in plain sight.
 */
import type { TokenRecord } from '../db/tokens';

/** The longest a revoked token may still be accepted by an isolate that verified it earlier. */
export const TOKEN_CACHE_TTL_MS = 30_000;
/** Isolates serve many tenants' IdPs; past this many tokens the oldest entry goes. */
const MAX_ENTRIES = 1_000;

interface Entry {
  record: TokenRecord;
  expires: number;
}

export interface TokenCache {
  get(hash: string): TokenRecord | undefined;
  set(hash: string, record: TokenRecord): void;
  /** Forgets a token by its id (revocation through the admin API). */
  forget(id: string): void;
}

export function createTokenCache(opts: { ttlMs?: number; now?: () => number; maxEntries?: number } = {}): TokenCache {
  const ttlMs = opts.ttlMs ?? TOKEN_CACHE_TTL_MS;
  const now = opts.now ?? (() => Date.now());
  const maxEntries = opts.maxEntries ?? MAX_ENTRIES;
  const entries = new Map<string, Entry>();
  return {
    get(hash) {
      const entry = entries.get(hash);
      if (!entry) return undefined;
      if (entry.expires <= now()) {
        entries.delete(hash);
        return undefined;
      }
      return entry.record;
    },
    set(hash, record) {
      entries.delete(hash);
      entries.set(hash, { record, expires: now() + ttlMs });
      // Map iterates in insertion order: the first key is the oldest entry.
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    forget(id) {
      for (const [hash, entry] of entries) if (entry.record.id === id) entries.delete(hash);
    },
  };
}

/** The isolate's cache, shared by every request it serves. */
export const tokenCache = createTokenCache();
