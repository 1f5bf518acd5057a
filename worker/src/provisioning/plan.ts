/** "Plan": every operation the next run of a target would do, without sending anything. */
import type { Action, ModeName, Target } from '../../../shared/src';
import { loadUsersAndLinks } from '../db/bulk-state';
import { queuedRows } from '../db/outbox';
import type { Env } from '../env';
import { CPU_MS, pageWithin } from '../limits/cpu';
import { parseLimits } from '../limits/profile';
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
 * How many operations one plan shows: the next ones, not the whole queue. The page is decided
 * set-based — its rows in one query, their users, links and scope in one batch, as a claim's
 * preload — so its D1 queries do not grow with it (decided one by one, at one batch a row, the
 * Free plan's 50 queries held it to 10 rows and Paid's 200 took 202 queries). What grows is CPU:
 * `CPU_MS.plannedRow` a row (limits/cpu.ts), so a page takes at most half the profile's CPU:
 * 50 rows on Free (10 ms), 200 on Paid.
 */
const MOST_PLANNED = 200;

export const planPage = (env: Pick<Env, 'RELAY_LIMITS'>): number => pageWithin(parseLimits(env.RELAY_LIMITS).cpuMs / 2, CPU_MS.plannedRow, MOST_PLANNED);

export async function planTarget(env: Env, target: Target, mode: Exclude<ModeName, 'manual'>): Promise<PlannedOperation[]> {
  const rows = await queuedRows(env.DB, target.id, planPage(env));
  const ctx = createSyncContext({ db: env.DB, target, token: '', operations: target.modes[mode].operations, runId: null });
  const userIds = [...new Set(rows.filter((r) => r.resourceType === 'User' && r.state !== 'held').map((r) => r.resourceId))];
  const { users, links } = await loadUsersAndLinks(env.DB, target.id, userIds, ctx.scope);
  const out: PlannedOperation[] = [];
  for (const r of rows) {
    const d =
      r.state === 'held'
        ? { action: 'hold' as const, detail: 'held for approval' }
        : r.resourceType === 'User'
          ? await decideUser(ctx, { user: users.get(r.resourceId) ?? null, link: links.get(r.resourceId) ?? null })
          : { action: 'update' as const, detail: 'group push: membership difference' };
    out.push({ outboxId: r.id, resourceType: r.resourceType, resourceId: r.resourceId, state: r.state, action: d.action, detail: d.detail });
  }
  return out;
}
