/**
 * Bearer tokens as `npm run token` stores them: only the SHA-256 of the secret, with scopes. A
 * token revoked through the admin API stops working on the next request; one revoked where this
 * isolate's token cache does not hear of it within TOKEN_CACHE_TTL_MS; a scope is enforced per route.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_CACHE_TTL_MS } from '../../worker/src/auth/token-cache';
import { sha256Hex } from '../../worker/src/auth/tokens';
import { api, createApiToken } from '../helpers/api';
import { scim } from '../helpers/scim';

describe('stored tokens', () => {
  it('keep only a hash of the secret', async () => {
    const secret = await createApiToken(['scim:read']);
    const rows = await env.DB.prepare('SELECT hash FROM tokens').all<{ hash: string }>();
    expect(rows.results.some((r) => r.hash === secret)).toBe(false);
    expect(rows.results.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
  });

  it('read with scim:read, are refused writes without scim:write (403)', async () => {
    const secret = await createApiToken(['scim:read']);
    expect((await scim('GET', '/Users', undefined, { token: secret })).status).toBe(200);
    const write = await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'nope@tokens.test' }, { token: secret });
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ status: '403', detail: expect.stringContaining('scim:write') });
  });

  it('stop working as soon as they are revoked through the admin API', async () => {
    const secret = await createApiToken(['scim:read', 'scim:write']);
    expect((await scim('GET', '/Users', undefined, { token: secret })).status).toBe(200);
    const row = await env.DB.prepare('SELECT id FROM tokens WHERE hash = ?')
      .bind(await sha256Hex(secret))
      .first<{ id: string }>();
    expect((await api('DELETE', `/tokens/${row!.id}`)).status).toBe(200);
    const after = await scim('GET', '/Users', undefined, { token: secret });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  describe('revoked where this isolate does not see it (another isolate, or SQL)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it(`are accepted for at most TOKEN_CACHE_TTL_MS (${TOKEN_CACHE_TTL_MS / 1000} s) after the isolate verified them`, async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const secret = await createApiToken(['scim:read']);
      expect((await scim('GET', '/Users', undefined, { token: secret })).status).toBe(200);
      await env.DB.prepare('UPDATE tokens SET revoked = ? WHERE hash = ?')
        .bind(new Date().toISOString(), await sha256Hex(secret))
        .run();
      vi.setSystemTime(Date.now() + TOKEN_CACHE_TTL_MS - 1_000);
      expect((await scim('GET', '/Users', undefined, { token: secret })).status).toBe(200);
      vi.setSystemTime(Date.now() + 1_000);
      expect((await scim('GET', '/Users', undefined, { token: secret })).status).toBe(401);
    });
  });
});
