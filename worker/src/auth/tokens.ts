/**
 * API tokens. The secret is random (32 bytes from the platform CSPRNG), shown once, and only its
 * SHA-256 is stored. A presented token is hashed and looked up by hash: the database never sees
 * the secret and a timing difference in the index lookup reveals nothing about any stored
 * secret. The bootstrap token from the environment is compared in constant time.
 */
export const SCOPES = ['scim:read', 'scim:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const TOKEN_PREFIX = 'srt_';

export function generateTokenSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return TOKEN_PREFIX + btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Constant-time equality of two secrets: compares their SHA-256 digests. */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([a, b].map((s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))));
  return crypto.subtle.timingSafeEqual(da!, db!);
}

export function parseScopes(text: string): Scope[] {
  return text
    .split(/[\s,]+/)
    .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
}
