/** /api/v1/runs and /api/v1/audit: newest first, keyset paging, filters. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, createTarget } from '../helpers/api';

async function insertRun(targetId: string, id: string, startedAt: string) {
  await env.DB.prepare("INSERT INTO runs (id, target_id, mode, started_at, finished_at, counts, status) VALUES (?, ?, 'scheduled', ?, ?, ?, 'done')")
    .bind(id, targetId, startedAt, startedAt, JSON.stringify({ claimed: 2, created: 1 }))
    .run();
}

async function insertAudit(targetId: string, resourceId: string, operation: string): Promise<number> {
  const row = await env.DB.prepare(
    `INSERT INTO audit_events (at, target_id, resource_type, resource_id, operation, method, path, http_status, duration_ms, outcome, attributes_changed)
     VALUES (?, ?, 'User', ?, ?, 'POST', '/Users', 201, 12, 'ok', ?) RETURNING id`,
  )
    .bind(new Date().toISOString(), targetId, resourceId, operation, JSON.stringify(['userName']))
    .first<{ id: number }>();
  return row!.id;
}

describe('GET /api/v1/runs', () => {
  it('pages a target’s runs newest first, ties broken by id', async () => {
    const t = await createTarget('runs');
    await insertRun(t.id, 'run-a', '2026-03-01T00:00:00.000Z');
    await insertRun(t.id, 'run-b', '2026-03-02T00:00:00.000Z');
    await insertRun(t.id, 'run-c', '2026-03-02T00:00:00.000Z');
    await insertRun(t.id, 'run-d', '2026-03-03T00:00:00.000Z');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api('GET', `/runs?targetId=${t.id}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((r: any) => r.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['run-d', 'run-c', 'run-b', 'run-a']);

    const one = (await api('GET', `/runs?targetId=${t.id}&limit=1`)).body.items[0];
    expect(one).toEqual({
      id: 'run-d',
      targetId: t.id,
      mode: 'scheduled',
      startedAt: '2026-03-03T00:00:00.000Z',
      finishedAt: '2026-03-03T00:00:00.000Z',
      counts: { claimed: 2, created: 1 },
      status: 'done',
    });
  });
});

describe('GET /api/v1/audit', () => {
  it('pages newest first and filters by target and resource', async () => {
    const t = await createTarget('audit');
    const ids = [await insertAudit(t.id, 'aud-1', 'create'), await insertAudit(t.id, 'aud-2', 'create'), await insertAudit(t.id, 'aud-1', 'update')];

    const first = await api('GET', `/audit?targetId=${t.id}&limit=2`);
    expect(first.body.items.map((e: any) => e.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.items[0]).toMatchObject({ resourceId: 'aud-1', operation: 'update', httpStatus: 201, attributesChanged: ['userName'], dryRun: false });
    const rest = await api('GET', `/audit?targetId=${t.id}&limit=2&cursor=${first.body.nextCursor}`);
    expect(rest.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    const forUser = await api('GET', `/audit?resourceId=aud-1`);
    expect(forUser.body.items.map((e: any) => e.id)).toEqual([ids[2], ids[0]]);
  });
});
