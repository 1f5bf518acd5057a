/**
 * The reconcile schedule (default daily, `targets.reconcile_interval_minutes`, 0 = off), run
 * from the cron: runs in progress continue first, then targets whose interval has passed since
 * their last run (since their creation before the first: a new target is the initial sync's
 * business, not reconcile's) start one, while the invocation's budget lasts. Paused targets wait.
 */
import { type ReconcileRow, listReconcileRows } from '../../db/reconcile';
import type { Env } from '../../env';
import { type Budget, hasRoom } from '../../limits/budget';
import { STEP_QUERIES } from './context';
import { inProgress, parseState } from './state';
import { reconcileTarget } from './run-reconcile';

/** When the schedule next starts a run; null when it is off. */
export function nextDueAt(row: Pick<ReconcileRow, 'intervalMinutes' | 'lastReconcileAt' | 'created'>): Date | null {
  if (row.intervalMinutes <= 0) return null;
  return new Date(Date.parse(row.lastReconcileAt ?? row.created) + row.intervalMinutes * 60_000);
}

export async function runDueReconciles(env: Env, budget: Budget, now: () => Date = () => new Date()): Promise<string[]> {
  const rows = (await listReconcileRows(env.DB)).filter((r) => r.status === 'active');
  const continuing = rows.filter((r) => inProgress(parseState(r.state)));
  const due = rows.filter((r) => !inProgress(parseState(r.state)) && (nextDueAt(r)?.getTime() ?? Infinity) <= now().getTime());
  const ran: string[] = [];
  for (const row of [...continuing, ...due]) {
    // starting a run reads and swaps its state before its first step
    if (!hasRoom(budget, 1, STEP_QUERIES + 4)) break;
    try {
      await reconcileTarget(env, row.id, { trigger: 'scheduled', budget, now });
      ran.push(row.id);
    } catch (err) {
      // One target's failure does not stop the others' (issue #9 item 7).
      console.error(JSON.stringify({ event: 'reconcile_failed', targetId: row.id, error: String(err) }));
    }
  }
  return ran;
}
