/**
 * Manual / on-demand provisioning ("Perform Manual Sync"): the pipeline runs now, for one user,
 * to each chosen target, and answers with a step trace per target. It is one more writer of the
 * same queue (issue #9): it takes the user's outbox row under the runs' lease, or waits briefly
 * for the run holding it, so a popup and an automatic run never race on one account.
 */
import type { ProvisionResult, Target } from '../../../shared/src';
import { auditStatements } from '../db/audit';
import { saveLink } from '../db/links';
import { claimResource, completeOutbox, releaseOutbox, type OutboxRow } from '../db/outbox';
import { failureFate } from './row-fate';
import { LEASE_MS } from './lanes';
import { outcomeOf } from './outcome';
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
  /** A provision that sent nothing to the user's account: why, and the steps so far. */
  const refused = (
    error: string,
    failure: ProvisionResult['failure'],
    steps: ProvisionResult['steps'],
    outcome: ProvisionResult['outcome'] = 'failed',
  ): ProvisionResult => ({
    ...base,
    ok: false,
    action: 'none',
    remoteId: null,
    attributesChanged: [],
    error,
    failure,
    steps,
    outcome,
  });
  const secret = await loadTargetSecret(env, target.id);
  if (!secret) return refused('The target is gone.', null, []);
  if (target.status === 'paused') {
    const detail = `The target is paused${target.pausedReason ? `: ${target.pausedReason}` : ''}. Resume it first.`;
    return refused(detail, 'fatal', [{ step: 'test_connection', ok: false, detail }]);
  }
  const ctx = createSyncContext({
    db: env.DB,
    target,
    token: secret.token,
    operations: target.modes.manual.operations,
    runId: null,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  ctx.label = { operation: 'test_connection', resourceType: 'User', resourceId: userId };
  const spc = await ctx.client.serviceProviderConfig();
  ctx.steps.push(
    spc.ok
      ? { step: 'test_connection', ok: true, httpStatus: spc.status, detail: 'The target answered.' }
      : { step: 'test_connection', ok: false, detail: spc.failure.message, ...(spc.failure.status ? { httpStatus: spc.failure.status } : {}) },
  );
  if (!spc.ok) {
    await env.DB.batch(auditStatements(env.DB, ctx.audit));
    return refused(spc.failure.message, spc.failure.kind, ctx.steps);
  }
  // One writer per (target, user): the same lease the runs take, or a short wait for theirs.
  const lease = await leaseUser(env.DB, target.id, userId, ctx.now);
  if (!('row' in lease)) {
    const held = lease.state === 'held';
    const detail = held
      ? 'A deactivation or deletion of this user is held for approval on this target: approve or change it first.'
      : 'A run is provisioning this user on this target right now; its result is in the status. Try again in a moment.';
    ctx.steps.push({ step: 'result', ok: false, detail });
    await env.DB.batch(auditStatements(env.DB, ctx.audit));
    return refused(detail, null, ctx.steps, held ? 'held' : 'skipped');
  }
  let outcome;
  try {
    outcome = await syncUser(ctx, userId);
  } catch (err) {
    // A bug or a storage failure: the row is given back now, not when its lease runs out.
    await env.DB.batch([releaseOutbox(env.DB, lease.row)]).catch(() => undefined);
    throw err;
  }
  ctx.steps.push({ step: 'result', ok: outcome.ok, detail: outcome.ok ? outcome.detail : (outcome.failure?.message ?? 'failed') });
  const stmts = auditStatements(env.DB, ctx.audit);
  const link = outcome.link ?? (outcome.ok ? undefined : { state: 'failed' as const, success: false, error: outcome.failure?.message ?? null });
  if (!ctx.dryRun)
    stmts.push(saveLink(env.DB, target.id, 'User', userId, { ...(link ?? { state: 'in_sync', success: true }), trace: JSON.stringify(ctx.steps) }, ctx.now()));
  // Done: the row goes (unless the user changed meanwhile); failed: the row's policy, as in a run.
  stmts.push(
    ...(outcome.ok
      ? completeOutbox(env.DB, lease.row, ctx.now())
      : [failureFate(env.DB, lease.row, outcome.failure ?? { kind: 'transient', message: 'failed' }, ctx.now()).outbox]),
  );
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
    outcome: outcomeOf(outcome),
  };
}

/** How long a manual provision waits for a run that holds the user's row. */
const LEASE_WAIT_MS = 5_000;
const LEASE_POLL_MS = 200;

async function leaseUser(db: D1Database, targetId: string, userId: string, now: () => Date): Promise<{ row: OutboxRow } | { state: string }> {
  const until = Date.now() + LEASE_WAIT_MS;
  for (;;) {
    const got = await claimResource(db, targetId, 'User', userId, now(), LEASE_MS);
    if ('row' in got || got.state === 'held' || Date.now() > until) return got;
    await new Promise((r) => setTimeout(r, LEASE_POLL_MS));
  }
}
