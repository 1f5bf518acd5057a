/**
 * Reconciles a target through the admin API to the end: each POST /targets/{id}/reconcile
 * continues the run within one invocation's budget, so it is posted until the run is done or
 * failed (at most ten times). Returns the last status the API answered.
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
  for (let i = 0; i < 10; i++) {
    const res = await api('POST', `/targets/${targetId}/reconcile`, {});
    expect(res.status, res.text).toBe(200);
    status = res.body;
    if (status.state.phase === 'done' || status.state.phase === 'failed') return status;
  }
  return status;
}
