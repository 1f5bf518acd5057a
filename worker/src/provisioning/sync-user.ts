/**
 * One user, one target: read before write (DESIGN.md). The stored link (remote id) first, then
 * the matching filter; then create, update only what changed, deactivate or delete — within the
 * operations the mode allows. An unchanged user costs no request at all.
 */
import type { Action } from '../../../shared/src';
import type { LinkRow, LinkUpdate } from '../db/links';
import { loadUsersAndLinks, type UserState } from '../db/bulk-state';
import type { Failure } from './failure';
import { applyMapping, changedAttributes, getPath, payloadHash, toPatchOperations } from './mapping';
import { buildFilter } from './scim-client';
import { decide } from './decide';
import { readStoredPayload, storedPayload, usesEtags, versionOf, writeAtVersion } from './conditional-write';
import { protectedLink, protectedReason } from './protected';
import { recordDryRun, recordProtected, step, type SyncContext } from './sync-context';

import type { JsonObject } from '../scim/schema/normalize';
import type { PatchOp } from './scim-client';

/** The Drupal connector reads a deleted account back and says when the site only blocked it (drupal-client/client.ts afterDelete). */
const isBlockedInsteadOfDeleted = (detail: string | undefined) => detail !== undefined && detail.includes('kept the account and blocked it');

export interface SyncOutcome {
  action: Action;
  ok: boolean;
  failure?: Failure;
  remoteId: string | null;
  attributesChanged: string[];
  /** what to store on the link (undefined: leave it) */
  link?: LinkUpdate;
  /** a deactivation or deletion: counts toward the run's deletion threshold */
  destructive: boolean;
  /** done in part (a large group's membership): the row stays queued and continues at its next claim */
  continues?: boolean;
  /** sent what it could, waits for other rows (a group's members): retried shortly, with this reason */
  deferred?: string;
  /** a delete the target turned into a block (a Drupal site's cancel method): the account remains */
  blocked?: boolean;
  detail: string;
}

const skip = (detail: string, link?: LinkUpdate, remoteId: string | null = null): SyncOutcome => ({
  action: 'skip',
  ok: true,
  remoteId,
  attributesChanged: [],
  destructive: false,
  detail,
  ...(link ? { link } : {}),
});

const failed = (action: Action, failure: Failure, remoteId: string | null): SyncOutcome => ({
  action,
  ok: false,
  failure,
  remoteId,
  attributesChanged: [],
  destructive: action === 'deactivate' || action === 'delete',
  detail: failure.message,
  link: { state: 'failed', success: false, error: failure.message },
});

/** One user (with its place against the scope; a deleted one is in no scope) and its link: one D1 batch, as a claim's preload. */
async function loadUser(ctx: SyncContext, userId: string): Promise<[UserState | null, LinkRow | null, boolean]> {
  const { users, links } = await loadUsersAndLinks(ctx.db, ctx.target.id, [userId], ctx.scope);
  const row = users.get(userId) ?? null;
  return [row, links.get(userId) ?? null, row?.inScope ?? false];
}

/** What the run would do for this user, without sending anything ("plan"), from what the plan read for its page. */
export async function decideUser(ctx: SyncContext, { user: row, link }: Preloaded): Promise<{ action: Action; detail: string }> {
  const inScope = row?.inScope ?? false;
  const d = await decide(ctx, row ? { id: row.id, ...(JSON.parse(row.data) as JsonObject) } : null, link, inScope);
  if (d === 'match') return { action: 'create', detail: 'not linked yet: match on the target, then create or link' };
  if (d.protected) return { action: 'skip', detail: d.protected };
  if (row && !inScope) return { action: d.action === 'skip' ? 'none' : d.action, detail: OUT_OF_SCOPE };
  if (d.action === 'skip' && d.link?.state === 'in_sync') return { action: 'none', detail: 'unchanged' };
  return { action: d.action, detail: d.op ? `${d.op.method} ${ctx.client.requestPath?.(d.op.path) ?? d.op.path}` : 'nothing to send' };
}

/** What the dispatcher already read for a batch: the user (null: deleted) and its scope, its link, a batch match. */
export interface Preloaded {
  user: UserState | null;
  link: LinkRow | null;
  /** a batch match's answer: remote id, null for "not on the target", undefined for "not asked" */
  prematched?: string | null;
}

