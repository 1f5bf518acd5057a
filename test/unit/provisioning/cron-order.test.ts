/**
 * A cron tick without Queues (worker/src/cron-order.ts): on Paid imports, then reconcile, then
 * the dispatch, every tick; on Free, whose 10 ms hold about one page of one kind, the kinds
 * take turns asking first, a minute each.
 */
import { describe, expect, it } from 'vitest';
import { cronOrder } from '../../../worker/src/cron-order';
import { PROFILES } from '../../../worker/src/limits/profile';

/** the n-th minute since the epoch, a quarter second in (a tick's scheduledTime) */
const minute = (n: number) => new Date(n * 60_000 + 250);

describe('the order of a cron tick without Queues', () => {
  it('imports first on Paid, every minute, so what they change is provisioned by the same tick', () => {
    for (const m of [0, 1, 2, 3]) expect(cronOrder(PROFILES.paid.cpuMs, minute(m))).toEqual(['import', 'reconcile', 'dispatch']);
  });

  it('on Free each kind asks first one minute in three, and the others follow in turn', () => {
    const firsts = [0, 1, 2, 3, 4, 5].map((m) => cronOrder(PROFILES.free.cpuMs, minute(m)));
    expect(firsts.map((o) => o[0])).toEqual(['import', 'reconcile', 'dispatch', 'import', 'reconcile', 'dispatch']);
    expect(firsts[2]).toEqual(['dispatch', 'import', 'reconcile']);
    for (const o of firsts) expect([...o].sort()).toEqual(['dispatch', 'import', 'reconcile']);
  });
});
