/**
 * `password` is writeOnly and returned never (RFC 7643 §4.1.1): only a salted PBKDF2-SHA256
 * hash is kept, so a relay database leak does not leak passwords.
 */
const ITERATIONS = 100_000; // the Workers runtime's PBKDF2 maximum

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS }, key, 256);
  return `pbkdf2-sha256$${ITERATIONS}$${b64(salt)}$${b64(new Uint8Array(bits))}`;
}
