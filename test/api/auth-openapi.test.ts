/**
 * Every admin route needs an admin-scoped token, and the OpenAPI document describes exactly the
 * routes the app serves (both come from worker/src/api/routes.ts).
 */
import { describe, expect, it } from 'vitest';
import { apiApp } from '../../worker/src/api/app';
import { openApiPath } from '../../worker/src/api/openapi';
import { ROUTES } from '../../worker/src/api/routes';
import { api, createApiToken } from '../helpers/api';

const concrete = (path: string) => path.replace(/:id/g, 'some-id');

describe('admin API authentication', () => {
  it('answers 401 without a token and with an unknown one', async () => {
    for (const token of [null, 'srt_unknown']) {
      const res = await api('GET', '/targets', undefined, { token });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('unauthorized');
    }
  });

  it('answers 403 to a SCIM-only token on every route', async () => {
    const token = await createApiToken(['scim:read', 'scim:write']);
    for (const spec of Object.values(ROUTES)) {
      const res = await api(spec.method.toUpperCase(), concrete(spec.path), spec.method === 'get' ? undefined : {}, { token });
      expect(res.status, `${spec.method} ${spec.path}`).toBe(403);
      expect(res.body.error).toBe('forbidden');
    }
  });

  it('accepts a stored admin token', async () => {
    const token = await createApiToken(['admin']);
    expect((await api('GET', '/ping', undefined, { token })).body).toEqual({ ok: true, token: 'test admin' });
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document with bearer auth', async () => {
    const res = await api('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.servers).toEqual([{ url: 'http://relay.test/api/v1' }]);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(res.body.security).toEqual([{ bearer: [] }]);
  });

  it('lists every route the app serves, and no other', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const served = apiApp.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${openApiPath(r.path)}`);
    expect(new Set(documented)).toEqual(new Set(served));
    for (const route of [
      'GET /ping',
      'POST /targets',
      'PUT /targets/{id}/mapping',
      'POST /users/lookup',
      'GET /users/{id}/status',
      'POST /outbox/{id}/approve',
    ]) {
      expect(documented).toContain(route);
    }
  });

  it('describes request bodies as clients send them and names path and query parameters', async () => {
    const doc = (await api('GET', '/openapi.json')).body;
    const create = doc.paths['/targets'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['name', 'baseUrl', 'token']));
    expect(body.required).not.toContain('matching');
    expect(body.properties.modes.properties.scheduled.properties.intervalMinutes).toMatchObject({ type: 'integer', minimum: 1 });
    expect(create.responses['201'].content['application/json'].schema.properties).not.toHaveProperty('token');
    expect(create.responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ApiError' });
    expect(doc.paths['/targets/{id}'].get.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    const outboxParams = doc.paths['/outbox'].get.parameters.map((p: any) => p.name);
    expect(outboxParams).toEqual(['state', 'targetId', 'limit', 'cursor']);
  });
});
