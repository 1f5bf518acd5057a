/**
 * Without Queues two runs of one target can overlap — two SCIM writes' waitUntil dispatches, or
 * one and the cron — and the deletion threshold must hold across them (issue #11): the second run
 * counts the deactivations the first has claimed and is still sending, not only those the audit
 * log already records, so together they never pass it. Two invocations of the dispatcher at once
 * on the real D1, against a target that answers slowly.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { eventually } from '../helpers/eventually';
import { PATCH_URN, createUser, scim } from '../helpers/scim';
import { newFaultTarget, scheduledFaultTarget } from '../support/e2e';

const THRESHOLD = 3;
const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}@race.test`;
// A consumer invocation's budget: its run holds the five users on either plan (a Free waitUntil's holds one row now: limits/cpu.ts).
const run = (targetId: string) => dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], budget: createBudget(env, 'queue') });
const deactivate = (id: string) => scim('PATCH', `/Users/${id}`, { schemas: [PATCH_URN], Operations: [{ op: 'replace', path: 'active', value: false }] });
const rowStates = async (targetId: string) =>
  (await env.DB.prepare('SELECT state, count(*) AS n FROM outbox WHERE target_id = ? GROUP BY state').bind(targetId).all<{ state: string; n: number }>())
    .results;

describe('the deletion threshold holds across two runs of one target at once', () => {
  it('a run that starts while another sends the threshold’s deactivations holds its own', { timeout: 60_000 }, async () => {
    const t = newFaultTarget();
    const target = await scheduledFaultTarget(t, { deletionThreshold: THRESHOLD });
    const users: Awaited<ReturnType<typeof createUser>>[] = [];
    for (let i = 0; i < THRESHOLD + 2; i++) users.push(await createUser(unique(`leaver${i}`)));
    await run(target.id);
    expect(await rowStates(target.id)).toEqual([]);

    // The first run's deactivations (as many as the threshold allows) are answered slowly.
    for (const u of users.slice(0, THRESHOLD)) expect((await deactivate(u.id)).status).toBe(200);
    const seq = (await t.log()).requests.at(-1)!.seq;
    await t.setFaults([{ match: { path: '/scim/v2/Users/*' }, times: THRESHOLD, delayMs: 4_000 }]);
    const first = run(target.id);
    await eventually(
      () => rowStates(target.id),
      (states) => states.some((s) => s.state === 'leased' && s.n === THRESHOLD),
    );

    // While they are in flight, two more leave, and a second run of the same target starts.
    for (const u of users.slice(THRESHOLD)) expect((await deactivate(u.id)).status).toBe(200);
    const [second] = await run(target.id);
    expect(second?.counts).toMatchObject({ held: 2 });
    await first;

    const deactivations = (await t.requests(seq)).filter((r) => r.method !== 'GET' && JSON.stringify(r.body).includes('false'));
    expect(deactivations).toHaveLength(THRESHOLD);
    expect(await rowStates(target.id)).toEqual([{ state: 'held', n: 2 }]);
    const remote = (await t.state()).users.filter((u) => users.some((x) => x.userName === u.userName));
    expect(remote.filter((u) => u.active === false)).toHaveLength(THRESHOLD);
  });
});
