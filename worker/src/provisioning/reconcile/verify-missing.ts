/**
 * The verify phase: linked users the complete listing did not return. A listing is not proof
 * (a target may page inconsistently while it changes), so each is read by id: a 404 confirms the
 * account was deleted on the target and the link forgets its remote id, so the sync engine
 * creates it again; an account that is there after all is compared like a listed one.
 */
import { forgetRemoteStatements, seenStatement, unseenLinks } from '../../db/reconcile';
import type { Failure } from '../failure';
import { chargeCompared, comparableNow, hasBudget, recordDrift, type ReconcileContext } from './context';
import { observeUser } from './observe-user';
import { requestsLeft } from '../../limits/budget';

/** Links read per step: each costs one request. */
const VERIFY_BATCH = 50;

export interface StepResult {
  stmts: D1PreparedStatement[];
  /** the phase has nothing left */
  done: boolean;
  failure?: Failure;
}

export async function verifyMissingUsers(ctx: ReconcileContext): Promise<StepResult> {
  const after = ctx.state.cursor ?? '';
  const links = await unseenLinks(ctx.db, ctx.target.id, 'User', after, comparableNow(ctx, Math.min(VERIFY_BATCH, requestsLeft(ctx.budget))));
  const stmts: D1PreparedStatement[] = [];
  for (const link of links) {
    if (!hasBudget(ctx)) return { stmts, done: false };
    const read = await ctx.lister.getUser(link.remoteId);
    chargeCompared(ctx, 1);
    if (read.ok) {
      stmts.push(
        seenStatement(ctx.db, ctx.target.id, 'User', [{ id: link.remoteId, roles: read.value.roles }]),
        ...(await observeUser(ctx, link, read.value.resource)),
      );
    } else if (read.failure.kind === 'not_found') {
      if (recordDrift(ctx, 'User', link.resourceId, 'deleted', `remote account ${link.remoteId} is gone`))
        stmts.push(...forgetRemoteStatements(ctx.db, ctx.target.id, 'User', link.resourceId));
    } else {
      return { stmts, done: false, failure: read.failure };
    }
    ctx.state.cursor = link.resourceId;
  }
  return { stmts, done: links.length === 0 };
}
