/**
 * "Plan" (GET /api/v1/targets/{id}/plan) decides its page of waiting rows set-based (issue #11):
 * the same operations, in the same words, as when it decided them one row at a time — checked
 * here against answers written by hand for every kind of waiting row (these tests passed on the
 * per-row code too) — in a constant number of D1 queries whatever the number of rows, within
 * the Free plan's 50 (the limits harness), and a page sized to the profile's CPU.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { takeUsages } from '../../worker/src/limits/meter';
import { payloadHash } from '../../worker/src/provisioning/mapping';
import { planPage } from '../../worker/src/provisioning/plan';
import { API, api, createTarget, insertOutboxRow } from '../helpers/api';
import { fetchUnderLimits } from '../helpers/limits-fetch';
import { bulkCreate, createGroup, createUser, scim } from '../helpers/scim';

const OUT_OF_SCOPE = "out of the target's scope";
const NOT_LINKED = 'not linked yet: match on the target, then create or link';

async function link(targetId: string, userId: string, remoteId: string, extra: { payloadHash?: string; payload?: object; remoteState?: string } = {}) {
  await env.DB.prepare(
    "INSERT INTO links (target_id, resource_type, resource_id, remote_id, state, payload_hash, payload, remote_state) VALUES (?, 'User', ?, ?, 'in_sync', ?, ?, ?)",
  )
    .bind(targetId, userId, remoteId, extra.payloadHash ?? 'stale', extra.payload ? JSON.stringify(extra.payload) : null, extra.remoteState ?? 'active')
    .run();
}

async function plan(targetId: string, mode: 'scheduled' | 'automatic', limits = 'paid') {
  takeUsages();
  const res = await fetchUnderLimits('GET', `${API}/targets/${targetId}/plan?mode=${mode}`, undefined, limits, 'application/json');
  const body = (await res.json()) as {
    operations: { outboxId: number; resourceType: string; resourceId: string; state: string; action: string; detail: string }[];
  };
  const [usage] = takeUsages();
  return { status: res.status, operations: body.operations, usage: usage! };
}

describe('the plan of every kind of waiting row', () => {
  let target: any;
  /** row name → [outbox row id, resource id] */
  const rows = new Map<string, [number, string]>();
  const modes = {
    // Delete on: a deleted or out-of-scope user's account is deleted.
    scheduled: { enabled: true, operations: { create: true, update: true, deactivate: true, delete: true } },
    // Update and Delete off: changes wait, deletions deactivate.
    automatic: { enabled: true, operations: { create: true, update: false, deactivate: true, delete: false } },
  };

  beforeAll(async () => {
    const member = (name: string, extra: Record<string, unknown> = {}) =>
      createUser(`plan.${name}`, { name: { givenName: 'Plan', familyName: name }, ...extra });
    const inScope = {
      newcomer: await member('newcomer'),
      changed: await member('changed'),
      same: await member('same'),
      sameButHash: await member('same-but-hash'),
      leaver: await member('leaver', { active: false }),
      neverSent: await member('never-sent', { active: false }),
      alreadyOff: await member('already-off', { active: false }),
      shielded: await member('protected'),
      refused: await member('refused'),
      backoff: await member('backoff'),
      leased: await member('leased'),
      held: await member('held'),
      dead: await member('dead'),
      failed: await member('failed'),
    };
    const outside = { linked: await member('outside-linked'), unlinked: await member('outside-unlinked'), invited: await member('invited') };
    const gone = await member('gone');
    const goneBefore = await member('gone-before');
    const group = await createGroup('plan.team', { members: Object.values(inScope).map((u) => ({ value: u.id })) });
    expect((await scim('DELETE', `/Users/${gone.id}`)).status).toBe(204);
    expect((await scim('DELETE', `/Users/${goneBefore.id}`)).status).toBe(204);
    // Paused: no run takes the rows set up here, and the plan does not plan the change feed.
    target = await createTarget('plan', {
      status: 'paused',
      initialSync: false,
      scope: { kind: 'groups', groupIds: [group.id] },
      protectedAccounts: ['plan.protected'],
      modes,
    });
    for (const [user, override] of [
      [inScope.refused, 'never'],
      [outside.invited, 'always'],
    ] as const)
      expect((await api('PUT', `/targets/${target.id}/overrides/${user.id}`, { override })).status).toBe(200);
    await env.DB.prepare('DELETE FROM outbox WHERE target_id = ?').bind(target.id).run();

    const current = async (user: any) => (await api('POST', `/targets/${target.id}/preview`, { userId: user.id, phase: 'update' })).body.payload;
    const sameNow = await current(inScope.same);
    await link(target.id, inScope.changed.id, 'r-changed', { payload: { ...(await current(inScope.changed)), displayName: 'Before' } });
    await link(target.id, inScope.same.id, 'r-same', { payloadHash: await payloadHash(sameNow), payload: sameNow });
    // The hash is stale but no attribute differs: the link is refreshed, nothing is sent.
    await link(target.id, inScope.sameButHash.id, 'r-same-but-hash', { payload: await current(inScope.sameButHash) });
    await link(target.id, inScope.leaver.id, 'r-leaver');
    await link(target.id, inScope.alreadyOff.id, 'r-already-off', { remoteState: 'deactivated' });
    await link(target.id, inScope.shielded.id, 'r-protected');
    await link(target.id, inScope.refused.id, 'r-refused');
    await link(target.id, inScope.backoff.id, 'r-backoff', { payload: { userName: 'plan.backoff' } });
    await link(target.id, inScope.leased.id, 'r-leased');
    await link(target.id, outside.linked.id, 'r-outside');
    await link(target.id, gone.id, 'r-gone');
    await link(target.id, goneBefore.id, 'r-gone-before', { remoteState: 'deleted' });

    const queue = async (name: string, resourceId: string, state = 'pending') => {
      rows.set(name, [await insertOutboxRow(target.id, resourceId, state, { attempts: 0 }), resourceId]);
    };
    await queue('newcomer', inScope.newcomer.id);
    await queue('changed', inScope.changed.id);
    await queue('same', inScope.same.id);
    await queue('sameButHash', inScope.sameButHash.id);
    await queue('leaver', inScope.leaver.id);
    await queue('neverSent', inScope.neverSent.id);
    await queue('alreadyOff', inScope.alreadyOff.id);
    await queue('protected', inScope.shielded.id);
    await queue('refused', inScope.refused.id);
    await queue('outsideLinked', outside.linked.id);
    await queue('outsideUnlinked', outside.unlinked.id);
    await queue('invited', outside.invited.id);
    await queue('gone', gone.id);
    await queue('goneBefore', goneBefore.id);
    await queue('neverExisted', 'no-such-user');
    await queue('held', inScope.held.id, 'held');
    await queue('leased', inScope.leased.id, 'leased');
    await queue('dead', inScope.dead.id, 'dead');
    await queue('failed', inScope.failed.id, 'failed');
    // Waiting on backoff after three failed attempts: the next run still does it.
    rows.set('backoff', [await insertOutboxRow(target.id, inScope.backoff.id, 'pending', { attempts: 3, lastError: 'HTTP 503' }), inScope.backoff.id]);
    const groupRow = await env.DB.prepare(
      `INSERT INTO outbox (target_id, resource_type, resource_id, state, next_attempt_at, enqueued_at, updated_at)
       VALUES (?, 'Group', ?, 'pending', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z') RETURNING id`,
    )
      .bind(target.id, group.id)
      .first<{ id: number }>();
    rows.set('group', [groupRow!.id, group.id]);
  });

  /** What the plan says for each row, by name; rows it leaves out are absent. */
  async function planned(mode: 'scheduled' | 'automatic') {
    const { status, operations } = await plan(target.id, mode);
    expect(status).toBe(200);
    const names = new Map([...rows].map(([name, [id]]) => [id, name]));
    expect(operations.map((o) => o.outboxId)).toEqual([...operations.map((o) => o.outboxId)].sort((a, b) => a - b));
    return Object.fromEntries(
      operations.map((o) => {
        expect(o.resourceId).toBe(rows.get(names.get(o.outboxId)!)![1]);
        return [names.get(o.outboxId)!, [o.state, o.action, o.detail]];
      }),
    );
  }

  const PROTECTED = 'protected: protected account "plan.protected" (listed in protectedAccounts)';

  it('says what a scheduled run with every operation on would send, row by row', async () => {
    expect(await planned('scheduled')).toEqual({
      newcomer: ['pending', 'create', NOT_LINKED],
      changed: ['pending', 'update', 'PATCH /Users/r-changed'],
      same: ['pending', 'none', 'unchanged'],
      sameButHash: ['pending', 'none', 'unchanged'],
      leaver: ['pending', 'deactivate', 'PATCH /Users/r-leaver'],
      neverSent: ['pending', 'skip', 'nothing to send'],
      alreadyOff: ['pending', 'skip', 'nothing to send'],
      protected: ['pending', 'skip', PROTECTED],
      refused: ['pending', 'delete', OUT_OF_SCOPE],
      outsideLinked: ['pending', 'delete', OUT_OF_SCOPE],
      outsideUnlinked: ['pending', 'none', OUT_OF_SCOPE],
      invited: ['pending', 'create', NOT_LINKED],
      gone: ['pending', 'delete', 'DELETE /Users/r-gone'],
      goneBefore: ['pending', 'skip', 'nothing to send'],
      neverExisted: ['pending', 'skip', 'nothing to send'],
      held: ['held', 'hold', 'held for approval'],
      leased: ['leased', 'update', 'PATCH /Users/r-leased'],
      backoff: ['pending', 'update', 'PATCH /Users/r-backoff'],
      group: ['pending', 'update', 'group push: membership difference'],
    });
  });

  it('keeps to the operations of the mode: Update off leaves changes waiting, Delete off deactivates', async () => {
    expect(await planned('automatic')).toEqual({
      newcomer: ['pending', 'create', NOT_LINKED],
      changed: ['pending', 'skip', 'nothing to send'],
      same: ['pending', 'none', 'unchanged'],
      sameButHash: ['pending', 'skip', 'nothing to send'],
      leaver: ['pending', 'deactivate', 'PATCH /Users/r-leaver'],
      neverSent: ['pending', 'skip', 'nothing to send'],
      alreadyOff: ['pending', 'skip', 'nothing to send'],
      protected: ['pending', 'skip', PROTECTED],
      refused: ['pending', 'deactivate', OUT_OF_SCOPE],
      outsideLinked: ['pending', 'deactivate', OUT_OF_SCOPE],
      outsideUnlinked: ['pending', 'none', OUT_OF_SCOPE],
      invited: ['pending', 'create', NOT_LINKED],
      gone: ['pending', 'deactivate', 'PATCH /Users/r-gone'],
      goneBefore: ['pending', 'skip', 'nothing to send'],
      neverExisted: ['pending', 'skip', 'nothing to send'],
      held: ['held', 'hold', 'held for approval'],
      leased: ['leased', 'skip', 'nothing to send'],
      backoff: ['pending', 'skip', 'nothing to send'],
      group: ['pending', 'update', 'group push: membership difference'],
    });
  });
});

