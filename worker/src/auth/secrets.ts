/**
 * Target credentials at rest: AES-256-GCM under RELAY_ENCRYPTION_KEY (base64 of 32 bytes), a
 * fresh 96-bit IV per value. Stored as "v1.<iv>.<ciphertext>" (base64), so the key can rotate
 * to a "v2" later without guessing.
 */
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export class SecretsUnavailable extends Error {}

const keys = new Map<string, Promise<CryptoKey>>();

function keyOf(base64Key: string | undefined): Promise<CryptoKey> {
  if (!base64Key) throw new SecretsUnavailable('RELAY_ENCRYPTION_KEY is not set: target credentials cannot be stored.');
  let key = keys.get(base64Key);
  if (!key) {
    const raw = unb64(base64Key);
    if (raw.length !== 32) throw new SecretsUnavailable('RELAY_ENCRYPTION_KEY must be base64 of 32 random bytes.');
    key = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    keys.set(base64Key, key);
  }
  return key;
}

export async function encryptSecret(base64Key: string | undefined, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await keyOf(base64Key), new TextEncoder().encode(plaintext));
  return `v1.${b64(iv)}.${b64(new Uint8Array(ct))}`;
}

export async function decryptSecret(base64Key: string | undefined, stored: string): Promise<string> {
  const [version, iv, ct] = stored.split('.');
  if (version !== 'v1' || !iv || !ct) throw new SecretsUnavailable('The stored credential is not in a known format.');
  const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(iv) }, await keyOf(base64Key), unb64(ct));
  return new TextDecoder().decode(pt);
}
