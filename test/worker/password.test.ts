/**
 * Passwords (issue #11 item 3): the relay is not a login system. `password` is accepted on
 * create, replace and patch (Okta sends one), never returned (RFC 7643 §4.1.1, returned
 * "never"), never stored in any form, and costs no hashing.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PATCH_URN, USER_URN, scim } from '../helpers/scim';

describe('password', () => {
  it('is accepted on create, replace and patch, and kept nowhere', async () => {
    const created = await scim('POST', '/Users', { schemas: [USER_URN], userName: 'pw@example.test', password: 'S3cret-one' });
    expect(created.status).toBe(201);
    expect(created.body.password).toBeUndefined();
    const replaced = await scim('PUT', `/Users/${created.body.id}`, { schemas: [USER_URN], userName: 'pw@example.test', title: 'x', password: 'S3cret-two' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.password).toBeUndefined();
    const row = await env.DB.prepare('SELECT * FROM users WHERE id = ?').bind(created.body.id).first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toMatch(/S3cret|pbkdf2/);
    expect(Object.keys(row!)).not.toContain('password_hash');
  });

  it('a PATCH of only the password changes nothing: same version, nothing for targets', async () => {
    const created = await scim('POST', '/Users', { schemas: [USER_URN], userName: 'pw-patch@example.test' });
    const res = await scim('PATCH', `/Users/${created.body.id}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'replace', path: 'password', value: 'N3w-pass' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.password).toBeUndefined();
    expect(res.body.meta.version).toBe(created.body.meta.version);
  });
});
