/**
 * Each stored credential is bound to its row with AES-GCM additional data ("target:<id>",
 * "source:<id>"): a ciphertext copied into another row does not open there. Values sealed by
 * older releases ("v1", no additional data) still open and are re-sealed for their row. A
 * credential that cannot be opened is a named failure (409 secret_unreadable), never a 500.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, SecretUnreadable } from '../../worker/src/auth/secrets';
import { api, createTarget, TARGET_TOKEN } from '../helpers/api';

const UNREACHABLE = 'http://127.0.0.1:9/scim/v2';

const tokenEnc = async (id: string) => (await env.DB.prepare('SELECT token_enc AS v FROM targets WHERE id = ?').bind(id).first<{ v: string }>())!.v;
const credentialsEnc = async (id: string) => (await env.DB.prepare('SELECT credentials_enc AS v FROM sources WHERE id = ?').bind(id).first<{ v: string }>())!.v;

/** A value as releases before row binding sealed it: "v1", AES-GCM without additional data. */
async function sealLegacy(plaintext: string): Promise<string> {
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  const raw = Uint8Array.from(atob(env.RELAY_ENCRYPTION_KEY!), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(plaintext));
  return `v1.${b64(iv)}.${b64(new Uint8Array(ct))}`;
}

async function createSource(name: string): Promise<any> {
  const res = await api('POST', '/sources', { name, kind: 'scim', baseUrl: UNREACHABLE, credentials: { type: 'bearer', token: 'source-secret-token' } });
  expect(res.status).toBe(201);
  return res.body;
}

describe('credentials bound to their row', () => {
  it('a sealed value opens for its own row only', async () => {
    const sealed = await encryptSecret(env.RELAY_ENCRYPTION_KEY, 'secret', { kind: 'target', id: 'a' });
    expect(sealed).toMatch(/^v2\./);
    expect(await decryptSecret(env.RELAY_ENCRYPTION_KEY, sealed, { kind: 'target', id: 'a' })).toBe('secret');
    await expect(decryptSecret(env.RELAY_ENCRYPTION_KEY, sealed, { kind: 'target', id: 'b' })).rejects.toBeInstanceOf(SecretUnreadable);
    await expect(decryptSecret(env.RELAY_ENCRYPTION_KEY, sealed, { kind: 'source', id: 'a' })).rejects.toBeInstanceOf(SecretUnreadable);
  });

  it("a target token copied into another target's row fails to open there: 409 secret_unreadable, not 500", async () => {
    const a = await createTarget('sealed-a', { baseUrl: UNREACHABLE });
    const b = await createTarget('sealed-b', { baseUrl: UNREACHABLE, token: 'token-of-b' });
    await env.DB.prepare('UPDATE targets SET token_enc = ? WHERE id = ?')
      .bind(await tokenEnc(a.id), b.id)
      .run();
    const res = await api('POST', `/targets/${b.id}/test`, {});
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('secret_unreadable');
    expect(res.body.message).toContain(`target ${b.id}`);
    expect(res.body.message).toContain('enter the token again');
    expect(res.text).not.toContain(TARGET_TOKEN);
    // the admin's fix: a new token
    expect((await api('PATCH', `/targets/${b.id}`, { token: 'token-of-b-again' })).status).toBe(200);
    expect((await api('POST', `/targets/${b.id}/test`, {})).status).toBe(200);
  });

  it("a source's credentials copied into another source's row fail to open there: 409 secret_unreadable", async () => {
    const a = await createSource('sealed-source-a');
    const b = await createSource('sealed-source-b');
    await env.DB.prepare('UPDATE sources SET credentials_enc = ? WHERE id = ?')
      .bind(await credentialsEnc(a.id), b.id)
      .run();
    const res = await api('POST', `/sources/${b.id}/test`, {});
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'secret_unreadable' });
    expect(res.body.message).toContain(`source ${b.id}`);
    const imported = await api('POST', `/sources/${b.id}/users/1/import`, {});
    expect(imported.status).toBe(409);
    // an import run records the named failure on the source instead of answering an error
    const run = await api('POST', `/sources/${b.id}/run`, { kind: 'full' });
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toContain(`The stored credentials of source ${b.id} cannot be opened`);
    expect((await api('GET', `/sources/${b.id}`)).body.lastError).toContain('enter the credentials again');
  });

  it('a damaged value (not in any known format) is secret_unreadable too', async () => {
    const t = await createTarget('sealed-damaged', { baseUrl: UNREACHABLE });
    for (const junk of ['garbage', 'v2.!!!.???', 'v9.AAAA.BBBB', 'v2.AAAA']) {
      await env.DB.prepare('UPDATE targets SET token_enc = ? WHERE id = ?').bind(junk, t.id).run();
      const res = await api('POST', `/targets/${t.id}/test`, {});
      expect(res.status, junk).toBe(409);
      expect(res.body.error, junk).toBe('secret_unreadable');
    }
  });
});

describe('credentials sealed by an older release (v1, no additional data)', () => {
  it('a legacy target token opens, and is re-sealed for its row the first time it does', async () => {
    const t = await createTarget('legacy-token', { baseUrl: UNREACHABLE });
    const legacy = await sealLegacy('legacy-token-value');
    await env.DB.prepare('UPDATE targets SET token_enc = ? WHERE id = ?').bind(legacy, t.id).run();
    const res = await api('POST', `/targets/${t.id}/test`, {});
    expect(res.status).toBe(200);
    const resealed = await tokenEnc(t.id);
    expect(resealed).toMatch(/^v2\./);
    expect(await decryptSecret(env.RELAY_ENCRYPTION_KEY, resealed, { kind: 'target', id: t.id })).toBe('legacy-token-value');
    // and, being bound now, no longer opens in another row
    await expect(decryptSecret(env.RELAY_ENCRYPTION_KEY, resealed, { kind: 'target', id: 'another' })).rejects.toBeInstanceOf(SecretUnreadable);
  });

  it('legacy source credentials open, and are re-sealed for their row the first time they do', async () => {
    const s = await createSource('legacy-credentials');
    const plain = JSON.stringify({ type: 'bearer', token: 'legacy-source-token' });
    await env.DB.prepare('UPDATE sources SET credentials_enc = ? WHERE id = ?')
      .bind(await sealLegacy(plain), s.id)
      .run();
    const res = await api('POST', `/sources/${s.id}/test`, {});
    expect(res.status).toBe(200);
    const resealed = await credentialsEnc(s.id);
    expect(resealed).toMatch(/^v2\./);
    expect(await decryptSecret(env.RELAY_ENCRYPTION_KEY, resealed, { kind: 'source', id: s.id })).toBe(plain);
  });

  it('a legacy value is not re-sealed over a token the admin saved meanwhile', async () => {
    const { swapTargetTokenEnc } = await import('../../worker/src/db/legacy-rows');
    const t = await createTarget('legacy-race');
    const legacy = await sealLegacy('old');
    const saved = await tokenEnc(t.id);
    // the row moved on (a PATCH saved a new token) between the read and the re-seal
    await swapTargetTokenEnc(env.DB, t.id, legacy, 'v2.should.not-land');
    expect(await tokenEnc(t.id)).toBe(saved);
  });
});
