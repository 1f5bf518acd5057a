/**
 * Fault injection against a real HTTP target that fails on demand: 5xx, 429 with Retry-After,
 * resets, malformed bodies, 409 on create, 401; two overlapping runs; a run killed halfway.
 * Every change must arrive exactly once in effect, nothing lost or duplicated, and the audit log
 * must tell the truth. The dispatcher is called directly where the test needs to move the clock.
 */
import { env } from 'cloudflare:test';
import { rowsPerInvocation } from '../helpers/invocations';
import { describe, expect, it } from 'vitest';
import { claimOutbox } from '../../worker/src/db/outbox';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { api } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { PATCH_URN, createUser, scim } from '../helpers/scim';
import { newFaultTarget, scheduledFaultTarget } from '../support/e2e';

const run = (targetId: string, at = new Date()) =>
  dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], now: () => at, budget: createBudget(env, 'cron') });
const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);
const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}@faults.test`;

async function outboxRow(targetId: string, userId: string) {
  return env.DB.prepare('SELECT state, attempts, next_attempt_at AS nextAttemptAt, last_error AS lastError FROM outbox WHERE target_id = ? AND resource_id = ?')
    .bind(targetId, userId)
    .first<{ state: string; attempts: number; nextAttemptAt: string; lastError: string | null }>();
}

describe('transient failures are retried with backoff, then arrive exactly once', () => {
  it('503 twice: the row waits, then the user is created once', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t);
    const user = await createUser(unique('retry'));
    await t.setFaults([{ match: { method: 'POST', path: '/scim/v2/Users' }, times: 2, respond: { status: 503, body: { detail: 'maintenance' } } }]);

    await run(target.id);
    const first = await outboxRow(target.id, user.id);
    expect(first).toMatchObject({ state: 'pending', attempts: 1 });
    expect(Date.parse(first!.nextAttemptAt)).toBeGreaterThan(Date.now());
    await run(target.id); // not due yet: nothing sent
    expect((await t.counts())['POST /scim/v2/Users']).toBe(1);

    await run(target.id, later(5));
    await run(target.id, later(60));
    expect(await outboxRow(target.id, user.id)).toBeNull();
    const state = await t.state();
    expect(state.users.filter((u) => u.userName === user.userName)).toHaveLength(1);
    const audit = await api('GET', `/audit?targetId=${target.id}&limit=50`);
    const creates = audit.body.items.filter((e: { operation: string }) => e.operation === 'create');
    expect(creates.map((e: { httpStatus: number }) => e.httpStatus).sort()).toEqual([201, 503, 503]);
  });

  it('429 with Retry-After delays the row by what the target asked', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t);
    const user = await createUser(unique('slow-down'));
    await t.setFaults([{ match: { method: 'GET', path: '/scim/v2/Users' }, respond: { status: 429, headers: { 'Retry-After': '120' } } }]);
    const before = Date.now();
    await run(target.id);
    const row = await outboxRow(target.id, user.id);
    expect(row?.state).toBe('pending');
    const delay = Date.parse(row!.nextAttemptAt) - before;
    expect(delay).toBeGreaterThanOrEqual(119_000);
    expect(delay).toBeLessThan(130_000);
  });

  it('a reset connection and a malformed success body are transient too', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t);
    const user = await createUser(unique('flaky'));
    await t.setFaults([
      { match: { method: 'GET' }, reset: true },
      { match: { method: 'GET' }, respond: { status: 200, rawBody: '<html>proxy error</html>' } },
    ]);
    await run(target.id);
    expect((await outboxRow(target.id, user.id))?.attempts).toBe(1);
    await run(target.id, later(10));
    expect((await outboxRow(target.id, user.id))?.attempts).toBe(2);
    await run(target.id, later(60));
    expect(await outboxRow(target.id, user.id)).toBeNull();
    expect((await t.state()).users.filter((u) => u.userName === user.userName)).toHaveLength(1);
  });
});

describe('conflicts and rejections', () => {
  it('409 on create re-reads and links the existing account', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t);
    const userName = unique('conflict');
    const user = await createUser(userName);
    // The account appears on the target between our read and our create.
    await t.setFaults([
      {
        match: { method: 'GET', path: '/scim/v2/Users' },
        times: 1,
        respond: { status: 200, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] } },
      },
    ]);
    const existing = await t.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });
    await run(target.id);
    expect(await outboxRow(target.id, user.id)).toBeNull();
    const status = await api('GET', `/users/${user.id}/status`);
    expect(status.body.links.find((l: { targetId: string }) => l.targetId === target.id)).toMatchObject({ state: 'in_sync', remoteId: existing.body.id });
    expect((await t.state()).users.filter((u) => u.userName === userName)).toHaveLength(1);
  });

  it('a 400 from the target fails the row with its message and does not retry it', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t);
    const user = await createUser(unique('rejected'));
    await t.setFaults([
      {
        match: { method: 'POST' },
        respond: {
          status: 400,
          body: {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
            status: '400',
            scimType: 'invalidValue',
            detail: 'userName must be an email on example.org',
          },
        },
      },
    ]);
    await run(target.id);
    expect(await outboxRow(target.id, user.id)).toMatchObject({
      state: 'failed',
      lastError: expect.stringContaining('userName must be an email on example.org'),
    });
    await run(target.id, later(120));
    expect((await t.counts())['POST /scim/v2/Users']).toBe(1);
    // A change to the user makes it pending again once the target is planned (its next run, or its plan).
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'x' }] });
    await api('GET', `/targets/${target.id}/plan?mode=scheduled`);
    expect((await outboxRow(target.id, user.id))?.state).toBe('pending');
  });

  it('401 pauses the target and flags it, keeping the row', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t, { token: 'wrong-token' });
    const user = await createUser(unique('unauthorized'));
    await run(target.id);
    const after = await api('GET', `/targets/${target.id}`);
    expect(after.body).toMatchObject({ status: 'paused', pausedReason: expect.stringMatching(/401|token/i) });
    expect((await outboxRow(target.id, user.id))?.state).toBe('pending');
    expect(JSON.stringify(after.body)).not.toContain('wrong-token');
  });
});

describe('never double-applied, never lost', () => {
  it('two overlapping runs create each user exactly once', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t, { concurrency: 2 });
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => createUser(unique(`overlap${i}`))));
    await Promise.all([run(target.id), run(target.id)]);
    const counts = await t.counts();
    expect(counts['POST /scim/v2/Users']).toBe(users.length);
    const names = new Set((await t.state()).users.map((u) => u.userName));
    for (const u of users) expect(names.has(u.userName)).toBe(true);
  });

  it('a run killed halfway: its leased rows come back after the lease and arrive once', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t);
    const user = await createUser(unique('crashed'));
    // A run plans, claims the row and dies before doing anything with it.
    await api('GET', `/targets/${target.id}/plan?mode=scheduled`);
    const claimed = await claimOutbox(env.DB, target.id, 10, new Date(), 5 * 60_000);
    expect(claimed.map((r) => r.resourceId)).toContain(user.id);
    await run(target.id); // the lease still holds: untouched
    expect((await t.counts())['POST /scim/v2/Users'] ?? 0).toBe(0);
    await run(target.id, later(6)); // lease expired
    expect(await outboxRow(target.id, user.id)).toBeNull();
    expect((await t.state()).users.filter((u) => u.userName === user.userName)).toHaveLength(1);
  });

  it('a run killed after the create but before recording it links instead of duplicating', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t);
    const userName = unique('half-done');
    const user = await createUser(userName);
    // What the dead run got through: the account exists on the target, the relay never knew.
    await t.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });
    await api('GET', `/targets/${target.id}/plan?mode=scheduled`);
    await claimOutbox(env.DB, target.id, 10, new Date(), 5 * 60_000);
    await run(target.id, later(6));
    expect((await t.state()).users.filter((u) => u.userName === userName)).toHaveLength(1);
    const status = await api('GET', `/users/${user.id}/status`);
    expect(status.body.links.find((l: { targetId: string }) => l.targetId === target.id)?.state).toBe('in_sync');
  });

  it('an unchanged user costs zero requests, an update exactly one', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t);
    const user = await createUser(unique('steady'), { title: 'one' });
    await run(target.id);
    const { requests } = await t.log();
    const seq = requests.at(-1)!.seq;
    // A write that changes nothing the mapping sends (password is not mapped).
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'password', value: 'n3w-Secret!' }] });
    await run(target.id, later(1));
    expect(await t.requests(seq)).toHaveLength(0);
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'two' }] });
    await run(target.id, later(2));
    const sent = await t.requests(seq);
    expect(sent.map((r) => r.route)).toEqual(['PATCH /scim/v2/Users/:id']);
    expect(JSON.stringify(sent[0]!.body)).toContain('two');
  });
});

describe('never destroy by accident', () => {
  it('holds deactivations beyond the threshold until an admin approves them', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t, { deletionThreshold: 1 });
    const users = await Promise.all([0, 1, 2].map((i) => createUser(unique(`leaver${i}`))));
    await run(target.id);
    for (const u of users) await scim('PATCH', `/Users/${u.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    const seq = (await t.log()).requests.at(-1)!.seq;
    await run(target.id, later(1));
    expect(await t.requests(seq)).toHaveLength(0);
    for (const u of users) expect((await outboxRow(target.id, u.id))?.state).toBe('held');

    const approved = await api('POST', `/targets/${target.id}/approve`);
    expect(approved.body.count).toBe(3);
    // The approval itself runs the target, in the background of its request: no cron needed on
    // Paid. On Free that background run has a row's CPU after the request's (worker/src/limits/cpu.ts):
    // it sends one, and the next runs send the rest.
    const remoteOf = async () => (await t.state()).users.filter((u) => users.some((x) => x.userName === u.userName));
    // Where the background run cannot send them all (Free), each look runs the target too.
    const sentOn = async () => {
      if (rowsPerInvocation('waitUntil') < users.length) await run(target.id, later(2));
      return remoteOf();
    };
    const remote = await eventually(sentOn, (r) => r.every((u) => u.active === false));
    expect(remote.map((u) => u.active)).toEqual([false, false, false]);
  });

  it('dry run records what would be sent and sends no write', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t, { dryRun: true });
    await createUser(unique('dry'));
    await run(target.id);
    const writes = (await t.requests()).filter((r) => r.method !== 'GET');
    expect(writes).toHaveLength(0);
    const audit = await api('GET', `/audit?targetId=${target.id}&limit=20`);
    expect(audit.body.items.some((e: { outcome: string; operation: string }) => e.outcome === 'dry_run' && e.operation === 'create')).toBe(true);
  });

  it('plans a run without sending anything', async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t);
    const user = await createUser(unique('planned'));
    const plan = await api('GET', `/targets/${target.id}/plan?mode=scheduled`);
    expect(plan.status).toBe(200);
    expect(plan.body.operations).toEqual([expect.objectContaining({ resourceId: user.id, action: 'create' })]);
    expect(await t.requests()).toHaveLength(0);
  });
});
