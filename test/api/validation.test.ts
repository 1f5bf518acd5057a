/** Bad input answers 400 with `issues` naming each bad field by its key path; never a 500. */
import { describe, expect, it } from 'vitest';
import { api, createTarget } from '../helpers/api';

const paths = (body: any) => body.issues.map((i: any) => i.path);

describe('admin API validation', () => {
  it('names a nested field: modes.scheduled.intervalMinutes', async () => {
    const t = await createTarget('validated');
    const res = await api('PATCH', `/targets/${t.id}`, { modes: { scheduled: { intervalMinutes: 0 } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(paths(res.body)).toEqual(['modes.scheduled.intervalMinutes']);
    expect(res.body.message).toContain('modes.scheduled.intervalMinutes');
  });

  it('names every missing or wrong field of a create', async () => {
    const res = await api('POST', '/targets', { baseUrl: 'ftp://x', concurrency: 9, mapping: [{ target: 'userName' }] });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(expect.arrayContaining(['name', 'baseUrl', 'token', 'concurrency', 'mapping.0']));
  });

  it('validates the mapping PUT body by key path', async () => {
    const t = await createTarget('mapping-validated');
    const res = await api('PUT', `/targets/${t.id}/mapping`, {
      mapping: [
        { target: 'a', source: 'b' },
        { target: '', source: 'x', when: 'sometimes' },
      ],
    });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(expect.arrayContaining(['mapping.1.target', 'mapping.1.when']));
  });

  it('answers malformed JSON with 400 and a clear message', async () => {
    const res = await api('POST', '/targets', undefined, { raw: '{"name": "x",' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request' });
    expect(res.body.message).toMatch(/not valid JSON/);
  });

  it('answers a JSON value of the wrong type (an array, a string) with 400', async () => {
    for (const raw of ['[]', '"x"', 'null']) {
      const res = await api('POST', '/targets', undefined, { raw });
      expect(res.status, raw).toBe(400);
      expect(res.body.issues[0].path).toBe('');
    }
  });

  it('validates query parameters', async () => {
    const res = await api('GET', '/outbox?state=stuck&limit=0&cursor=abc');
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(expect.arrayContaining(['state', 'limit', 'cursor']));
    expect((await api('GET', '/runs?limit=1000')).status).toBe(400);
    expect(paths((await api('GET', '/audit?cursor=x')).body)).toEqual(['cursor']);
  });

  it('validates the lookup body, including the 500-key limit', async () => {
    expect(paths((await api('POST', '/users/lookup', { userNames: 'alice' })).body)).toEqual(['userNames']);
    const many = Array.from({ length: 300 }, (_, i) => `u${i}`);
    const res = await api('POST', '/users/lookup', { userNames: many, emails: many });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].message).toMatch(/500/);
  });
});
