/**
 * An admin deletes a target while a run is sending to it. The run's outbox rows and links
 * go with the target (ON DELETE CASCADE), so the run's next write fails on the foreign key: the
 * run ends saying the target was deleted, not as a crash (no crash event in the audit of a target
 * that no longer exists, nothing released). A target that answers slowly, on the real D1.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createBudget, dispatch } from '../../worker/src/provisioning/dispatcher';
import { countOf, api } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createUser } from '../helpers/scim';
import { newFaultTarget, scheduledFaultTarget } from '../support/e2e';

const unique = (p: string) => `${p}.${crypto.randomUUID().slice(0, 8)}@deleted-mid-run.test`;

describe('a target deleted during its run', () => {
  it('ends the run without a crash and leaves nothing of the target behind', { timeout: 60_000 }, async () => {
    const t = newFaultTarget();
    const { id: targetId } = await scheduledFaultTarget(t);
    await createUser(unique('slow'));
    // The account's creation is answered slowly: the target is deleted while the run waits for it.
    await t.setFaults([{ match: { method: 'POST', path: '/scim/v2/Users' }, times: 1, delayMs: 3_000 }]);
    const running = dispatch(env, { mode: 'scheduled', force: true, targetIds: [targetId], budget: createBudget(env, 'cron') });
    await eventually(
      () => countOf("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state = 'leased'", targetId),
      (n) => n === 1,
    );
    expect((await api('DELETE', `/targets/${targetId}`)).status).toBe(204);
    const [summary] = await running;
    expect(summary?.counts).toMatchObject({ targetDeleted: 1 });
    expect(summary?.counts.crashed).toBeUndefined();
    for (const table of ['outbox', 'links']) expect(await countOf(`SELECT count(*) AS n FROM ${table} WHERE target_id = ?`, targetId), table).toBe(0);
    // The run is history (kept like the audit log): ended, saying why, not left running.
    const runs = await env.DB.prepare('SELECT status, counts FROM runs WHERE target_id = ?').bind(targetId).all<{ status: string; counts: string }>();
    expect(runs.results.map((r) => [r.status, JSON.parse(r.counts).targetDeleted])).toEqual([['failed', 1]]);
    expect(await countOf("SELECT count(*) AS n FROM audit_events WHERE target_id = ? AND operation = 'run'", targetId)).toBe(0);
  });
});