export async function syncUser(ctx: SyncContext, userId: string, preloaded?: Preloaded): Promise<SyncOutcome> {
  let outcome = await syncUserOnce(ctx, userId, preloaded);
  // A connector that refused a write because the read before it showed a protected account (a
  // Joomla Super User) told the engine so: the outcome is `protected`, as everywhere else.
  const reason = !outcome.ok && outcome.remoteId ? protectedReason(ctx.protection, { remoteId: outcome.remoteId }) : null;
  if (reason) outcome = skip(recordProtected(ctx, reason), { ...protectedLink(reason, undefined), remoteId: outcome.remoteId }, outcome.remoteId);
  // The target's second key for the account (Drupal's uid), when a response carried one.
  const remoteKey = outcome.remoteId ? ctx.remoteKeys.get(outcome.remoteId) : undefined;
  if (remoteKey !== undefined && outcome.link) outcome.link.remoteKey = remoteKey;
  return outcome;
}

async function syncUserOnce(ctx: SyncContext, userId: string, preloaded?: Preloaded): Promise<SyncOutcome> {
  ctx.label = { operation: 'read', resourceType: 'User', resourceId: userId };
  const [row, link, inScope] = preloaded ? [preloaded.user, preloaded.link, preloaded.user?.inScope !== false] : await loadUser(ctx, userId);
  const prematched = preloaded?.prematched;
  const resource: JsonObject | null = row ? { id: row.id, ...(JSON.parse(row.data) as JsonObject) } : null;
  // Protected accounts are never written, whatever the directory says (protected.ts).
  if (link?.remoteId) {
    const userName = resource?.userName ?? readStoredPayload(link.payload).payload?.userName;
    const reason = protectedReason(ctx.protection, { userName, remoteId: link.remoteId, remoteKey: link.remoteKey ?? null });
    if (reason) return skip(recordProtected(ctx, reason), protectedLink(reason, userName), link.remoteId);
  }
  if (!resource) return removeRemote(ctx, link);
  if (!inScope) return leaveScope(ctx, link, resource);
  if (resource.active === false) return deactivate(ctx, link, resource);
  const phase = link?.remoteId ? 'update' : 'create';
  const { payload, cleared } = applyMapping(ctx.target.mapping, resource, phase);
  const hash = await payloadHash(payload);
  if (link?.remoteId && link.payloadHash === hash && link.remoteState !== 'deactivated') {
    step(ctx, { step: 'action', ok: true, detail: 'Unchanged since the last sync: nothing sent.' });
    return skip('unchanged', { state: 'in_sync', success: true }, link.remoteId);
  }
  if (link?.remoteId) {
    const updated = await update(ctx, link, payload, cleared, hash);
    if (updated.ok || updated.failure?.kind !== 'not_found') return updated;
    // The remote account is gone: forget the link and match again (reconcile).
    step(ctx, { step: 'read', ok: false, detail: 'The linked account no longer exists on the target; matching again.' });
  }
  // A batch match is stale once this user was linked or re-matched here: only use it unlinked.
  return matchOrCreate(ctx, resource, hash, link?.remoteId ? undefined : prematched, phase === 'create' ? payload : undefined);
}

