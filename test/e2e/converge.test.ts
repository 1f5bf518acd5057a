/**
 * Every target converges to the directory (issue #9), end to end against relay B and the fault
 * target: a target created after the directory is full gets all of it (initial sync), with every
 * membership; changes made while a target is paused arrive after resume; single DELETEs over the
 * threshold within its window are held and go out at once when approved; one target's broken
 * answers or crashing run never delay another in the cron.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { GROUP_URN, PATCH_URN, bulkCreate, createUser, scim } from '../helpers/scim';
import { newFaultTarget, provisioned, runCron, scheduledFaultTarget, scimB } from '../support/e2e';
import { onB, targetToB } from '../support/on-relay-b';
import { invocationsFor, ticksFor } from '../helpers/invocations';
import { ops } from '../helpers/operations';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';

const tag = () => crypto.randomUUID().slice(0, 8);

// Each test's targets go with it: the cron runs every target, and an automatic target left
// behind would provision the next test's thousand users in the background.
afterEach(async () => {
  const { results } = await env.DB.prepare('SELECT id FROM targets').all<{ id: string }>();
  for (const t of results) expect((await api('DELETE', `/targets/${t.id}`)).status).toBe(204);
});

/** Runs the cron as if each target's interval had passed, until `done` or `times` runs. */
async function cronUntil(done: () => Promise<boolean>, times: number, pauseMs = 0): Promise<void> {
  for (let i = 0; i < times && !(await done()); i++) {
    await env.DB.prepare('UPDATE targets SET last_scheduled_at = NULL').run();
    await runCron();
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

async function outstanding(targetId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state IN ('pending', 'leased', 'held')")
    .bind(targetId)
    .first<{ n: number }>();
  return row!.n;
}

/** Relay B's count of users whose userName starts with `prefix`. */
async function countOnB(prefix: string): Promise<number> {
  const res = await scimB('GET', `/Users?count=0&filter=${encodeURIComponent(`userName sw "${prefix}"`)}`);
  expect(res.status, res.text).toBe(200);
  return res.body.totalResults;
}

describe('regressions found by the convergence property test', () => {
  it('a user deactivated here whose account was deleted on the target settles (not failed), and is created again when reactivated', async () => {
    const target = await targetToB('B gone', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } }, { initialSync: false });
    const user = await createUser(`gone-then-inactive-${tag()}@sync.test`);
    await cronUntil(async () => (await onB(user.userName)) !== undefined, 3);
    expect((await scimB('DELETE', `/Users/${(await onB(user.userName)).id}`)).status).toBe(204);
    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
    const run = () => dispatch(env, { mode: 'scheduled', force: true, targetIds: [target.id], budget: createBudget(env, 'http') });
    expect((await run())[0]!.counts).toMatchObject({ claimed: 1 });
    expect(await outstanding(target.id)).toBe(0);
    const failed = await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state = 'failed'").bind(target.id).first<{ n: number }>();
    expect(failed!.n).toBe(0);
    const link = await env.DB.prepare('SELECT remote_id AS remoteId, state FROM links WHERE target_id = ? AND resource_id = ?')
      .bind(target.id, user.id)
      .first();
    expect(link).toEqual({ remoteId: null, state: 'never' });
    expect(await onB(user.userName)).toBeUndefined();

    await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: true }] });
    await run();
    expect(await onB(user.userName)).toMatchObject({ userName: user.userName, active: true, externalId: user.id });
  });
});

