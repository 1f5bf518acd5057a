/**
 * Without Queues a SCIM write drains the automatic targets in its `waitUntil`, which Cloudflare
 * charges to the write's own invocation (issue #11): the dispatch starts with the CPU the request
 * left by the cost model (worker/src/limits/cpu.ts) — the request's base and a Bulk's operations
 * taken off — not the profile's whole CPU. On Free a Bulk of 10 leaves none: its rows wait for
 * the cron, and nothing is shown as failed. Relay B is the target; both plans run this file.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CPU_MS, itemsWithin } from '../../worker/src/limits/cpu';
import { parseLimits } from '../../worker/src/limits/profile';
import { countOf } from '../helpers/api';
import { rowsPerInvocation } from '../helpers/invocations';
import { fetchUnderLimits } from '../helpers/limits-fetch';
import { ops } from '../helpers/operations';
import { BASE, BULK_REQUEST_URN, SCIM_JSON, USER_URN } from '../helpers/scim';
import { runCron } from '../support/e2e';
import { onB, targetToB } from '../support/on-relay-b';

const PROFILE = env.RELAY_LIMITS ?? 'paid';
const BULK = 10;

/** Rows a write's waitUntil provisions by the model: the profile's CPU less the request's base and `scaled`, the dispatch's own base and its run's fixed part. */
const rowsAfterWrite = (scaled: number) =>
  Math.min(BULK, itemsWithin(parseLimits(PROFILE).cpuMs - 2 * CPU_MS.base - scaled - CPU_MS.targetRun, CPU_MS.outboundRow));

const userNames = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `wu-${tag}-${i}-${crypto.randomUUID().slice(0, 6)}@wu.test`);

describe("a SCIM write's waitUntil dispatch shares the write's CPU", () => {
  it('a Bulk of 10 creates: its operations come off the dispatch, the rows it cannot send wait unfailed, and the cron sends them', async () => {
    const target = await targetToB(
      `B waitUntil ${crypto.randomUUID().slice(0, 6)}`,
      { automatic: { enabled: true, operations: ops() } },
      { initialSync: false },
    );
    const names = userNames('bulk', BULK);
    const res = await fetchUnderLimits(
      'POST',
      `${BASE}/Bulk`,
      {
        schemas: [BULK_REQUEST_URN],
        Operations: names.map((userName, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: { schemas: [USER_URN], userName } })),
      },
      PROFILE,
      SCIM_JSON,
    );
    expect(res.status).toBe(200);

    // Free: 10 − 2 (the request) − 9 (10 operations at 0.9) − 2 (the dispatch) leaves no row; Paid sends all 10.
    const sent = rowsAfterWrite(BULK * CPU_MS.bulkOperation);
    expect(sent).toBe(PROFILE === 'free' ? 0 : BULK);
    expect(await countOf("SELECT count(*) AS n FROM audit_events WHERE target_id = ? AND operation = 'create' AND outcome = 'ok'", target.id)).toBe(sent);
    // What was not sent waits as it was planned: pending, never attempted, no failed run or link.
    expect(await countOf("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state = 'pending' AND attempts = 0", target.id)).toBe(BULK - sent);
    expect(await countOf("SELECT count(*) AS n FROM outbox WHERE target_id = ? AND state <> 'pending'", target.id)).toBe(0);
    expect(await countOf("SELECT count(*) AS n FROM runs WHERE target_id = ? AND status = 'failed'", target.id)).toBe(0);
    expect(await countOf("SELECT count(*) AS n FROM links WHERE target_id = ? AND state = 'failed'", target.id)).toBe(0);

    // The cron sends them, a run's worth a tick (Free: 6).
    for (let tick = 0; tick < Math.ceil((BULK - sent) / rowsPerInvocation('cron')); tick++) await runCron();
    for (const userName of names) expect(await onB(userName), userName).toMatchObject({ userName, active: true });
    expect(await countOf('SELECT count(*) AS n FROM outbox WHERE target_id = ?', target.id)).toBe(0);
  });

  it("a single create leaves its dispatch the CPU of a run and a row (Free: 10 − 2 − 2 − 5.5, a row's 0.4 and a little), so the user goes out at once", async () => {
    expect(rowsAfterWrite(0)).toBeGreaterThanOrEqual(1);
    const target = await targetToB(
      `B waitUntil one ${crypto.randomUUID().slice(0, 6)}`,
      { automatic: { enabled: true, operations: ops() } },
      { initialSync: false },
    );
    // The only automatic target: on Free the write leaves one run's CPU, which another automatic
    // target (the first test's) would take in its turn.
    await env.DB.prepare("UPDATE targets SET status = 'paused' WHERE id <> ?").bind(target.id).run();
    const [userName] = userNames('one', 1);
    const res = await fetchUnderLimits('POST', `${BASE}/Users`, { schemas: [USER_URN], userName }, PROFILE, SCIM_JSON);
    expect(res.status).toBe(201);
    expect(await onB(userName!)).toMatchObject({ userName, active: true });
    expect(await countOf('SELECT count(*) AS n FROM outbox WHERE target_id = ?', target.id)).toBe(0);
  });
});
