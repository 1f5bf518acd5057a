/**
 * Credentials at rest: AES-256-GCM under RELAY_ENCRYPTION_KEY (base64 of 32 bytes), a fresh
 * 96-bit IV per value, stored as "<version>.<iv>.<ciphertext>" (base64).
 *
 * - "v2": the ciphertext is bound to its row with GCM additional data ("target:<id>" or
 *   "source:<id>"), so a value copied into another row (by SQL access, a bad restore) fails to
 *   open instead of handing one row's credential to another row's requests.
 * - "v1": sealed before that, without additional data. Still opened, and re-sealed as "v2" by
 *   the row's owner (see `isLegacySealed`).
 */
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** RELAY_ENCRYPTION_KEY is missing or malformed: a deployment problem, nothing can be sealed or opened. */
export class SecretsUnavailable extends Error {
  override name = 'SecretsUnavailable';
}

/**
 * One row's credential cannot be opened: sealed under another key, for another row, or damaged.
 * The admin's fix is to enter the credential again; other rows are unaffected.
 */
export class SecretUnreadable extends Error {
  override name = 'SecretUnreadable';
  constructor(readonly owner: SecretOwner) {
    super(
      `The stored ${owner.kind === 'target' ? 'token' : 'credentials'} of ${owner.kind} ${owner.id} cannot be opened (sealed under another RELAY_ENCRYPTION_KEY, copied from another row, or damaged): enter ${owner.kind === 'target' ? 'the token' : 'the credentials'} again.`,
    );
  }
}

/** The row a ciphertext belongs to: its additional data. */
export interface SecretOwner {
  kind: 'target' | 'source';
  id: string;
}

const CURRENT = 'v2';
const LEGACY = 'v1';

const additionalData = (owner: SecretOwner) => new TextEncoder().encode(`${owner.kind}:${owner.id}`);

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

export async function encryptSecret(base64Key: string | undefined, plaintext: string, owner: SecretOwner): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(owner) },
    await keyOf(base64Key),
    new TextEncoder().encode(plaintext),
  );
  return `${CURRENT}.${b64(iv)}.${b64(new Uint8Array(ct))}`;
}

/** Opens a value sealed for `owner` (or a legacy value sealed without additional data). */
export async function decryptSecret(base64Key: string | undefined, stored: string, owner: SecretOwner): Promise<string> {
  const key = await keyOf(base64Key);
  const [version, iv, ct, extra] = stored.split('.');
  if ((version !== CURRENT && version !== LEGACY) || !iv || !ct || extra !== undefined) throw new SecretUnreadable(owner);
  try {
    const params = version === CURRENT ? { name: 'AES-GCM', iv: unb64(iv), additionalData: additionalData(owner) } : { name: 'AES-GCM', iv: unb64(iv) };
    return new TextDecoder().decode(await crypto.subtle.decrypt(params, key, unb64(ct)));
  } catch {
    // WebCrypto's OperationError (wrong key, wrong row, tampered) or atob's on damaged base64
    throw new SecretUnreadable(owner);
  }
}

/** Sealed before ciphertexts were bound to their row: the owner re-seals it once it has opened it. */
export const isLegacySealed = (stored: string) => stored.startsWith(`${LEGACY}.`);
