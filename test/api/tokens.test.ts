/**
 * /api/v1/tokens: the console's token management. Secrets are shown once and stored hashed;
 * a revoked token stops working on its next request.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../worker/src/auth/tokens';
import { api } from '../helpers/api';

describe('POST /api/v1/tokens', () => {
  it('returns the secret once, stores only its hash, and the secret works with its scopes', async () => {
    const res = await api('POST', '/tokens', { name: 'Okta', scopes: ['scim:read', 'scim:write', 'scim:read'] });
    expect(res.status, res.text).toBe(201);
    const { token, secret } = res.body;
    expect(secret).toMatch(/^srt_[A-Za-z0-9_-]{40,}$/);
    expect(token).toMatchObject({ name: 'Okta', scopes: ['scim:read', 'scim:write'], lastUsed: null, revoked: null });
    const row = await env.DB.prepare('SELECT hash FROM tokens WHERE id = ?').bind(token.id).first<{ hash: string }>();
    expect(row!.hash).toBe(await sha256Hex(secret));
    expect(JSON.stringify((await api('GET', '/tokens')).body)).not.toContain(secret);
    // a SCIM token: no admin scope
    expect((await api('GET', '/ping', undefined, { token: secret })).status).toBe(403);
  });

  it('names the field of a bad request', async () => {
    const res = await api('POST', '/tokens', { name: ' ', scopes: ['root'] });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: any) => i.path).sort()).toEqual(['name', 'scopes.0']);
    const none = await api('POST', '/tokens', { name: 'x', scopes: [] });
    expect(none.body.issues).toEqual([{ path: 'scopes', message: 'choose at least one scope' }]);
  });
});

describe('GET /api/v1/tokens and DELETE /api/v1/tokens/{id}', () => {
  it('lists tokens without hashes and revokes one so it stops working', async () => {
    const created = (await api('POST', '/tokens', { name: 'console admin', scopes: ['admin'] })).body;
    expect((await api('GET', '/ping', undefined, { token: created.secret })).status).toBe(200);

    const listed = (await api('GET', '/tokens')).body.items.find((t: any) => t.id === created.token.id);
    expect(listed).toMatchObject({ name: 'console admin', scopes: ['admin'], revoked: null });
    expect(Object.keys(listed).sort()).toEqual(['created', 'id', 'lastUsed', 'name', 'revoked', 'scopes']);

    const revoked = await api('DELETE', `/tokens/${created.token.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toMatch(/^\d{4}-/);
    expect((await api('GET', '/ping', undefined, { token: created.secret })).status).toBe(401);
    // revoking again keeps the first time
    expect((await api('DELETE', `/tokens/${created.token.id}`)).body.revoked).toBe(revoked.body.revoked);
  });

  it('answers 404 for an unknown token', async () => {
    const res = await api('DELETE', '/tokens/no-such-token');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });
});
