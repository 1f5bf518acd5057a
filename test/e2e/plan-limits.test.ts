/**
 * Provisioning pages its work across invocations within the plan's limits (issue #11): 80 users
 * to relay B by the cron, each cron invocation within the RELAY_LIMITS profile's D1 queries and
 * subrequests (the harness fails the test on any breach), until every user is there. Under Free
 * (the worker-free project) that takes several invocations, 20 users each at most by the CPU cost
 * model (worker/src/limits/cpu.ts); under Paid one.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { takeUsages } from '../../worker/src/limits/meter';
import { parseLimits } from '../../worker/src/limits/profile';
import { invocationsFor, rowsPerInvocation } from '../helpers/invocations';
import { ops } from '../helpers/operations';
import { bulkCreate } from '../helpers/scim';
import { runCron, scimB } from '../support/e2e';
import { targetToB } from '../support/on-relay-b';

const USERS = 80;

describe('provisioning within the plan', () => {
  it('a scheduled target gets 80 users over as many cron invocations as the plan needs, none past its limits', { timeout: 120_000 }, async () => {
    const limits = parseLimits(env.RELAY_LIMITS);
    const prefix = `plan-${crypto.randomUUID().slice(0, 8)}-`;
    // In Bulks of the advertised maxOperations (10 on Free), as an IdP sends them.
    await bulkCreate(
      '/Users',
      Array.from({ length: USERS }, (_, i) => ({ userName: `${prefix}${i}@plan.test` })),
    );
    await targetToB(`B plan ${prefix}`, { scheduled: { enabled: true, intervalMinutes: 1, operations: ops() } }, { rateLimitPerSecond: 1000, concurrency: 6 });
    const onB = async () => (await scimB('GET', `/Users?filter=${encodeURIComponent(`userName sw "${prefix}"`)}&count=0`)).body.totalResults as number;

    takeUsages();
    let crons = 0;
    const spent: { d1Queries: number; subrequests: number }[] = [];
    while ((await onB()) < USERS && crons < invocationsFor({ users: USERS })) {
      await runCron();
      crons++;
      spent.push(...takeUsages().filter((u) => u.kind === 'cron'));
    }
    expect(await onB()).toBe(USERS);
    for (const u of spent) {
      expect(u.d1Queries).toBeLessThanOrEqual(limits.d1Queries);
      expect(limits.d1CountsAsSubrequest ? u.d1Queries + u.subrequests : u.subrequests).toBeLessThanOrEqual(limits.subrequests);
    }
    // Free: no tick provisions more than the CPU cost model allows (20 rows), and the ticks go on
    // until all are there.
    if (limits.name === 'free') {
      expect(crons).toBeGreaterThanOrEqual(Math.ceil(USERS / rowsPerInvocation()));
      expect(crons).toBeLessThanOrEqual(invocationsFor({ users: USERS }));
    } else expect(crons).toBe(1);
  });
});