/** `mapped`: the create-phase payload when the caller already mapped it (one mapping per user). */
async function matchOrCreate(ctx: SyncContext, resource: JsonObject, hash: string, prematched?: string | null, mapped?: JsonObject): Promise<SyncOutcome> {
  const payload = mapped ?? applyMapping(ctx.target.mapping, resource, 'create').payload;
  if (prematched !== undefined) step(ctx, { step: 'read', ok: true, detail: 'Looked up with the rest of the batch.' });
  const found = prematched !== undefined ? { remoteId: prematched, by: ctx.target.matching[0] } : await match(ctx, payload);
  if ('failure' in found) return failed('none', found.failure, null);
  if (found.remoteId) {
    // The account the relay logs in with (or one the admin listed) is linked, never written.
    const reason = protectedReason(ctx.protection, {
      userName: payload.userName,
      remoteId: found.remoteId,
      remoteKey: ctx.remoteKeys.get(found.remoteId) ?? null,
    });
    if (reason) return skip(recordProtected(ctx, reason), { ...protectedLink(reason, payload.userName), remoteId: found.remoteId }, found.remoteId);
    // Linked an account that already existed: bring it in line with the directory.
    step(ctx, { step: 'match', ok: true, detail: `Matched the existing account ${found.remoteId} by ${found.by}.` });
    const linked: LinkRow = {
      targetId: ctx.target.id,
      resourceType: 'User',
      resourceId: String(resource.id),
      remoteId: found.remoteId,
      state: 'pending',
      payloadHash: null,
      payload: null,
      remoteState: 'active',
    };
    const out = await update(ctx, linked, payload, [], hash);
    return out.ok ? { ...out, action: 'link', detail: `linked to ${found.remoteId} and updated` } : out;
  }
  step(ctx, { step: 'match', ok: true, detail: 'No matching account on the target.' });
  if (!ctx.operations.create) return skip('not on the target and Create is off', { state: 'never', success: false });
  const attrs = changedAttributes(undefined, payload);
  ctx.label.operation = 'create';
  if (ctx.dryRun) {
    recordDryRun(ctx, 'create', 'POST', '/Users', attrs);
    step(ctx, { step: 'action', ok: true, detail: 'Dry run: would create the account.' });
    return { action: 'create', ok: true, remoteId: null, attributesChanged: attrs, destructive: false, detail: 'dry run' };
  }
  const created = await ctx.client.createUser(payload);
  if (!created.ok && created.failure.kind === 'conflict') {
    // RFC 7644 §3.3: 409 means it exists after all — re-read and link (DESIGN.md).
    step(ctx, {
      step: 'action',
      ok: false,
      httpStatus: created.failure.status ?? 409,
      detail: 'The target says the account already exists; reading it again to link.',
    });
    const again = await match(ctx, payload);
    if ('failure' in again) return failed('create', again.failure, null);
    if (!again.remoteId)
      return failed(
        'create',
        { kind: 'rejected', status: 409, message: 'The target reports a conflict but no account matches the matching attributes.' },
        null,
      );
    const linked: LinkRow = {
      targetId: ctx.target.id,
      resourceType: 'User',
      resourceId: String(resource.id),
      remoteId: again.remoteId,
      state: 'pending',
      payloadHash: null,
      payload: null,
      remoteState: 'active',
    };
    const out = await update(ctx, linked, payload, [], hash);
    return out.ok ? { ...out, action: 'link' } : out;
  }
  if (!created.ok) return failed('create', created.failure, null);
  const remoteId = String((created.value as JsonObject).id ?? '');
  if (!remoteId) return failed('create', { kind: 'rejected', status: created.status, message: 'The target created the account but returned no id.' }, null);
  step(ctx, { step: 'action', ok: true, httpStatus: created.status, detail: `Created account ${remoteId}.` });
  return {
    action: 'create',
    ok: true,
    remoteId,
    attributesChanged: attrs,
    destructive: false,
    detail: 'created',
    link: {
      remoteId,
      state: 'in_sync',
      success: true,
      payloadHash: hash,
      payload: storedPayload(payload, usesEtags(ctx) ? versionOf(created) : undefined),
      remoteState: 'active',
      error: null,
    },
  };
}

/** The stored link is gone or absent: try each matching attribute in order. */
async function match(ctx: SyncContext, payload: JsonObject): Promise<{ remoteId: string | null; by?: string } | { failure: Failure }> {
  ctx.label.operation = 'match';
  for (const path of ctx.target.matching) {
    const value = getPath(payload, path);
    if (value === undefined || value === null || value === '') continue;
    const result = await ctx.client.findUsers(buildFilter(path, value));
    if (!result.ok) {
      step(ctx, { step: 'read', ok: false, detail: result.failure.message, ...(result.failure.status ? { httpStatus: result.failure.status } : {}) });
      return { failure: result.failure };
    }
    step(ctx, { step: 'read', ok: true, httpStatus: result.status, detail: `Looked up ${path} = ${String(value)}: ${result.value.length} found.` });
    // findUsers asks for two: two answers mean the match is ambiguous, and guessing could
    // take over someone else's account.
    if (result.value.length > 1) {
      return {
        failure: {
          kind: 'rejected',
          status: result.status,
          message: `More than one account on the target has ${path} = ${String(value)}; not linking either.`,
        },
      };
    }
    const first = result.value[0];
    if (first?.id) return { remoteId: String(first.id), by: path };
  }
  return { remoteId: null };
}

