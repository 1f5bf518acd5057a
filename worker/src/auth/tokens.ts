/**
 * API tokens. The secret is random (32 bytes from the platform CSPRNG), shown once, and only its
 * SHA-256 is stored. A presented token is hashed and looked up by hash: the database never sees
 * the secret and a timing difference in the index lookup reveals nothing about any stored
 * secret. The bootstrap token from the environment is compared in constant time.
 */
import { TOKEN_SCOPES } from '../../../shared/src/tokens';

export const SCOPES = TOKEN_SCOPES;
export type Scope = (typeof SCOPES)[number];

export const TOKEN_PREFIX = 'srt_';

export function generateTokenSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return (
    TOKEN_PREFIX +
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
  );
}

const digest = (text: string) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

export async function sha256Hex(text: string): Promise<string> {
  return hex(await digest(text));
}

/** The presented secret's digest, computed once per request: looked up by hex, compared in constant time. */
export interface PresentedToken {
  digest: ArrayBuffer;
  hash: string;
}

export async function presentToken(secret: string): Promise<PresentedToken> {
  const d = await digest(secret);
  return { digest: d, hash: hex(d) };
}

/** Constant-time equality with a configured secret: compares SHA-256 digests. */
export async function matchesSecret(presented: PresentedToken, configured: string): Promise<boolean> {
  return crypto.subtle.timingSafeEqual(presented.digest, await digest(configured));
}

export function parseScopes(text: string): Scope[] {
  return text.split(/[\s,]+/).filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
}
