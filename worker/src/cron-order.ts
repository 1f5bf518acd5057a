/**
 * What a cron tick without Queues runs first (index.ts): with Queues, each source and target is
 * its own consumer invocation and the tick only reconciles and enqueues.
 */
export type CronWork = 'import' | 'reconcile' | 'dispatch';

import { CPU_MS } from './limits/cpu';

/** A tick's CPU (its own 2 ms aside) that holds a page of each kind of work by the cost model: 50 accounts in, 100 compared, 100 rows out (91 ms). */
const CPU_FOR_EVERY_KIND_MS = 50 * CPU_MS.importedUser + 100 * CPU_MS.reconciledUser + 100 * CPU_MS.outboundRow;

/**
 * The order a cron tick without Queues runs its work in. Imports first, so what they change is
 * provisioned by the same tick, then reconcile, whose drift the dispatch repairs — where the
 * plan's CPU holds a page of each (Paid). A Free tick's 10 ms hold about one page of one kind,
 * spent by whichever asks first (its first page may overshoot; the others get what is left): so
 * there the kinds take turns asking first, a minute each, or an import of 20,000 accounts
 * would hold provisioning back for a day.
 */
export function cronOrder(cpuMs: number | undefined, at: Date): CronWork[] {
  const order: CronWork[] = ['import', 'reconcile', 'dispatch'];
  if (cpuMs === undefined || cpuMs >= CPU_FOR_EVERY_KIND_MS) return order;
  return takingTurns(order, at);
}

/** `items` starting one further each minute (and wrapping round), so each comes first in its turn. */
export function takingTurns<T>(items: readonly T[], at: Date): T[] {
  const turn = Math.floor(at.getTime() / 60_000) % items.length;
  return [...items.slice(turn), ...items.slice(0, turn)];
}
