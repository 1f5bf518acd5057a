/**
 * Budgets derive from the limits profile (worker/src/limits/budget.ts): per invocation kind,
 * D1 queries read from the invocation's meter (whoever made them), the Free plan's one pool of
 * queries and subrequests, and shares that lower the ceiling to a part of what is left.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createBudget, hasRoom, queriesLeft, requestsLeft, settle, shareOf } from '../../worker/src/limits/budget';
import { metered, takeUsages } from '../../worker/src/limits/meter';
import { parseLimits } from '../../worker/src/limits/profile';

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
});