describe('the plan of 1,000 rows waiting on backoff', () => {
  const MANY = 1000;
  let many: any;
  let one: any;
  let ids: string[] = [];

  /** Every other user linked (a changed account: an update), the rest not (a creation); each waiting after 3 failed attempts. */
  async function queueAll(targetId: string, userIds: string[]) {
    const at = '2026-01-01T00:00:00.000Z';
    await env.DB.batch(
      userIds.flatMap((id, i) => [
        env.DB.prepare(
          `INSERT INTO outbox (target_id, resource_type, resource_id, state, attempts, next_attempt_at, last_error, enqueued_at, updated_at)
           VALUES (?, 'User', ?, 'pending', 3, '2099-01-01T00:00:00.000Z', 'HTTP 503', ?, ?)`,
        ).bind(targetId, id, at, at),
        ...(i % 2 === 0
          ? [
              env.DB.prepare(
                "INSERT INTO links (target_id, resource_type, resource_id, remote_id, state, payload_hash, remote_state) VALUES (?, 'User', ?, ?, 'in_sync', 'stale', 'active')",
              ).bind(targetId, id, `r-${i}`),
            ]
          : []),
      ]),
    );
  }

  beforeAll(async () => {
    ids = await bulkCreate(
      '/Users',
      Array.from({ length: MANY }, (_, i) => ({ userName: `plan.many.${i}`, name: { givenName: 'Many', familyName: `N${i}` } })),
    );
    many = await createTarget('plan many', { status: 'paused', initialSync: false });
    one = await createTarget('plan one', { status: 'paused', initialSync: false });
    await queueAll(many.id, ids);
    await queueAll(one.id, ids.slice(0, 1));
  });

  /** Rows of the page: every other user linked (an update), the rest not (a creation). */
  const expected = (n: number) => ids.slice(0, n).map((id, i) => (i % 2 === 0 ? [id, 'update', `PATCH /Users/r-${i}`] : [id, 'create', NOT_LINKED]));
  const decided = (p: Awaited<ReturnType<typeof plan>>) => p.operations.map((o) => [o.resourceId, o.action, o.detail]);

  it('decides the next 50 rows under the Free profile in the D1 queries of a plan of one row', async () => {
    const small = await plan(one.id, 'scheduled', 'free');
    const big = await plan(many.id, 'scheduled', 'free');
    expect([small.status, big.status]).toEqual([200, 200]);
    expect(small.operations).toHaveLength(1);
    // a page takes at most half of Free's 10 ms of CPU (plan.ts planPage)
    expect(decided(big)).toEqual(expected(50));
    // the target, the page of rows, then their users, links and scope in one batch
    expect([big.usage.d1Queries, big.usage.d1Trips]).toEqual([3, 3]);
    expect([small.usage.d1Queries, small.usage.d1Trips]).toEqual([3, 3]);
  });

  it('decides the next 200 under the Paid profile in the same 3 queries (one by one: 202)', async () => {
    const big = await plan(many.id, 'scheduled', 'paid');
    expect(decided(big)).toEqual(expected(200));
    expect([big.usage.d1Queries, big.usage.d1Trips]).toEqual([3, 3]);
  });

  it('sizes its page from the profile’s CPU', () => {
    expect([planPage({ RELAY_LIMITS: 'free' }), planPage({ RELAY_LIMITS: 'paid' })]).toEqual([50, 200]);
    expect(planPage({ RELAY_LIMITS: JSON.stringify({ base: 'free', cpuMs: 2 }) })).toBe(10);
  });
});
