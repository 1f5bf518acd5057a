/**
 * A reconcile run spans invocations: each works within its own budget, commits after every step
 * and the next continues where it left (the cron, or the next POST); one invocation at a time
 * works on a target's run; a target that will not list is read by id. enqueueResources puts drift
 * on the queue the way the trigger does.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { enqueueResources } from '../../worker/src/db/outbox';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { reconcileTarget } from '../../worker/src/provisioning/reconcile';
import { PATCH_URN, createUser } from '../helpers/scim';
import { api } from '../helpers/api';
import { newFaultTarget, scimB } from '../support/e2e';
import { onB, targetToB } from '../support/on-relay-b';

const ops = { create: true, update: true, deactivate: true, delete: false };
const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}@resume.test`;

describe('a reconcile run across invocations', () => {
  it('continues where the last invocation stopped, one request per invocation, and reports once', async () => {
    const target = await targetToB('B resume', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops } }, { initialSync: false });
    const user = await createUser(unique('resumed'), { title: 'Engineer' });
    await dispatch(env, { mode: 'scheduled', force: true, targetIds: [target.id], budget: createBudget(env, 'cron') });
    const remote = await onB(user.userName);
    await scimB('PATCH', `/Users/${remote.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'Edited on B' }] });

    // One request per invocation while reading; the repair needs a row's worth (3) to dispatch.
    const phases: string[] = [];
    let state: Awaited<ReturnType<typeof reconcileTarget>> = null;
    for (let i = 0; i < 20 && state?.phase !== 'done'; i++) {
      state = await reconcileTarget(env, target.id, {
        budget: { requests: state?.phase === 'repair' ? 3 : 1, deadline: Date.now() + 20_000, queries: 10_000, pool: Number.POSITIVE_INFINITY },
      });
      phases.push(state!.phase);
    }
    expect(state).toMatchObject({ phase: 'done', found: { attributes: 1 }, fixed: { attributes: 1 }, leaseUntil: null });
    expect(state!.counts.invocations).toBe(phases.length);
    expect(phases.length).toBeGreaterThan(2);
    expect(phases[0]).toBe('users');
    expect(phases).toContain('repair');
    expect(await onB(user.userName)).toMatchObject({ title: 'Engineer' });
  });

  it('leaves a run another invocation holds alone', async () => {
    const target = await targetToB('B leased', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops } }, { initialSync: false });
    const first = await reconcileTarget(env, target.id, {
      budget: { requests: 0, deadline: Date.now() + 20_000, queries: 10_000, pool: Number.POSITIVE_INFINITY },
    });
    expect(first).toMatchObject({ phase: 'users', counts: { requests: 0 } });
    const held = { ...first!, leaseUntil: new Date(Date.now() + 60_000).toISOString() };
    await env.DB.prepare('UPDATE targets SET reconcile_state = ? WHERE id = ?').bind(JSON.stringify(held), target.id).run();
    const second = await reconcileTarget(env, target.id, { budget: createBudget(env, 'cron') });
    expect(second).toMatchObject({ runId: first!.runId, phase: 'users', counts: { requests: 0, invocations: 1 } });
  });
});

describe('enqueueResources', () => {
  it('queues new rows due now, makes waiting ones pending again and marks a leased one to be redone', async () => {
    const target = await targetToB('B enqueue', { manual: { enabled: true, operations: ops } }, { initialSync: false });
    const now = new Date();
    const at = now.toISOString();
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO outbox (target_id, resource_type, resource_id, state, change_seq, attempts, next_attempt_at, last_error, enqueued_at, updated_at) VALUES (?, 'User', 'failed-one', 'failed', 3, 2, '2999-01-01T00:00:00.000Z', 'refused', ?, ?)",
      ).bind(target.id, at, at),
      env.DB.prepare(
        "INSERT INTO outbox (target_id, resource_type, resource_id, state, change_seq, attempts, next_attempt_at, lease_id, lease_until, enqueued_at, updated_at) VALUES (?, 'User', 'leased-one', 'leased', 7, 0, ?, 'lease', '2999-01-01T00:00:00.000Z', ?, ?)",
      ).bind(target.id, at, at, at),
    ]);
    // Reconcile queues at one past the feed's head, so even a row a run holds now is redone after it.
    await env.DB.batch(enqueueResources(env.DB, target.id, 'User', ['new-one', 'failed-one', 'leased-one'], 8, now));
    const { results } = await env.DB.prepare(
      'SELECT resource_id AS id, state, change_seq AS seq, attempts, last_error AS error, lease_id AS lease, next_attempt_at AS due FROM outbox WHERE target_id = ? ORDER BY resource_id',
    )
      .bind(target.id)
      .all();
    expect(results).toEqual([
      { id: 'failed-one', state: 'pending', seq: 8, attempts: 0, error: null, lease: null, due: at },
      { id: 'leased-one', state: 'leased', seq: 8, attempts: 0, error: null, lease: 'lease', due: at },
      { id: 'new-one', state: 'pending', seq: 8, attempts: 0, error: null, lease: null, due: at },
    ]);
    // An older seq (an initial sync's page) never moves a row's change_seq back.
    await env.DB.batch(enqueueResources(env.DB, target.id, 'User', ['leased-one'], 2, now));
    expect(await env.DB.prepare("SELECT change_seq AS seq FROM outbox WHERE target_id = ? AND resource_id = 'leased-one'").bind(target.id).first()).toEqual({
      seq: 8,
    });
    expect(enqueueResources(env.DB, target.id, 'User', [], 5, now)).toEqual([]);
  });
});

describe('a target that will not list', () => {
  it('is reconciled by reading each linked account by id: an edit is restored, a deletion recreated', async () => {
    const t = newFaultTarget();
    const created = await api('POST', '/targets', {
      name: 'no listing',
      baseUrl: t.scimUrl,
      token: t.token,
      modes: { scheduled: { enabled: true, intervalMinutes: 1, operations: ops } },
    });
    expect(created.status, created.text).toBe(201);
    const target = created.body as { id: string };
    const [edited, gone] = await Promise.all([unique('by-id-edited'), unique('by-id-gone')].map((n) => createUser(n, { title: 'Engineer' })));
    await dispatch(env, { mode: 'scheduled', force: true, targetIds: [target.id], budget: createBudget(env, 'cron') });
    const find = async (userName: string) => (await t.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.Resources[0];
    const [remoteEdited, remoteGone] = [await find(edited!.userName), await find(gone!.userName)];
    expect(
      (await t.scim('PATCH', `/Users/${remoteEdited.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'Edited there' }] }))
        .status,
    ).toBeLessThan(300);
    expect((await t.scim('DELETE', `/Users/${remoteGone.id}`)).status).toBe(204);
    // The listing (a GET of /Users without a filter) is refused, as some apps do.
    await t.setFaults([
      {
        match: { method: 'GET', path: '/scim/v2/Users' },
        respond: { status: 400, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', detail: 'A filter is required.' } },
      },
    ]);
    const since = (await t.log()).requests.at(-1)?.seq ?? 0;

    const state = await reconcileTarget(env, target.id, { budget: createBudget(env, 'cron') });
    expect(state).toMatchObject({ phase: 'done', listing: 'by-id', found: { attributes: 1, deleted: 1 }, fixed: { attributes: 1, deleted: 1 } });
    const reads = (await t.requests(since)).filter((r) => r.method === 'GET').map((r) => r.route);
    expect(reads).toEqual(expect.arrayContaining(['GET /scim/v2/Users/:id']));
    expect((await find(edited!.userName)).title).toBe('Engineer');
    expect(await find(gone!.userName)).toMatchObject({ title: 'Engineer' });
  });
});
