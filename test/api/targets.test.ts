/**
 * /api/v1/targets: create, read, list, update, pause/resume, mapping, delete. The target's token
 * goes in and never comes out: not in any response, stored only encrypted.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decryptSecret } from '../../worker/src/auth/secrets';
import { DEFAULT_MAPPING } from '../../worker/src/provisioning/mapping';
import { TARGET_TOKEN, api, createTarget } from '../helpers/api';

const storedToken = async (id: string) => (await env.DB.prepare('SELECT token_enc AS t FROM targets WHERE id = ?').bind(id).first<{ t: string }>())!.t;

describe('targets CRUD', () => {
  it('creates, reads, lists, updates and deletes a target', async () => {
    const created = await api('POST', '/targets', { name: ' Drupal prod ', baseUrl: 'https://drupal.example.com/scim/v2/', token: TARGET_TOKEN });
    expect(created.status).toBe(201);
    const t = created.body;
    expect(created.headers.get('location')).toBe(`http://relay.test/api/v1/targets/${t.id}`);
    expect(t).toMatchObject({
      name: 'Drupal prod',
      kind: 'scim',
      baseUrl: 'https://drupal.example.com/scim/v2',
      hasToken: true,
      matching: ['userName'],
      status: 'active',
      pausedReason: null,
      capabilities: null,
      dryRun: false,
      rateLimitPerSecond: 10,
      concurrency: 4,
      deletionThreshold: 10,
    });
    expect(t.modes.manual.enabled).toBe(true);
    expect(t.modes.automatic.enabled).toBe(false);
    expect(t.mapping).toEqual(DEFAULT_MAPPING);

    expect((await api('GET', `/targets/${t.id}`)).body).toEqual(t);
    const list = await api('GET', '/targets');
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: any) => x.id)).toContain(t.id);

    const patched = await api('PATCH', `/targets/${t.id}`, { name: 'Drupal', modes: { scheduled: { enabled: true, intervalMinutes: 15 } }, dryRun: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Drupal', dryRun: true, baseUrl: t.baseUrl });
    expect(patched.body.modes.scheduled).toMatchObject({ enabled: true, intervalMinutes: 15 });
    expect(patched.body.updated >= t.updated).toBe(true);

    expect((await api('DELETE', `/targets/${t.id}`)).status).toBe(204);
    const gone = await api('GET', `/targets/${t.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toBe('not_found');
  });

  it('answers 404 JSON for an unknown id on every target route', async () => {
    for (const [method, path, body] of [
      ['GET', '/targets/nope'],
      ['PATCH', '/targets/nope', { name: 'x' }],
      ['DELETE', '/targets/nope'],
      ['POST', '/targets/nope/pause'],
      ['POST', '/targets/nope/resume'],
      ['GET', '/targets/nope/mapping'],
      ['PUT', '/targets/nope/mapping', { mapping: [] }],
      ['POST', '/targets/nope/approve'],
    ] as const) {
      const res = await api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toBe('not_found');
    }
  });

  it('pauses and resumes; resuming or PATCHing status active clears pausedReason', async () => {
    const t = await createTarget('pausable');
    expect((await api('POST', `/targets/${t.id}/pause`)).body.status).toBe('paused');
    await env.DB.prepare("UPDATE targets SET paused_reason = '401 from target' WHERE id = ?").bind(t.id).run();
    expect((await api('GET', `/targets/${t.id}`)).body.pausedReason).toBe('401 from target');
    const resumed = await api('POST', `/targets/${t.id}/resume`);
    expect(resumed.body).toMatchObject({ status: 'active', pausedReason: null });

    await env.DB.prepare("UPDATE targets SET status = 'paused', paused_reason = 'fatal' WHERE id = ?").bind(t.id).run();
    expect((await api('PATCH', `/targets/${t.id}`, { status: 'active' })).body).toMatchObject({ status: 'active', pausedReason: null });
  });

  it('reads and replaces the mapping', async () => {
    const t = await createTarget('mapped', { mapping: [{ target: 'userName', source: 'userName' }] });
    expect((await api('GET', `/targets/${t.id}/mapping`)).body.mapping).toEqual([
      { target: 'userName', source: 'userName', transforms: [], when: 'always', clearWhenMissing: true },
    ]);
    const mapping = [{ target: 'emails[type eq "work"].value', template: '{userName}@example.com', transforms: ['lower'] }];
    const put = await api('PUT', `/targets/${t.id}/mapping`, { mapping });
    expect(put.status).toBe(200);
    expect(put.body.mapping[0]).toMatchObject(mapping[0]!);
    expect((await api('GET', `/targets/${t.id}`)).body.mapping).toEqual(put.body.mapping);
  });
});

describe('the target token', () => {
  it('never appears in any response, in plaintext or ciphertext', async () => {
    const t = await createTarget('secretive');
    const ciphertext = await storedToken(t.id);
    const responses = [
      await api('GET', `/targets/${t.id}`),
      await api('GET', '/targets'),
      await api('PATCH', `/targets/${t.id}`, { name: 'still secretive' }),
      await api('POST', `/targets/${t.id}/pause`),
      await api('POST', `/targets/${t.id}/resume`),
      await api('GET', `/targets/${t.id}/mapping`),
    ];
    for (const res of [{ text: JSON.stringify(t) }, ...responses]) {
      expect(res.text).not.toContain(TARGET_TOKEN);
      expect(res.text).not.toContain(ciphertext);
      expect(res.text).not.toMatch(/token_?enc/i);
    }
  });

  it('is stored encrypted and decrypts to what was sent; a new token is re-encrypted', async () => {
    const t = await createTarget('encrypted');
    const stored = await storedToken(t.id);
    expect(stored).not.toContain(TARGET_TOKEN);
    expect(stored).toMatch(/^v2\./);
    expect(await decryptSecret(env.RELAY_ENCRYPTION_KEY, stored, { kind: 'target', id: t.id })).toBe(TARGET_TOKEN);

    const res = await api('PATCH', `/targets/${t.id}`, { token: 'rotated-token-abc' });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('rotated-token-abc');
    const rotated = await storedToken(t.id);
    expect(rotated).not.toBe(stored);
    expect(await decryptSecret(env.RELAY_ENCRYPTION_KEY, rotated, { kind: 'target', id: t.id })).toBe('rotated-token-abc');
  });
});
