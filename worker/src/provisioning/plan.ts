/** "Plan": every operation the next run of a target would do, without sending anything. */
import type { Action, ModeName, Target } from '../../../shared/src';
import { queuedRows } from '../db/outbox';
import type { Env } from '../env';
import { budgetFor, parseLimits } from '../limits/profile';
import { createSyncContext } from './sync-context';
import { decideUser } from './sync-user';

export interface PlannedOperation {
  outboxId: number;
  resourceType: 'User' | 'Group';
  resourceId: string;
  state: string;
  action: Action | 'hold';
  detail: string;
}

/**
 * How many operations one plan shows: deciding a user reads its row and link (up to 3 D1
 * queries), and the plan is one HTTP invocation, so it stays within the profile's queries
 * (Paid: 200 operations; Free: about 10) — the plan shows the next ones, not the whole queue.
 */
export function planLimit(env: Env): number {
  const queries = budgetFor(parseLimits(env.RELAY_LIMITS), 'http').d1Queries;
  return Math.max(1, Math.min(200, Math.floor((queries - 15) / 3)));
}

export async function planTarget(env: Env, target: Target, mode: Exclude<ModeName, 'manual'>, limit = planLimit(env)): Promise<PlannedOperation[]> {
  const results = await queuedRows(env.DB, target.id, limit);
  const ctx = createSyncContext({ db: env.DB, target, token: '', operations: target.modes[mode].operations, runId: null });
  const out: PlannedOperation[] = [];
  for (const r of results) {
    if (r.state === 'held') {
      out.push({ outboxId: r.id, resourceType: r.resourceType, resourceId: r.resourceId, state: r.state, action: 'hold', detail: 'held for approval' });
      continue;
    }
    const d = r.resourceType === 'User' ? await decideUser(ctx, r.resourceId) : { action: 'update' as const, detail: 'group push: membership difference' };
    out.push({ outboxId: r.id, resourceType: r.resourceType, resourceId: r.resourceId, state: r.state, action: d.action, detail: d.detail });
  }
  return out;
}
