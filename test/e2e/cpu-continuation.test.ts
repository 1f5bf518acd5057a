/**
 * A run holds to the CPU its invocation may still spend by the cost model (worker/src/limits/cpu.ts:
 * its fixed part and 6 rows on Free) and the next invocation goes on from where it stopped (issue #11). Here the
 * budget has room for 3 rows, so 7 users take three runs on either plan, one claim's worth each,
 * through both paths of a run: the lanes (a target without Bulk) and SCIM Bulk. Due targets share
 * an invocation's CPU, as many as it holds runs of (on Free one: they take turns); a row claimed
 * and released unsent costs none of it.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createBudget } from '../../worker/src/limits/budget';
import { dispatch } from '../../worker/src/provisioning/dispatcher';
import { countOf, api } from '../helpers/api';
import { budgetWithCpuFor, rowsEachOf, rowsPerInvocation, runsPerInvocation } from '../helpers/invocations';
import { ops } from '../helpers/operations';
import { createUser, GROUP_URN, PATCH_URN, scim } from '../helpers/scim';
import { onB, targetToB } from '../support/on-relay-b';

const ROWS_OF_CPU = 3;
const USERS = 7;

/** A cron invocation's budget with CPU left for a run of `rows` rows. */

describe('a run out of CPU', () => {
  it.each([
    ['the lanes', false],
    ['SCIM Bulk', true],
  ])(
    'through %s: stops after the rows its CPU provisions, not drained and without an empty second run; the next runs finish, each user sent once',
    async (_, bulk) => {
      const target = await targetToB(
        `B cpu ${bulk ? 'bulk' : 'lanes'}`,
        { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } },
        { initialSync: false },
      );
      if (bulk) expect((await api('POST', `/targets/${target.id}/test`, {})).body.capabilities).toMatchObject({ bulk: true });
      const users = [];
      for (let i = 0; i < USERS; i++) users.push(await createUser(`cpu-${crypto.randomUUID().slice(0, 8)}@cpu.test`));
      const run = () => dispatch(env, { mode: 'scheduled', force: true, targetIds: [target.id], budget: budgetWithCpuFor(ROWS_OF_CPU) });

      const first = await run();
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ drained: false, counts: { claimed: ROWS_OF_CPU, create: ROWS_OF_CPU } });
      let runs = 1;
      for (let last = first[0]!; !last.drained && runs < USERS; runs++) last = (await run())[0]!;
      expect(runs).toBe(Math.ceil(USERS / ROWS_OF_CPU));

      for (const u of users) expect(await onB(u.userName), u.userName).toMatchObject({ userName: u.userName, active: true });
      expect(await countOf("SELECT count(*) AS n FROM links WHERE target_id = ? AND state = 'in_sync'", target.id)).toBe(USERS);
      expect(await countOf("SELECT count(*) AS n FROM audit_events WHERE target_id = ? AND operation = 'create'", target.id)).toBe(USERS);
      expect(await countOf('SELECT count(*) AS n FROM outbox WHERE target_id = ?', target.id)).toBe(0);
      // One run per invocation: none started once the CPU was spent.
      expect(await countOf('SELECT count(*) AS n FROM runs WHERE target_id = ?', target.id)).toBe(runs);
    },
  );
});

const scheduled = { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } };
const BACKLOG = 25;
const claimedBy = (runs: { targetId: string; counts: Record<string, number> }[], targetId: string) =>
  runs.filter((r) => r.targetId === targetId).reduce((n, r) => n + (r.counts.claimed ?? 0), 0);

describe("due targets share an invocation's CPU", () => {
  it('two targets with a backlog share an invocation as far as it holds their runs (Paid: both move; Free: one run, 6 rows); one alone takes all it has', async () => {
    const rows = rowsPerInvocation('cron');
    const running = Math.min(2, runsPerInvocation('cron'));
    const each = Math.min(BACKLOG, rowsEachOf(2, 'cron'));
    const [a, b] = [await targetToB('B share a', scheduled, { initialSync: false }), await targetToB('B share b', scheduled, { initialSync: false })];
    for (let i = 0; i < BACKLOG; i++) await createUser(`share-${i}-${crypto.randomUUID().slice(0, 8)}@share.test`);

    const both = await dispatch(env, { mode: 'scheduled', force: true, targetIds: [a.id, b.id], budget: createBudget(env, 'cron') });
    expect(claimedBy(both, a.id) + claimedBy(both, b.id)).toBe(running * each);
    // Neither waits for the other to drain: on Paid each gets all it has; on Free the invocation
    // holds one run, so one moves now and the other is first in the next minute's turn.
    expect(Math.max(claimedBy(both, a.id), claimedBy(both, b.id))).toBe(each);
    expect(Math.min(claimedBy(both, a.id), claimedBy(both, b.id))).toBe(running === 2 ? each : 0);

    const left = BACKLOG - claimedBy(both, a.id);
    const alone = await dispatch(env, { mode: 'scheduled', force: true, targetIds: [a.id], budget: createBudget(env, 'cron') });
    expect(claimedBy(alone, a.id)).toBe(Math.min(left, rows));
  });
});

describe('a row claimed and released unsent costs no CPU', () => {
  it('a group deferred behind its queued member gives its CPU back, and the run claims the next row with it', async () => {
    const target = await targetToB('B deferred group', scheduled, { initialSync: false, pushGroups: true });
    const run = (rows: number) => dispatch(env, { mode: 'scheduled', force: true, targetIds: [target.id], budget: budgetWithCpuFor(rows) });
    const group = await scim('POST', '/Groups', { schemas: [GROUP_URN], displayName: `deferred-${crypto.randomUUID().slice(0, 8)}` });
    expect(group.status).toBe(201);
    await run(ROWS_OF_CPU);
    expect(await countOf('SELECT count(*) AS n FROM outbox WHERE target_id = ?', target.id)).toBe(0);

    // The member's row waits on a backoff, so the group's push waits for it (sending nothing).
    const member = await createUser(`deferred-member-${crypto.randomUUID().slice(0, 8)}@cpu.test`);
    const added = await scim('PATCH', `/Groups/${group.body.id}`, {
      schemas: [PATCH_URN],
      Operations: [{ op: 'add', path: 'members', value: [{ value: member.id }] }],
    });
    expect(added.status).toBe(204);
    expect(await run(0)).toEqual([]); // planned, not run: no CPU for a row
    await env.DB.prepare('UPDATE outbox SET next_attempt_at = ? WHERE target_id = ? AND resource_id = ?')
      .bind(new Date(Date.now() + 3_600_000).toISOString(), target.id, member.id)
      .run();
    const next = await createUser(`deferred-next-${crypto.randomUUID().slice(0, 8)}@cpu.test`);

    // CPU for one row: the group (claimed first, by its older row) is deferred and costs nothing,
    // so the same run goes on to the next user instead of stopping with the CPU unspent.
    const budget = budgetWithCpuFor(1);
    const [summary] = await dispatch(env, { mode: 'scheduled', force: true, targetIds: [target.id], budget });
    expect(summary).toMatchObject({ counts: { claimed: 2, create: 1 } });
    expect(await onB(next.userName)).toMatchObject({ userName: next.userName });
    expect(budget.cpuMs).toBeCloseTo(0, 6);
    const groupRow = await env.DB.prepare('SELECT state, next_attempt_at AS due FROM outbox WHERE target_id = ? AND resource_id = ?')
      .bind(target.id, group.body.id)
      .first<{ state: string; due: string }>();
    expect(groupRow?.state).toBe('pending');
    expect(Date.parse(groupRow!.due)).toBeGreaterThan(Date.now());
  });
});
