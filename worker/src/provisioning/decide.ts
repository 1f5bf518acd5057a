/** Deciding an operation for a user without talking to the target (Bulk path, plan). */
import type { Action } from '../../../shared/src';
import type { LinkRow, LinkUpdate } from '../db/links';
import type { JsonObject } from '../scim/schema/normalize';
import { applyMapping, changedAttributes, payloadHash, toPatchOperations } from './mapping';
import type { BulkOperation, PatchOp } from './scim-client';
import type { SyncContext } from './sync-context';
import { readStoredPayload, usesEtags } from './conditional-write';
import { protectedLink, protectedReason } from './protected';
import { recordProtected } from './sync-context';

export interface Decision {
  action: Action;
  /** the Bulk operation that carries it out (none: nothing to send) */
  op?: BulkOperation;
  /** the link to store when it succeeds */
  link?: LinkUpdate;
  attributes: string[];
  /** not written: the account is protected (protected.ts); the detail says why */
  protected?: string;
}

export const patchBody = (ops: PatchOp[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops }) as unknown as JsonObject;

/** Deactivating a linked account (`active=false`), remembering what was sent; `state` is the link's state after it. */
async function deactivation(ctx: SyncContext, user: JsonObject, remoteId: string, state: LinkUpdate['state']): Promise<Decision> {
  const { payload } = applyMapping(ctx.target.mapping, user, 'update');
  const stored = { ...payload, active: false };
  return {
    action: 'deactivate',
    attributes: ['active'],
    link: { state, success: true, remoteState: 'deactivated', payload: JSON.stringify(stored), payloadHash: await payloadHash(stored), error: null },
    op: { method: 'PATCH', path: `/Users/${remoteId}`, data: patchBody([{ op: 'replace', path: 'active', value: false }]) },
  };
}

const deletion = (remoteId: string, state: LinkUpdate['state']): Decision => ({
  action: 'delete',
  attributes: [],
  link: { state, success: true, remoteState: 'deleted', error: null },
  op: { method: 'DELETE', path: `/Users/${remoteId}` },
});

/**
 * What to do for one user on one target, decided from the directory, the stored link and whether
 * the user is in the target's scope, without the network: the Bulk path sends the operation,
 * "plan" shows it. 'match' means the user is not linked yet and the target must be read first.
 * Leaving scope (issue #13) deactivates — or deletes where the mode allows — like leaving the directory.
 */
export async function decide(ctx: SyncContext, user: JsonObject | null, link: LinkRow | null, inScope = true): Promise<Decision | 'match'> {
  const none = (action: Action, linkUpdate?: LinkUpdate): Decision => ({ action, attributes: [], ...(linkUpdate ? { link: linkUpdate } : {}) });
  const remoteId = link?.remoteId;
  if (remoteId) {
    const userName = user?.userName ?? readStoredPayload(link.payload).payload?.userName;
    const reason = protectedReason(ctx.protection, { userName, remoteId, remoteKey: link.remoteKey ?? null });
    if (reason) return { action: 'skip', attributes: [], link: protectedLink(reason, userName), protected: recordProtected(ctx, reason) };
  }
  if (!user) {
    if (!remoteId || link.remoteState === 'deleted') return none('skip');
    if (ctx.operations.delete) return deletion(remoteId, 'in_sync');
    if (!ctx.operations.deactivate || link.remoteState === 'deactivated') return none('skip');
    return {
      action: 'deactivate',
      attributes: ['active'],
      link: { state: 'in_sync', success: true, remoteState: 'deactivated', error: null },
      op: { method: 'PATCH', path: `/Users/${remoteId}`, data: patchBody([{ op: 'replace', path: 'active', value: false }]) },
    };
  }
  if (!inScope) {
    if (!remoteId || link.remoteState === 'deleted') return none('skip', { state: 'out_of_scope', success: false });
    if (ctx.operations.delete) return deletion(remoteId, 'out_of_scope');
    if (!ctx.operations.deactivate || link.remoteState === 'deactivated') return none('skip', { state: 'out_of_scope', success: true });
    return deactivation(ctx, user, remoteId, 'out_of_scope');
  }
  if (user.active === false) {
    if (!remoteId) return none('skip', { state: 'never', success: false });
    if (!ctx.operations.deactivate || link.remoteState === 'deactivated') return none('skip');
    return deactivation(ctx, user, remoteId, 'in_sync');
  }
  if (!remoteId) return ctx.operations.create ? 'match' : none('skip', { state: 'never', success: false });
  const { payload, cleared } = applyMapping(ctx.target.mapping, user, 'update');
  const hash = await payloadHash(payload);
  if (link.payloadHash === hash && link.remoteState !== 'deactivated') return none('skip', { state: 'in_sync', success: true });
  if (!ctx.operations.update) return none('skip', { state: 'pending', success: false });
  const { payload: previous, version } = readStoredPayload(link.payload);
  const ops = toPatchOperations(previous, payload, cleared);
  const link2: LinkUpdate = {
    remoteId,
    state: 'in_sync',
    success: true,
    payloadHash: hash,
    payload: JSON.stringify(payload),
    remoteState: 'active',
    error: null,
  };
  if (ops.length === 0) return none('skip', link2);
  // RFC 7644 §3.7: a Bulk operation's `version` is its If-Match (a 412 falls back to the per-operation path).
  const at = usesEtags(ctx) && version ? { version } : {};
  return {
    action: 'update',
    attributes: changedAttributes(previous, payload),
    link: link2,
    op: { method: 'PATCH', path: `/Users/${remoteId}`, data: patchBody(ops), ...at },
  };
}
