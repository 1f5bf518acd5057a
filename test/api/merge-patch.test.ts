/**
 * PATCH /targets/{id} and /sources/{id} are JSON merge patches (RFC 7396): nested settings keep
 * what the patch leaves out, null removes a member (its default comes back), arrays replace, and
 * the merged result is validated whole with key paths.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../worker/src/api/merge-patch';
import { API, api, createTarget } from '../helpers/api';
import { TEST_TOKEN } from '../helpers/scim';

async function createSource(settings: Record<string, unknown> = {}): Promise<any> {
  const res = await api('POST', '/sources', {
    name: 'merged',
    kind: 'drupal-jsonapi',
    baseUrl: 'http://127.0.0.1:9',
    credentials: { type: 'basic', username: 'admin', password: 'pw' },
    settings,
  });
  expect(res.status).toBe(201);
  return res.body;
}

describe('RFC 7396 MergePatch', () => {
  // RFC 7396 Appendix A, the examples that matter here
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('merges %j with %j into %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it('keeps a "__proto__" key a key instead of a prototype', () => {
    const merged = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.keys(merged)).toEqual(['__proto__']);
    expect(({} as any).polluted).toBeUndefined();
  });
});

describe('PATCH /targets/{id} merges', () => {
  it('turning automatic mode on leaves scheduled mode on with its interval', async () => {
    const t = await createTarget('merge-modes', { modes: { scheduled: { enabled: true, intervalMinutes: 15 } } });
    expect(t.modes.scheduled).toMatchObject({ enabled: true, intervalMinutes: 15 });
    const res = await api('PATCH', `/targets/${t.id}`, { modes: { automatic: { enabled: true } } });
    expect(res.status).toBe(200);
    expect(res.body.modes.automatic.enabled).toBe(true);
    expect(res.body.modes.scheduled).toEqual(t.modes.scheduled);
    expect(res.body.modes.manual).toEqual(t.modes.manual);
  });

  it('changes one operation of one mode and keeps the others', async () => {
    const t = await createTarget('merge-ops', { modes: { automatic: { enabled: true, operations: { delete: true } } } });
    const res = await api('PATCH', `/targets/${t.id}`, { modes: { automatic: { operations: { create: false } } } });
    expect(res.body.modes.automatic).toEqual({ enabled: true, operations: { create: false, update: true, deactivate: true, delete: true } });
  });

  it('null restores a default inside settings (the scheduled interval back to 60)', async () => {
    const t = await createTarget('merge-null', { modes: { scheduled: { enabled: true, intervalMinutes: 15 } } });
    const res = await api('PATCH', `/targets/${t.id}`, { modes: { scheduled: { intervalMinutes: null } } });
    expect(res.status).toBe(200);
    expect(res.body.modes.scheduled).toMatchObject({ enabled: true, intervalMinutes: 60 });
  });

  it('refuses null on a member a target must have, by its key path', async () => {
    const t = await createTarget('merge-required');
    const res = await api('PATCH', `/targets/${t.id}`, { name: null, token: null });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: any) => i.path)).toEqual(expect.arrayContaining(['name', 'token']));
    expect((await api('GET', `/targets/${t.id}`)).body.name).toBe('merge-required');
  });

  it('validates the merged result whole and names the failing key path', async () => {
    const t = await createTarget('merge-invalid');
    const res = await api('PATCH', `/targets/${t.id}`, { modes: { scheduled: { enabled: 'yes' } }, concurrency: 99 });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: any) => i.path).sort()).toEqual(['concurrency', 'modes.scheduled.enabled']);
  });

  it("merges a Drupal target's roleMap key by key: null removes one role", async () => {
    const t = await createTarget('merge-drupal', {
      kind: 'drupal-jsonapi',
      baseUrl: 'http://127.0.0.1:9',
      token: 'admin:pw',
      options: { roleMap: { Editors: 'editor', Admins: 'administrator' } },
    });
    const res = await api('PATCH', `/targets/${t.id}`, { options: { roleMap: { Admins: null, Authors: 'author' } } });
    expect(res.status).toBe(200);
    expect(res.body.options).toMatchObject({ auth: 'basic', jsonapiPath: '/jsonapi', roleMap: { Editors: 'editor', Authors: 'author' } });
  });

  it('takes application/merge-patch+json as well as application/json', async () => {
    const t = await createTarget('merge-type');
    const res = await SELF.fetch(`${API}/targets/${t.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ dryRun: true }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).dryRun).toBe(true);
  });

  it('says so in the OpenAPI document', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    for (const path of ['/targets/{id}', '/sources/{id}']) {
      const op = doc.paths[path].patch;
      expect(Object.keys(op.requestBody.content)).toEqual(['application/merge-patch+json', 'application/json']);
      expect(op.description).toContain('RFC 7396');
    }
  });
});

describe('PATCH /sources/{id} merges', () => {
  it('changing onDeleted keeps the import schedule and the rest of the settings', async () => {
    const s = await createSource({ schedule: { intervalMinutes: 5, fullEveryHours: 6 }, include: { roles: ['staff'] } });
    const res = await api('PATCH', `/sources/${s.id}`, { settings: { onDeleted: 'delete' } });
    expect(res.status).toBe(200);
    expect(res.body.settings).toEqual({ ...s.settings, onDeleted: 'delete' });
    expect(res.body.settings.schedule).toEqual({ intervalMinutes: 5, fullEveryHours: 6 });
  });

  it('null on a role group removes that one mapping', async () => {
    const s = await createSource({ mapping: { roleGroups: { editor: 'Editors', admin: 'Admins' } } });
    const res = await api('PATCH', `/sources/${s.id}`, { settings: { mapping: { roleGroups: { admin: null } } } });
    expect(res.body.settings.mapping.roleGroups).toEqual({ editor: 'Editors' });
  });

  it('replaces the write-only credentials whole: a partial one is refused with its key path', async () => {
    const s = await createSource();
    const stored = () => env.DB.prepare('SELECT credentials_enc AS c FROM sources WHERE id = ?').bind(s.id).first<{ c: string }>();
    const before = await stored();
    const res = await api('PATCH', `/sources/${s.id}`, { credentials: { type: 'basic', password: 'new' } });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: any) => i.path)).toEqual(['credentials.username']);
    expect(await stored()).toEqual(before);
  });
});