async function update(ctx: SyncContext, link: LinkRow, payload: JsonObject, cleared: string[], hash: string): Promise<SyncOutcome> {
  const remoteId = link.remoteId!;
  if (!ctx.operations.update) return skip('changed, but Update is off', { state: 'pending', success: false }, remoteId);
  const { payload: previous, version } = readStoredPayload(link.payload);
  const attrs = changedAttributes(previous, payload);
  const ops = toPatchOperations(previous, payload, cleared);
  const newLink: LinkUpdate = {
    remoteId,
    state: 'in_sync',
    success: true,
    payloadHash: hash,
    payload: storedPayload(payload, undefined),
    remoteState: 'active',
    error: null,
  };
  if (ops.length === 0) return { ...skip('no attribute differs', newLink, remoteId) };
  ctx.label.operation = 'update';
  if (ctx.dryRun) {
    recordDryRun(ctx, 'update', 'PATCH', `/Users/${remoteId}`, attrs);
    step(ctx, { step: 'action', ok: true, detail: `Dry run: would update ${attrs.join(', ')}.` });
    return { action: 'update', ok: true, remoteId, attributesChanged: attrs, destructive: false, detail: 'dry run' };
  }
  // PATCH where the target offers it, else PUT of the whole mapped payload.
  const usePatch = ctx.target.capabilities?.patch !== false;
  // If-Match at the version last seen where the target uses ETags (conditional-write.ts).
  const written = await writeAtVersion(ctx, remoteId, version, (ifMatch) =>
    usePatch
      ? ctx.client.patchUser(remoteId, ops, ifMatch ? { ifMatch } : undefined)
      : ctx.client.replaceUser(remoteId, payload, ifMatch ? { ifMatch } : undefined),
  );
  const result = written.result;
  if (!result.ok) return failed('update', result.failure, remoteId);
  step(ctx, { step: 'action', ok: true, httpStatus: result.status, detail: `Updated ${attrs.join(', ')}.` });
  return {
    action: 'update',
    ok: true,
    remoteId,
    attributesChanged: attrs,
    destructive: false,
    detail: 'updated',
    link: { ...newLink, payload: storedPayload(payload, written.version) },
  };
}

async function deactivate(ctx: SyncContext, link: LinkRow | null, resource: JsonObject): Promise<SyncOutcome> {
  if (!link?.remoteId) return skip('inactive and never provisioned', { state: 'never', success: false });
  if (link.remoteState === 'deactivated') return skip('already deactivated', { state: 'in_sync', success: true }, link.remoteId);
  if (!ctx.operations.deactivate) return skip('inactive here, but Deactivate is off', { state: 'pending', success: false }, link.remoteId);
  ctx.label.operation = 'deactivate';
  const outcome = { action: 'deactivate' as const, remoteId: link.remoteId, attributesChanged: ['active'], destructive: true };
  if (ctx.dryRun) {
    recordDryRun(ctx, 'deactivate', 'PATCH', `/Users/${link.remoteId}`, ['active']);
    return { ...outcome, ok: true, detail: 'dry run' };
  }
  const ops: PatchOp[] = [{ op: 'replace', path: 'active', value: false }];
  const usePatch = ctx.target.capabilities?.patch !== false;
  const { payload } = applyMapping(ctx.target.mapping, resource, 'update');
  const remoteId = link.remoteId;
  const written = await writeAtVersion(ctx, remoteId, readStoredPayload(link.payload).version, (ifMatch) =>
    usePatch
      ? ctx.client.patchUser(remoteId, ops, ifMatch ? { ifMatch } : undefined)
      : ctx.client.replaceUser(remoteId, { ...payload, active: false }, ifMatch ? { ifMatch } : undefined),
  );
  const result = written.result;
  // Deleted on the target meanwhile: an inactive user has nothing to deactivate there, and the link
  // forgets the account, so a reactivation matches and creates again (found by the convergence
  // property test: the row used to stay failed for good).
  if (!result.ok && result.failure.kind === 'not_found') {
    step(ctx, {
      step: 'action',
      ok: true,
      httpStatus: result.failure.status ?? 404,
      detail: 'The account is already gone from the target: nothing to deactivate.',
    });
    return skip('inactive here and gone from the target', {
      state: 'never',
      success: false,
      remoteId: null,
      remoteState: null,
      payload: null,
      payloadHash: null,
      error: null,
    });
  }
  if (!result.ok) return failed('deactivate', result.failure, link.remoteId);
  step(ctx, { step: 'action', ok: true, httpStatus: result.status, detail: 'Deactivated the account (active = false).' });
  const stored = { ...payload, active: false };
  return {
    ...outcome,
    ok: true,
    detail: 'deactivated',
    link: {
      state: 'in_sync',
      success: true,
      remoteState: 'deactivated',
      payload: storedPayload(stored, written.version),
      payloadHash: await payloadHash(stored),
      error: null,
    },
  };
}