describe('watermark: nothing depends on the target status at the time of the change', () => {
  it('changes made while a target is paused arrive after resume', async () => {
    const target = await targetToB('B paused', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } }, { initialSync: false });
    const before = await createUser(`before-pause-${tag()}@sync.test`, { title: 'one' });
    await cronUntil(async () => (await onB(before.userName)) !== undefined, 3);
    expect(await onB(before.userName)).toMatchObject({ title: 'one' });

    expect((await api('POST', `/targets/${target.id}/pause`)).status).toBe(200);
    const during = await createUser(`while-paused-${tag()}@sync.test`);
    await scim('PATCH', `/Users/${before.id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'title', value: 'two' }] });
    await runCron();
    expect(await onB(during.userName)).toBeUndefined();

    expect((await api('POST', `/targets/${target.id}/resume`)).status).toBe(200);
    // Resume runs the target at once (in the background of its request) and the cron carries on:
    // wait for both changes, whichever sends them.
    await cronUntil(async () => (await onB(during.userName)) !== undefined && (await onB(before.userName))?.title === 'two', 10, 300);
    expect(await onB(during.userName)).toMatchObject({ userName: during.userName });
    expect(await onB(before.userName)).toMatchObject({ title: 'two' });
    const caughtUp = await api('GET', `/targets/${target.id}/sync`);
    expect(caughtUp.body.watermark).toBe(caughtUp.body.head);
  });

  it('"Sync all" sends what a target created without its initial sync never had', async () => {
    const user = await createUser(`sync-all-${tag()}@sync.test`);
    const target = await targetToB('B sync all', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } }, { initialSync: false });
    await runCron();
    expect(await onB(user.userName)).toBeUndefined();
    const started = await api('POST', `/targets/${target.id}/sync`);
    expect(started.status, started.text).toBe(200);
    expect(started.body.sync).toMatchObject({ reason: 'on_demand' });
    await cronUntil(async () => (await onB(user.userName)) !== undefined, 10, 300);
    expect(await onB(user.userName)).toBeDefined();
  });

  it('a mapping change that alters payloads answers resyncSuggested', async () => {
    const target = await targetToB('B mapping', { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } }, { initialSync: false });
    const res = await api('PATCH', `/targets/${target.id}`, { mapping: [{ target: 'userName', source: 'userName' }] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.resyncSuggested).toBe(true);
    const same = await api('PATCH', `/targets/${target.id}`, { name: 'B mapping renamed' });
    expect(same.body.resyncSuggested).toBeUndefined();
  });
});

describe('deletion threshold over a sliding window', () => {
  it('30 single DELETEs with a threshold of 10 are held once 10 went out, and go out at once when approved', { timeout: 120_000 }, async () => {
    const target = await targetToB(
      'B threshold',
      { automatic: { enabled: true, operations: ops({ delete: true }) } },
      { initialSync: false, deletionThreshold: 10 },
    );
    const users: { id: string; userName: string }[] = [];
    for (let i = 0; i < 30; i++) users.push(await createUser(`doomed-${i}-${tag()}@sync.test`));
    const settled = async () =>
      (await outstanding(target.id)) === 0 ||
      (await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state IN ('pending', 'leased')").bind(target.id).first<{ n: number }>())!
        .n === 0;
    await eventually(settled, (v) => v, 20_000);
    await eventually(
      () => onB(users[29]!.userName),
      (v) => v !== undefined,
      20_000,
    );

    // One request per user, as an IdP deprovisions; each is its own automatic run, waited for
    // until its deletion went out or was held (an empty outbox may only mean it is not planned yet).
    const heldOrGone = async (u: { id: string; userName: string }) =>
      (await env.DB.prepare("SELECT 1 AS x FROM outbox WHERE target_id = ? AND resource_id = ? AND state = 'held'").bind(target.id, u.id).first()) !== null ||
      (await onB(u.userName)) === undefined;
    for (const u of users) {
      expect((await scim('DELETE', `/Users/${u.id}`)).status).toBe(204);
      await eventually(
        () => heldOrGone(u),
        (v) => v,
        10_000,
      );
      await eventually(settled, (v) => v, 10_000);
    }
    const remaining = async () => (await Promise.all(users.map((u) => onB(u.userName)))).filter((u) => u !== undefined).length;
    expect(await remaining()).toBe(20);
    const status = await api('GET', `/targets/${target.id}/sync`);
    expect(status.body.deletions).toMatchObject({ threshold: 10, windowMinutes: 60, sentInWindow: 10, held: 20 });
    const held = await api('GET', `/outbox?targetId=${target.id}&state=held&limit=50`);
    expect(held.body.items).toHaveLength(20);
    // Each held user's own status says so.
    const lastStatus = await api('GET', `/users/${users[29]!.id}/status`);
    expect(lastStatus.body.deleted).toBe(true);
    expect(lastStatus.body.events.some((e: { outcome: string }) => e.outcome === 'held')).toBe(true);

    const approved = await api('POST', `/targets/${target.id}/approve`);
    expect(approved.body).toEqual({ count: 20 });
    // No cron on Paid: the approval itself dispatches. On Free it sends what its invocation's 50
    // allow, and the cron the rest.
    expect(await provisioned(remaining, (n) => n === 0, 20_000)).toBe(0);
  });
});

describe('isolation: one target never delays another', () => {
  const rowOf = (targetId: string, userId: string) =>
    env.DB.prepare(
      'SELECT state, lease_id AS leaseId, last_error AS lastError, next_attempt_at AS nextAttemptAt FROM outbox WHERE target_id = ? AND resource_id = ?',
    )
      .bind(targetId, userId)
      .first<{ state: string; leaseId: string | null; lastError: string | null; nextAttemptAt: string }>();

  it('a target answering Retry-After: 99999999999999999 waits within a day, and the next target gets its user in the same cron (Free: the next)', async () => {
    const broken = newFaultTarget();
    const healthy = newFaultTarget();
    const first = await scheduledFaultTarget(broken);
    const second = await scheduledFaultTarget(healthy);
    await broken.setFaults([
      { match: { method: 'GET' }, times: 100, respond: { status: 429, headers: { 'retry-after': '99999999999999999' }, body: { detail: 'slow down' } } },
    ]);
    const user = await createUser(`retry-after-${tag()}@sync.test`);
    await env.DB.prepare('UPDATE targets SET last_scheduled_at = NULL').run();
    // Paid: one tick runs both; Free: a tick holds one run (limits/cpu.ts), so the next tick runs the other.
    for (let tick = 0; tick < ticksFor(2); tick++) await runCron();

    expect((await healthy.state()).users.map((u) => u.userName)).toContain(user.userName);
    const row = await rowOf(first.id, user.id);
    expect(row).toMatchObject({ state: 'pending', leaseId: null });
    expect(row!.lastError).toContain('429');
    expect(Date.parse(row!.nextAttemptAt) - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    expect(await rowOf(second.id, user.id)).toBeNull();
  });

  it('a run that throws ends failed with its rows pending and the reason, and the next target still runs (Free: in the next cron)', async () => {
    const broken = newFaultTarget();
    const healthy = newFaultTarget();
    const first = await scheduledFaultTarget(broken);
    const _second = await scheduledFaultTarget(healthy);
    // A storage failure that only this target's run meets: completing its rows throws.
    await env.DB.prepare(
      `CREATE TRIGGER fail_${first.id.slice(0, 8)} BEFORE DELETE ON outbox WHEN OLD.target_id = '${first.id}' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`,
    ).run();
    const user = await createUser(`throws-${tag()}@sync.test`);
    await env.DB.prepare('UPDATE targets SET last_scheduled_at = NULL').run();
    // Paid: one tick runs both; Free: a tick holds one run (limits/cpu.ts), so the next tick runs the other.
    for (let tick = 0; tick < ticksFor(2); tick++) await runCron();
    await env.DB.prepare(`DROP TRIGGER fail_${first.id.slice(0, 8)}`).run();

    expect((await healthy.state()).users.map((u) => u.userName)).toContain(user.userName);
    const row = await rowOf(first.id, user.id);
    expect(row).toMatchObject({ state: 'pending', leaseId: null });
    expect(row!.lastError).toContain('disk on fire');
    const runs = await api('GET', `/runs?targetId=${first.id}`);
    expect(runs.body.items[0]).toMatchObject({ status: 'failed', counts: expect.objectContaining({ crashed: 1 }) });
  });
});

describe('initial sync: a new target converges on the directory that already exists', () => {
  it('a target created after 1,000 users and 50 groups exist gets every user and every membership', { timeout: 240_000 }, async () => {
    const prefix = `conv-${tag()}-`;
    const names = Array.from({ length: 1000 }, (_, i) => `${prefix}${String(i).padStart(4, '0')}@sync.test`);
    // Bulks as large as the profile's maxOperations (scim/bulk-cost.ts).
    const ids = await bulkCreate(
      '/Users',
      names.map((userName) => ({ userName })),
    );
    // 50 groups of 20 members each: every user in exactly one group.
    await bulkCreate(
      '/Groups',
      Array.from({ length: 50 }, (_, g) => ({ displayName: `${prefix}group-${g}`, members: ids.slice(g * 20, g * 20 + 20).map((value) => ({ value })) })),
    );

    const created = await targetToB(
      'B initial sync',
      { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } },
      // Without the mass-creation guard (issue #13, test/e2e/scope.test.ts): this test is about convergence.
      { pushGroups: true, rateLimitPerSecond: 1000, concurrency: 6, creationThreshold: 0 },
    );
    const tested = await api('POST', `/targets/${created.id}/test`, {});
    expect(tested.body).toMatchObject({ ok: true, capabilities: { bulk: true } });
    const before = await api('GET', `/targets/${created.id}/sync`);
    expect(before.body.sync).toMatchObject({ reason: 'initial', phase: 'users', complete: false });
    expect(before.body.sync.total).toBeGreaterThanOrEqual(1050);

    // The plan shows the initial sync before anything is sent.
    const plan = await api('GET', `/targets/${created.id}/plan?mode=scheduled`);
    expect(plan.body.operations.length).toBeGreaterThan(0);
    expect(plan.body.operations.filter((o: { action: string }) => o.action === 'create').length).toBeGreaterThan(0);

    // A few ticks on Paid; on Free a tick provisions 20 users or 3 groups (the CPU cost model and
    // the D1 queries a group's push takes): about 70.
    await cronUntil(async () => (await outstanding(created.id)) === 0, invocationsFor({ users: 1000, groups: 50 }), 1000);
    expect(await countOnB(prefix)).toBe(1000);
    const after = await api('GET', `/targets/${created.id}/sync`);
    expect(after.body.sync).toMatchObject({ phase: 'done', complete: true, etaSeconds: null });
    expect(after.body.sync.done).toBe(after.body.sync.total);

    // Every group on relay B holds exactly its 20 members, as relay B's own ids.
    for (const g of [0, 17, 49]) {
      const res = await scimB('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${prefix}group-${g}"`)}`);
      const remote = res.body.Resources[0];
      expect(remote, `group ${g} on relay B`).toBeDefined();
      const expected = await Promise.all(names.slice(g * 20, g * 20 + 20).map(async (n) => (await onB(n))?.id));
      expect(remote.members.map((m: { value: string }) => m.value).sort()).toEqual(expected.sort());
    }
    const memberships = await env.DB.prepare('SELECT count(*) AS n FROM pushed_members WHERE target_id = ?').bind(created.id).first<{ n: number }>();
    expect(memberships!.n).toBe(1000);
  });

  it('a user created in the same run as its group gets its membership once it exists', async () => {
    const _target = await targetToB(
      'B same run',
      { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } },
      { pushGroups: true, initialSync: false },
    );
    const userName = `same-run-${tag()}@sync.test`;
    const user = await createUser(userName);
    const name = `same-run-${tag()}`;
    await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName: name, members: [{ value: user.id }] });
    // The group's push waits for its member's row instead of dropping the member.
    const remoteGroup = async () => (await scimB('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}`)).body.Resources[0];
    await cronUntil(async () => ((await remoteGroup())?.members?.length ?? 0) > 0, 10, 1000);
    const remote = await remoteGroup();
    expect(remote.members.map((m: { value: string }) => m.value)).toEqual([(await onB(userName)).id]);
  });
});
