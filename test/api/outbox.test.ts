/**
 * /api/v1/outbox: listing by state and target with keyset paging, retry (one row or in bulk) and
 * approval of held deletions. Rows are inserted with SQL: the dispatcher's states are set up here,
 * not driven.
 */
import { describe, expect, it } from 'vitest';
import { api, createTarget, insertOutboxRow, outboxRow } from '../helpers/api';

describe('GET /api/v1/outbox', () => {
  it('filters by state and target and pages newest first', async () => {
    const t = await createTarget('queue-list');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await insertOutboxRow(t.id, `u-list-${i}`, i % 2 ? 'dead' : 'failed', { lastError: `boom ${i}` }));

    const first = await api('GET', `/outbox?targetId=${t.id}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((r: any) => r.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.items[0]).toMatchObject({
      targetId: t.id,
      resourceType: 'User',
      resourceId: 'u-list-4',
      state: 'failed',
      attempts: 3,
      lastError: 'boom 4',
      approved: false,
    });
    const second = await api('GET', `/outbox?targetId=${t.id}&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((r: any) => r.id)).toEqual([ids[2], ids[1]]);
    const last = await api('GET', `/outbox?targetId=${t.id}&limit=2&cursor=${second.body.nextCursor}`);
    expect(last.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    const dead = await api('GET', `/outbox?targetId=${t.id}&state=dead`);
    expect(dead.body.items.map((r: any) => r.id)).toEqual([ids[3], ids[1]]);
  });
});

describe('retrying outbox rows', () => {
  it('makes one failed row pending now with a fresh attempt budget', async () => {
    const t = await createTarget('queue-retry-one');
    const id = await insertOutboxRow(t.id, 'u-retry', 'dead', { attempts: 8 });
    const before = new Date().toISOString();
    const res = await api('POST', `/outbox/${id}/retry`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, state: 'pending', attempts: 0 });
    const row = await outboxRow(id);
    expect(row).toMatchObject({ state: 'pending', attempts: 0 });
    expect(row.nextAttemptAt >= before && row.nextAttemptAt <= new Date().toISOString()).toBe(true);
  });

  it('refuses held and leased rows with 409, unknown ones with 404', async () => {
    const t = await createTarget('queue-retry-refused');
    const held = await insertOutboxRow(t.id, 'u-held', 'held');
    const res = await api('POST', `/outbox/${held}/retry`);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/held/);
    expect((await outboxRow(held)).state).toBe('held');
    expect((await api('POST', '/outbox/999999999/retry')).status).toBe(404);
    expect((await api('POST', '/outbox/not-a-number/retry')).status).toBe(404);
  });

  it('retries in bulk by target and state', async () => {
    const t = await createTarget('queue-retry-bulk');
    const other = await createTarget('queue-retry-bulk-other');
    const failed = await insertOutboxRow(t.id, 'u-b1', 'failed');
    const dead = await insertOutboxRow(t.id, 'u-b2', 'dead');
    const held = await insertOutboxRow(t.id, 'u-b3', 'held');
    const elsewhere = await insertOutboxRow(other.id, 'u-b4', 'failed');

    expect((await api('POST', '/outbox/retry', { targetId: t.id, state: 'dead' })).body).toEqual({ count: 1 });
    expect((await outboxRow(dead)).state).toBe('pending');
    expect((await outboxRow(failed)).state).toBe('failed');

    expect((await api('POST', '/outbox/retry', { targetId: t.id })).body).toEqual({ count: 1 });
    expect((await outboxRow(failed)).state).toBe('pending');
    expect((await outboxRow(held)).state).toBe('held');
    expect((await outboxRow(elsewhere)).state).toBe('failed');

    expect((await api('POST', '/outbox/retry', { state: 'pending' })).status).toBe(400);
  });
});

describe('approving held deletions', () => {
  it('approves one held row: pending, approved, due now', async () => {
    const t = await createTarget('queue-approve-one');
    const id = await insertOutboxRow(t.id, 'u-a1', 'held', { lastError: 'over the deletion threshold' });
    const res = await api('POST', `/outbox/${id}/approve`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, state: 'pending', approved: true });
    expect(await outboxRow(id)).toMatchObject({ state: 'pending', approved: 1 });
    const again = await api('POST', `/outbox/${id}/approve`);
    expect(again.status).toBe(409);
  });

  it("approves all of a target's held rows and nothing else", async () => {
    const t = await createTarget('queue-approve-all');
    const other = await createTarget('queue-approve-all-other');
    const held = [await insertOutboxRow(t.id, 'u-h1', 'held'), await insertOutboxRow(t.id, 'u-h2', 'held')];
    const failed = await insertOutboxRow(t.id, 'u-h3', 'failed');
    const elsewhere = await insertOutboxRow(other.id, 'u-h4', 'held');

    expect((await api('POST', `/targets/${t.id}/approve`)).body).toEqual({ count: 2 });
    for (const id of held) expect(await outboxRow(id)).toMatchObject({ state: 'pending', approved: 1 });
    expect(await outboxRow(failed)).toMatchObject({ state: 'failed', approved: 0 });
    expect(await outboxRow(elsewhere)).toMatchObject({ state: 'held', approved: 0 });
  });
});
