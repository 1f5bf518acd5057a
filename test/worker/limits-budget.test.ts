/**
 * Budgets derive from the limits profile (worker/src/limits/budget.ts): per invocation kind,
 * D1 queries read from the invocation's meter (whoever made them), the Free plan's one pool of
 * queries and subrequests, and shares that lower the ceiling to a part of what is left.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  chargeCpu,
  cpuItemsLeft,
  cpuUntouched,
  createBudget,
  hasRoom,
  queriesLeft,
  requestsLeft,
  settle,
  shareOf,
  withCpu,
} from '../../worker/src/limits/budget';
import { CPU_MS, importPageSize } from '../../worker/src/limits/cpu';
import { chargeRequestCpu, metered, takeUsages } from '../../worker/src/limits/meter';
import { parseLimits } from '../../worker/src/limits/profile';
import { canRun } from '../../worker/src/provisioning/dispatcher';

const run = <R>(limits: string, fn: (e: typeof env) => Promise<R>) => metered(env, parseLimits(limits), 'cron', false, fn);

describe('invocation budgets', () => {
  it('come from the profile per kind, with its reserve', () => {
    const paid = createBudget({ RELAY_LIMITS: 'paid' }, 'cron');
    expect(paid).toMatchObject({ requests: 10_000, queries: 995, pool: Number.POSITIVE_INFINITY });
    expect(paid.deadline - Date.now()).toBeGreaterThan(55_000);
    const free = createBudget({ RELAY_LIMITS: 'free' }, 'waitUntil');
    expect(free).toMatchObject({ requests: 45, queries: 45, pool: 45 });
    expect(free.deadline - Date.now()).toBeLessThanOrEqual(25_000);
  });

  it("count the invocation's D1 queries, whoever made them, and on Free the one pool", async () => {
    await run('free', async (e) => {
      const b = createBudget({ RELAY_LIMITS: 'free' }, 'cron');
      for (let i = 0; i < 10; i++) await e.DB.prepare('SELECT 1').first();
      expect(queriesLeft(b)).toBe(35);
      // the pool: 45 less the 10 queries, whatever is left of the fetch share
      expect(requestsLeft(b)).toBe(35);
      expect(hasRoom(b, 35, 0)).toBe(true);
      expect(hasRoom(b, 36, 0)).toBe(false);
    });
    await run('paid', async (e) => {
      const b = createBudget({ RELAY_LIMITS: 'paid' }, 'cron');
      for (let i = 0; i < 10; i++) await e.DB.prepare('SELECT 1').first();
      expect(queriesLeft(b)).toBe(985);
      expect(requestsLeft(b)).toBe(10_000);
    });
    takeUsages();
  });

  it('share what is left, and a share gives back what it did not spend', async () => {
    await run('free', async (e) => {
      const b = createBudget({ RELAY_LIMITS: 'free' }, 'cron');
      await e.DB.prepare('SELECT 1').first();
      const share = shareOf(b, 0.6);
      // 60 % of the 44 queries left, on top of the one spent
      expect(share.queries).toBe(1 + 26);
      for (let i = 0; i < 26; i++) await e.DB.prepare('SELECT 1').first();
      expect(queriesLeft(share)).toBe(0);
      expect(queriesLeft(b)).toBe(18);
      share.requests -= 3;
      settle(b, share, 27);
      expect(b.requests).toBe(42);
    });
    takeUsages();
  });

  it('hold work that scales with users to the CPU the profile allows, by the cost model', () => {
    const free = createBudget({ RELAY_LIMITS: 'free' }, 'queue');
    // 10 ms less the invocation's own 2: 20 rows out at 0.4 ms, 11 accounts in at 0.7 ms
    expect(cpuItemsLeft(free, CPU_MS.outboundRow)).toBe(20);
    expect(cpuItemsLeft(free, CPU_MS.importedUser)).toBe(11);
    expect(importPageSize(10, 50)).toBe(11);
    expect(importPageSize(30_000, 50)).toBe(50);
    const paid = createBudget({ RELAY_LIMITS: 'paid' }, 'queue');
    expect(cpuItemsLeft(paid, CPU_MS.outboundRow)).toBe(74_995);
    chargeCpu(free, 20 * CPU_MS.outboundRow);
    expect(cpuItemsLeft(free, CPU_MS.outboundRow)).toBe(0);
    // a share's CPU spent is charged to its parent when it settles
    const cron = createBudget({ RELAY_LIMITS: 'paid' }, 'cron');
    const share = shareOf(cron, 0.5);
    chargeCpu(share, 1_000);
    settle(cron, share, share.requests);
    expect(cron.cpuMs).toBe(30_000 - CPU_MS.base - 1_000);
    // a hand-made budget without CPU is not held by it
    expect(cpuItemsLeft({ requests: 1, deadline: 0, queries: 1, pool: 1 }, 1)).toBe(Number.POSITIVE_INFINITY);
    // the first item of work may overshoot only while nothing of the CPU is spent (a share counts from when it was given)
    const fresh = createBudget({ RELAY_LIMITS: 'free' }, 'queue');
    expect(cpuUntouched(fresh)).toBe(true);
    chargeCpu(fresh, CPU_MS.importedUser);
    expect(cpuUntouched(fresh)).toBe(false);
    const part = shareOf(createBudget({ RELAY_LIMITS: 'free' }, 'cron'), 0.6);
    expect(cpuUntouched(part)).toBe(true);
    chargeCpu(part, 0.1);
    expect(cpuUntouched(part)).toBe(false);
    // a share given once the invocation has spent CPU does not get a first item of its own
    const tick = createBudget({ RELAY_LIMITS: 'free' }, 'cron');
    const first = shareOf(tick, 0.6);
    expect(cpuUntouched(shareOf(tick, 0.25))).toBe(true);
    chargeCpu(first, 7 * CPU_MS.importedUser);
    settle(tick, first, first.requests);
    expect(cpuUntouched(shareOf(tick, 0.25))).toBe(false);
    expect(cpuUntouched({ requests: 1, deadline: 0, queries: 1, pool: 1 })).toBe(true);
  });

  it("charge a target's run its fixed part, and still let a Free invocation's run move a row (issue #11)", () => {
    const free = createBudget({ RELAY_LIMITS: 'free' }, 'queue');
    expect(canRun(free)).toBe(true);
    chargeCpu(free, CPU_MS.targetRun);
    // 10 ms less the invocation's 2 and the run's 5.5: 6 rows at 0.4, the floor of one kept
    expect(cpuItemsLeft(free, CPU_MS.outboundRow)).toBe(Math.floor((10 - CPU_MS.base - CPU_MS.targetRun) / CPU_MS.outboundRow));
    expect(cpuItemsLeft(free, CPU_MS.outboundRow)).toBeGreaterThanOrEqual(1);
    // what is left holds no second run
    expect(canRun(free)).toBe(false);
    const paid = createBudget({ RELAY_LIMITS: 'paid' }, 'queue');
    chargeCpu(paid, CPU_MS.targetRun);
    expect(canRun(paid)).toBe(true);
  });

  it("start waitUntil work with the CPU its request left: the request's base and what it charged", async () => {
    await metered(env, parseLimits('free'), 'http', false, async () => {
      // 10 ms less the request's 2 and the work's own 2: 15 rows
      expect(cpuItemsLeft(createBudget({ RELAY_LIMITS: 'free' }, 'waitUntil'), CPU_MS.outboundRow)).toBe(15);
      // a Bulk of 10 operations: 9 ms more, nothing left, and no first item that may overshoot
      chargeRequestCpu(10 * CPU_MS.bulkOperation);
      const after = createBudget({ RELAY_LIMITS: 'free' }, 'waitUntil');
      expect(cpuItemsLeft(after, CPU_MS.outboundRow)).toBe(0);
      expect(cpuUntouched(after)).toBe(false);
      // the invocation's other kinds are not charged for it
      expect(cpuItemsLeft(createBudget({ RELAY_LIMITS: 'free' }, 'http'), CPU_MS.outboundRow)).toBe(20);
    });
    takeUsages();
  });

  it('give one of several parts at most a CPU share, and charge the parent what it spent', () => {
    const tick = createBudget({ RELAY_LIMITS: 'free' }, 'cron');
    const half = withCpu(tick, tick.cpuMs! / 2);
    expect(cpuItemsLeft(half, CPU_MS.outboundRow)).toBe(10);
    chargeCpu(half, 10 * CPU_MS.outboundRow);
    half.requests -= 4;
    settle(tick, half, tick.requests);
    expect(cpuItemsLeft(tick, CPU_MS.outboundRow)).toBe(10);
    expect(tick.requests).toBe(45 - 4);
    // never more than the parent has
    expect(withCpu(tick, 1_000).cpuMs).toBe(tick.cpuMs);
  });

  it("record what the cost model charged on the invocation's meter, once however the CPU was shared", async () => {
    const usage = await metered(env, parseLimits('free'), 'cron', false, async (_e, meter) => {
      const tick = createBudget({ RELAY_LIMITS: 'free' }, 'cron');
      chargeCpu(tick, 2 * CPU_MS.outboundRow);
      const part = shareOf(tick, 0.6);
      chargeCpu(part, 3 * CPU_MS.importedUser);
      settle(tick, part, part.requests);
      // the parent carries what the share spent, and the meter counted it once
      expect(tick.cpuMs).toBeCloseTo(10 - CPU_MS.base - 2 * CPU_MS.outboundRow - 3 * CPU_MS.importedUser);
      return meter.usage;
    });
    expect(usage.cpuCharged).toBeCloseTo(2 * CPU_MS.outboundRow + 3 * CPU_MS.importedUser);
    // outside a metered invocation nothing is recorded, and a budget without CPU charges nothing
    const loose = createBudget({ RELAY_LIMITS: 'free' }, 'queue');
    chargeCpu(loose, 1);
    chargeCpu({ requests: 1, deadline: 0, queries: 1, pool: 1 }, 1);
    expect(loose.cpuMs).toBe(10 - CPU_MS.base - 1);
  });
});