export const OUT_OF_SCOPE = "out of the target's scope";

/**
 * The user is in the directory but not in the target's scope (issue #13): never created; an
 * account we created or linked is deleted where the mode allows it, else deactivated — the link
 * says `out_of_scope` either way, so chips show it as a state of its own.
 */
async function leaveScope(ctx: SyncContext, link: LinkRow | null, resource: JsonObject): Promise<SyncOutcome> {
  step(ctx, { step: 'read', ok: true, detail: `The user is ${OUT_OF_SCOPE}.` });
  if (!link?.remoteId || link.remoteState === 'deleted') return skip(OUT_OF_SCOPE, { state: 'out_of_scope', success: false });
  const out = ctx.operations.delete ? await removeRemote(ctx, link) : await deactivate(ctx, link, resource);
  if (out.ok && out.link) out.link.state = 'out_of_scope';
  else if (out.ok) out.link = { state: 'out_of_scope', success: true };
  return out;
}

/** The user is gone from the directory: delete or deactivate the account we created or linked. */
async function removeRemote(ctx: SyncContext, link: LinkRow | null): Promise<SyncOutcome> {
  if (!link?.remoteId || link.remoteState === 'deleted') return skip('deleted here and not on the target');
  const remoteId = link.remoteId;
  if (ctx.operations.delete) {
    ctx.label.operation = 'delete';
    if (ctx.dryRun) {
      recordDryRun(ctx, 'delete', 'DELETE', `/Users/${remoteId}`, []);
      return { action: 'delete', ok: true, remoteId, attributesChanged: [], destructive: true, detail: 'dry run' };
    }
    const result = await ctx.client.deleteUser(remoteId);
    // Already gone on the target is what we wanted.
    if (!result.ok && result.failure.kind !== 'not_found') return failed('delete', result.failure, remoteId);
    step(ctx, {
      step: 'action',
      ok: true,
      ...(result.ok ? { httpStatus: result.status } : {}),
      detail: (result.ok && result.detail) || 'Deleted the account.',
    });
    // The account is still there, blocked: the link says so, and the user keeps a status.
    if (result.ok && isBlockedInsteadOfDeleted(result.detail)) {
      return {
        action: 'delete',
        ok: true,
        blocked: true,
        remoteId,
        attributesChanged: ['active'],
        destructive: true,
        detail: "blocked instead of deleted (the site's cancel method)",
        link: { state: 'in_sync', success: true, remoteState: 'deactivated', error: null },
      };
    }
    return {
      action: 'delete',
      ok: true,
      remoteId,
      attributesChanged: [],
      destructive: true,
      detail: 'deleted',
      link: { state: 'in_sync', success: true, remoteState: 'deleted', error: null },
    };
  }
  if (ctx.operations.deactivate && link.remoteState !== 'deactivated') {
    ctx.label.operation = 'deactivate';
    if (ctx.dryRun) {
      recordDryRun(ctx, 'deactivate', 'PATCH', `/Users/${remoteId}`, ['active']);
      return { action: 'deactivate', ok: true, remoteId, attributesChanged: ['active'], destructive: true, detail: 'dry run' };
    }
    const result = await ctx.client.patchUser(remoteId, [{ op: 'replace', path: 'active', value: false } satisfies PatchOp]);
    if (!result.ok && result.failure.kind !== 'not_found') return failed('deactivate', result.failure, remoteId);
    return {
      action: 'deactivate',
      ok: true,
      remoteId,
      attributesChanged: ['active'],
      destructive: true,
      detail: 'deactivated (deleted here)',
      link: { state: 'in_sync', success: true, remoteState: 'deactivated', error: null },
    };
  }
  return skip('deleted here; Delete and Deactivate are off', { state: 'in_sync', success: true }, remoteId);
}
