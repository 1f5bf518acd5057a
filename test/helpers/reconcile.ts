/**
 * Reconciles a target through the admin API to the end: each POST /targets/{id}/reconcile
 * continues the run within one invocation's budget, so it is posted until the run is done or
 * failed, or until ten posts in a row moved it no further (a page of relay B, which every test
 * file shares, is 50 users on Free: its size sets how many posts a run takes). Returns the last
 * status the API answered.
 */
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { createBudget } from '../../worker/src/limits/budget';
import { CPU_MS, pageWithin } from '../../worker/src/limits/cpu';
import { api } from './api';

/** The page a "Reconcile now" (an HTTP invocation) reads at: the target's `maximum`, or fewer on Free (limits/cpu.ts). */
export const reconcilePageSize = (maximum: number): number => pageWithin(createBudget(env, 'http').cpuMs, CPU_MS.reconciledUser, maximum);

export async function reconcileToEnd(targetId: string): Promise<any> {
  let status: any;
  let progress = '';
  for (let still = 0; still < 10; ) {
    const res = await api('POST', `/targets/${targetId}/reconcile`, {});
    expect(res.status, res.text).toBe(200);
    status = res.body;
    if (status.state.phase === 'done' || status.state.phase === 'failed') return status;
    const now = JSON.stringify([status.state.phase, status.state.cursor, status.state.counts.users, status.state.counts.groups]);
    still = now === progress ? still + 1 : 0;
    progress = now;
  }
  return status;
}
