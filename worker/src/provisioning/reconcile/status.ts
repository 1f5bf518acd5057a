/** A target's reconcile as the admin API shows it: the schedule, the run's state and its drift. */
import { driftItemSchema, type ReconcileStatus } from '../../../../shared/src';
import { listDrift, loadReconcileRow, setReconcileInterval } from '../../db/reconcile';
import type { Env } from '../../env';
import { nextDueAt } from './schedule';
import { parseState } from './state';

/** Drift items shown with the report. */
const DRIFT_SHOWN = 100;

export async function reconcileStatus(env: Env, targetId: string): Promise<ReconcileStatus | null> {
  const row = await loadReconcileRow(env.DB, targetId);
  if (!row) return null;
  const due = nextDueAt(row);
  return {
    targetId,
    intervalMinutes: row.intervalMinutes,
    lastReconcileAt: row.lastReconcileAt,
    nextDueAt: due ? due.toISOString() : null,
    state: parseState(row.state),
    drift: driftItemSchema.array().parse(await listDrift(env.DB, targetId, DRIFT_SHOWN)),
  };
}

export async function setReconcileSchedule(env: Env, targetId: string, intervalMinutes: number): Promise<ReconcileStatus | null> {
  if (!(await loadReconcileRow(env.DB, targetId))) return null;
  await setReconcileInterval(env.DB, targetId, intervalMinutes).run();
  return reconcileStatus(env, targetId);
}
