/**
 * Manual / on-demand provisioning ("Perform Manual Sync"): the pipeline runs now, for one user,
 * to each chosen target, and answers with a step trace per target.
 */
import type { ProvisionResult, Target } from '../../../shared/src';
import { auditStatements } from '../db/audit';
import { saveLink } from '../db/links';
import type { Env } from '../env';
import { createSyncContext } from './sync-context';
import { syncUser } from './sync-user';
import { listTargets, loadTargetSecret } from './targets';

export async function provisionUser(env: Env, userId: string, targetIds?: string[], fetchImpl?: typeof fetch): Promise<ProvisionResult[]> {
  const targets = (await listTargets(env)).filter((t) => (targetIds ? targetIds.includes(t.id) : t.modes.manual.enabled));
  return Promise.all(targets.map((t) => provisionTo(env, t, userId, fetchImpl)));
}

async function provisionTo(env: Env, target: Target, userId: string, fetchImpl?: typeof fetch): Promise<ProvisionResult> {
  const base = { targetId: target.id, targetName: target.name, dryRun: target.dryRun };
  const secret = await loadTargetSecret(env, target.id);
  if (!secret) return { ...base, ok: false, action: 'none', remoteId: null, attributesChanged: [], error: 'The target is gone.', failure: null, steps: [] };
  if (target.status === 'paused') {
    const detail = `The target is paused${target.pausedReason ? `: ${target.pausedReason}` : ''}. Resume it first.`;
    return { ...base, ok: false, action: 'none', remoteId: null, attributesChanged: [], error: detail, failure: 'fatal', steps: [{ step: 'test_connection', ok: false, detail }] };
  }
  const ctx = createSyncContext({ db: env.DB, target, token: secret.token, operations: target.modes.manual.operations, runId: null, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  ctx.label = { operation: 'test_connection', resourceType: 'User', resourceId: userId };
  const spc = await ctx.client.serviceProviderConfig();
  ctx.steps.push(
    spc.ok
      ? { step: 'test_connection', ok: true, httpStatus: spc.status, detail: 'The target answered.' }
      : { step: 'test_connection', ok: false, detail: spc.failure.message, ...(spc.failure.status ? { httpStatus: spc.failure.status } : {}) },
  );
  if (!spc.ok) {
    await env.DB.batch(auditStatements(env.DB, ctx.audit));
    return { ...base, ok: false, action: 'none', remoteId: null, attributesChanged: [], error: spc.failure.message, failure: spc.failure.kind, steps: ctx.steps };
  }
  const outcome = await syncUser(ctx, userId);
  ctx.steps.push({ step: 'result', ok: outcome.ok, detail: outcome.ok ? outcome.detail : (outcome.failure?.message ?? 'failed') });
  const stmts = auditStatements(env.DB, ctx.audit);
  const link = outcome.link ?? (outcome.ok ? undefined : { state: 'failed' as const, success: false, error: outcome.failure?.message ?? null });
  if (!ctx.dryRun) stmts.push(saveLink(env.DB, target.id, 'User', userId, { ...(link ?? { state: 'in_sync', success: true }), trace: JSON.stringify(ctx.steps) }, ctx.now()));
  await env.DB.batch(stmts);
  return {
    ...base,
    ok: outcome.ok,
    action: outcome.action,
    remoteId: outcome.remoteId,
    attributesChanged: outcome.attributesChanged,
    error: outcome.ok ? null : (outcome.failure?.message ?? 'failed'),
    failure: outcome.failure?.kind ?? null,
    steps: ctx.steps,
  };
}
