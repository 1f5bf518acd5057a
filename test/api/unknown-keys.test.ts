/**
 * Every admin request is a strict object: an unknown key (a misspelt field, a SCIM attribute sent
 * to the wrong API) or an unknown query parameter is refused with an issue at its own key path,
 * never accepted with a 200 that does nothing.
 */
import { describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from '../../worker/src/api/routes';
import { api, createTarget } from '../helpers/api';

const paths = (body: any): string[] => body.issues.map((i: any) => i.path);

async function createSource(): Promise<any> {
  const res = await api('POST', '/sources', {
    name: 'strict',
    kind: 'scim',
    baseUrl: 'http://127.0.0.1:9/scim/v2',
    credentials: { type: 'bearer', token: 'source-token' },
  });
  expect(res.status).toBe(201);
  return res.body;
}

describe('unknown keys', () => {
  it('refuses a PATCH of {"userName": …} on a target by naming userName, and changes nothing', async () => {
    const t = await createTarget('strict-patch');
    const res = await api('PATCH', `/targets/${t.id}`, { userName: 'alice' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(paths(res.body)).toEqual(['userName']);
    expect(res.body.message).toContain('userName');
    expect((await api('GET', `/targets/${t.id}`)).body).toEqual(t);
  });

  it('names an unknown key nested in settings: modes.automatic.enabld, settings.schedule.interval', async () => {
    const t = await createTarget('strict-nested');
    expect(paths((await api('PATCH', `/targets/${t.id}`, { modes: { automatic: { enabld: true } } })).body)).toEqual(['modes.automatic.enabld']);
    const s = await createSource();
    expect(paths((await api('PATCH', `/sources/${s.id}`, { settings: { schedule: { interval: 5 } } })).body)).toEqual(['settings.schedule.interval']);
  });

  it('names an unknown key inside a page user: name.middleName', async () => {
    const res = await api('POST', '/users', { userName: 'strict-page-user', name: { givenName: 'Ada', middleName: 'B' } });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(['name.middleName']);
  });

  it('refuses an unknown key on the body of every admin route that takes one', async () => {
    const t = await createTarget('strict-every-route');
    const s = await createSource();
    const ids: Record<string, string> = { id: t.id, runId: 'no-run', uid: '1' };
    const tried: string[] = [];
    for (const [name, spec] of Object.entries(ROUTES) as [string, RouteSpec][]) {
      if (!spec.body) continue;
      const path = spec.path.replace(/:(\w+)/g, (_, p: string) => (p === 'id' && spec.tag === 'sources' ? s.id : ids[p]!));
      const res = await api(spec.method.toUpperCase(), path, { bogusKey: 1 });
      expect(res.status, name).toBe(400);
      expect(paths(res.body), name).toContain('bogusKey');
      tried.push(name);
    }
    expect(tried.length).toBeGreaterThanOrEqual(20);
  });

  it('refuses an unknown query parameter (a filter the API does not have) on every route with a query', async () => {
    const t = await createTarget('strict-query');
    for (const [name, spec] of Object.entries(ROUTES) as [string, RouteSpec][]) {
      if (!spec.query) continue;
      const res = await api(
        spec.method.toUpperCase(),
        `${spec.path.replace(':id', t.id)}?filter=${encodeURIComponent('userName eq "x"')}`,
        spec.method === 'get' || spec.method === 'delete' ? undefined : {},
      );
      expect(res.status, name).toBe(400);
      expect(paths(res.body), name).toEqual(['filter']);
    }
  });

  it('refuses a query parameter on every route that takes none (GET /targets?filter=… is not a filtered list)', async () => {
    const t = await createTarget('strict-no-query');
    let tried = 0;
    for (const [name, spec] of Object.entries(ROUTES) as [string, RouteSpec][]) {
      if (spec.query) continue;
      const path = spec.path.replace(/:(\w+)/g, (_, p: string) => (p === 'id' ? t.id : 'x'));
      const res = await api(
        spec.method.toUpperCase(),
        `${path}?filter=${encodeURIComponent('userName eq "x"')}`,
        spec.method === 'get' || spec.method === 'delete' ? undefined : {},
      );
      expect(res.status, name).toBe(400);
      expect(paths(res.body), name).toEqual(['filter']);
      tried++;
    }
    expect(tried).toBeGreaterThanOrEqual(25);
    expect((await api('GET', `/targets/${t.id}`)).status).toBe(200);
  });

  it('refuses a repeated query parameter as a non-string, by name', async () => {
    const res = await api('GET', '/users?userName=a&userName=b');
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([{ path: 'userName', message: expect.stringContaining('expected string') }]);
  });

  it('refuses a body on an action that takes none (pause, resume, approve, test)', async () => {
    const t = await createTarget('strict-empty');
    const res = await api('POST', `/targets/${t.id}/pause`, { status: 'active' });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(['status']);
    // and still takes an empty or absent body
    expect((await api('POST', `/targets/${t.id}/pause`)).status).toBe(200);
    expect((await api('POST', `/targets/${t.id}/resume`, {})).status).toBe(200);
  });
});
