/**
 * Reconciles a target through the admin API to the end: each POST /targets/{id}/reconcile
 * continues the run within one invocation's budget, so it is posted until the run is done or
 * failed (at most ten times). Returns the last status the API answered.
 */
import { expect } from 'vitest';
import { api } from './api';

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
