/**
 * A target's or source's base URL never carries credentials: refused on the way in (they belong
 * in the token or credentials, sealed at rest), and stripped on the way out from a row stored
 * before they were refused.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, createTarget, TARGET_TOKEN } from '../helpers/api';

const WITH_CREDENTIALS = ['http://user:hunter2@app.example.com/scim/v2', 'https://hunter2@app.example.com/scim/v2', 'https://a:b@c:hunter2@app.example.com'];
const source = (baseUrl: string) => ({ name: 'creds', kind: 'scim', baseUrl, credentials: { type: 'bearer', token: 'source-token' } });

describe('credentials inside a base URL', () => {
  it('are refused on a target create and PATCH, with an issue on baseUrl', async () => {
    for (const baseUrl of WITH_CREDENTIALS) {
      const res = await api('POST', '/targets', { name: 'creds', baseUrl, token: TARGET_TOKEN });
      expect(res.status, baseUrl).toBe(400);
      expect(res.body.issues, baseUrl).toEqual([{ path: 'baseUrl', message: expect.stringContaining('user name or password') }]);
      expect(res.text).not.toContain('hunter2');
    }
    const t = await createTarget('creds-patch');
    const res = await api('PATCH', `/targets/${t.id}`, { baseUrl: WITH_CREDENTIALS[0] });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: any) => i.path)).toEqual(['baseUrl']);
    expect((await api('GET', `/targets/${t.id}`)).body.baseUrl).toBe(t.baseUrl);
  });

  it('are refused on a source create and PATCH, with an issue on baseUrl', async () => {
    for (const baseUrl of WITH_CREDENTIALS) {
      const res = await api('POST', '/sources', source(baseUrl));
      expect(res.status, baseUrl).toBe(400);
      expect(
        res.body.issues.map((i: any) => i.path),
        baseUrl,
      ).toEqual(['baseUrl']);
    }
    const created = (await api('POST', '/sources', source('http://127.0.0.1:9/scim/v2'))).body;
    const res = await api('PATCH', `/sources/${created.id}`, { baseUrl: WITH_CREDENTIALS[1] });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: any) => i.path)).toEqual(['baseUrl']);
  });

  it('an "@" in the path or query is no credential', async () => {
    const t = await createTarget('at-in-path', { baseUrl: 'https://app.example.com/tenants/@acme/scim/v2' });
    expect(t.baseUrl).toBe('https://app.example.com/tenants/@acme/scim/v2');
  });

  it('a row stored before they were refused is read without them, and a PATCH of another field still works', async () => {
    const t = await createTarget('legacy-creds', { baseUrl: 'http://127.0.0.1:9/scim/v2' });
    await env.DB.prepare('UPDATE targets SET base_url = ? WHERE id = ?').bind('http://legacy:hunter2@127.0.0.1:9/scim/v2', t.id).run();
    const read = await api('GET', `/targets/${t.id}`);
    expect(read.body.baseUrl).toBe('http://127.0.0.1:9/scim/v2');
    expect(read.text).not.toContain('hunter2');
    expect((await api('GET', '/targets')).text).not.toContain('hunter2');
    const patched = await api('PATCH', `/targets/${t.id}`, { dryRun: true });
    expect(patched.status).toBe(200);
    expect(patched.text).not.toContain('hunter2');

    const s = (await api('POST', '/sources', source('http://127.0.0.1:9/scim/v2'))).body;
    await env.DB.prepare('UPDATE sources SET base_url = ? WHERE id = ?').bind('http://legacy:hunter2@127.0.0.1:9/scim/v2', s.id).run();
    const shown = await api('GET', `/sources/${s.id}`);
    expect(shown.body.baseUrl).toBe('http://127.0.0.1:9/scim/v2');
    expect((await api('GET', '/sources')).text).not.toContain('hunter2');
  });

  it('a stored one is removed from the row the first time the row is opened (Save and test)', async () => {
    const t = await createTarget('legacy-creds-opened', { baseUrl: 'http://127.0.0.1:9/scim/v2' });
    await env.DB.prepare('UPDATE targets SET base_url = ? WHERE id = ?').bind('http://legacy:hunter2@127.0.0.1:9/scim/v2', t.id).run();
    const tested = await api('POST', `/targets/${t.id}/test`, {});
    expect(tested.status).toBe(200);
    expect(tested.text).not.toContain('hunter2');
    const row = await env.DB.prepare('SELECT base_url AS u FROM targets WHERE id = ?').bind(t.id).first<{ u: string }>();
    expect(row!.u).toBe('http://127.0.0.1:9/scim/v2');

    const s = (await api('POST', '/sources', source('http://127.0.0.1:9/scim/v2'))).body;
    await env.DB.prepare('UPDATE sources SET base_url = ? WHERE id = ?').bind('http://legacy:hunter2@127.0.0.1:9/scim/v2', s.id).run();
    const checked = await api('POST', `/sources/${s.id}/test`, {});
    expect(checked.status).toBe(200);
    expect(checked.text).not.toContain('hunter2');
    const srow = await env.DB.prepare('SELECT base_url AS u FROM sources WHERE id = ?').bind(s.id).first<{ u: string }>();
    expect(srow!.u).toBe('http://127.0.0.1:9/scim/v2');
  });
});
