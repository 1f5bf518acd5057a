/**
 * Bearer tokens as `npm run token` stores them: only the SHA-256 of the secret, with scopes. A
 * revoked token stops working on the next request; a scope is enforced per route.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApiToken } from '../helpers/api';
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

  it('stop working as soon as they are revoked', async () => {
    const secret = await createApiToken(['scim:read', 'scim:write']);
    expect((await scim('GET', '/Users', undefined, { token: secret })).status).toBe(200);
    await env.DB.prepare("UPDATE tokens SET revoked = '2026-01-01T00:00:00.000Z' WHERE revoked IS NULL AND scopes = 'scim:read scim:write'").run();
    const after = await scim('GET', '/Users', undefined, { token: secret });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});
