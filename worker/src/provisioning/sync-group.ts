/**
 * Group push: create (or match by displayName) the group on the target, then send membership as
 * PATCH add / remove of the members that changed since the last push — never a full replace of
 * a large group. Members are sent by their remote ids. Memberships converge (issue #9): a
 * member not yet on the target whose own row is still queued (a user created in the same run or
 * pass) keeps the group's row pending, retried shortly, until every member is linked or settled
 * without a link (Create off, inactive, failed for good).
 */
import { membersOf } from '../directory/memberships';
import { loadResource } from '../directory/reads';
import { loadLink, remoteIdsOf } from '../db/links';
import { usersStillQueued } from '../db/outbox';
import { pushedMemberDelta, savePushedMembers } from '../db/pushed-members';
import type { SyncContext } from './sync-context';
import { OUT_OF_SCOPE, type SyncOutcome } from './sync-user';
import { isGroupInScope, usersInScope } from '../db/scope';
import { groupScopeCondition } from './scope';

import type { JsonObject } from '../scim/schema/normalize';
import type { PatchOp } from './scim-client';
const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_CHUNK = 500;
/** requests after which a chunked membership push stops and continues at the row's next claim */
const GROUP_ROW_REQUESTS = 60;

export async function syncGroup(ctx: SyncContext, groupId: string): Promise<SyncOutcome> {
  ctx.label = { operation: 'read', resourceType: 'Group', resourceId: groupId };
  const [row, link] = await Promise.all([loadResource(ctx.db, 'Group', groupId), loadLink(ctx.db, ctx.target.id, 'Group', groupId)]);
  const base = { remoteId: link?.remoteId ?? null, attributesChanged: [] as string[], destructive: false };
  if (!row) {
    if (!link?.remoteId || !ctx.operations.delete) return { ...base, action: 'skip', ok: true, detail: 'group deleted here' };
    ctx.label.operation = 'delete';
    const result = ctx.dryRun ? null : await ctx.client.deleteGroup(link.remoteId);
    if (result && !result.ok && result.failure.kind !== 'not_found')
      return { ...base, action: 'delete', ok: false, failure: result.failure, detail: result.failure.message, destructive: true };
    return {
      ...base,
      action: 'delete',
      ok: true,
      destructive: true,
      detail: 'group deleted',
      link: { state: 'in_sync', success: true, remoteState: 'deleted' },
    };
  }
  // A group scope pushes only its groups (issue #13); other scopes push every group, members filtered below.
  const groupScope = groupScopeCondition(ctx.target.scope, 'groups.pk');
  if (groupScope && !(await isGroupInScope(ctx.db, groupScope, row.pk))) return { ...base, action: 'skip', ok: true, detail: OUT_OF_SCOPE };
  const data = JSON.parse(row.data) as JsonObject;
  const displayName = String(data.displayName ?? '');
  const declined = ctx.client.declineGroup?.(displayName);
  if (declined) return { ...base, action: 'skip', ok: true, detail: declined };
  let remoteId = link?.remoteId ?? null;
  let action: SyncOutcome['action'] = 'update';
  if (!remoteId) {
    ctx.label.operation = 'match';
    const found = await ctx.client.findGroupByDisplayName(displayName);
    if (!found.ok) return { ...base, action: 'none', ok: false, failure: found.failure, detail: found.failure.message };
    remoteId = found.value[0]?.id ? String(found.value[0].id) : null;
    action = remoteId ? 'link' : 'create';
    if (!remoteId) {
      if (!ctx.operations.create) return { ...base, action: 'skip', ok: true, detail: 'not on the target and Create is off' };
      if (ctx.dryRun) return { ...base, action: 'create', ok: true, detail: 'dry run' };
      ctx.label.operation = 'create';
      const created = await ctx.client.createGroup({ schemas: [GROUP_URN], displayName, externalId: row.id });
      if (!created.ok) return { ...base, action: 'create', ok: false, failure: created.failure, detail: created.failure.message };
      remoteId = String((created.value as JsonObject).id);
    }
  }
  // Membership: the difference between what the directory has and what we last pushed.
  const direct = (await membersOf(ctx.db, row.pk)).filter((m) => m.type === 'User').map((m) => m.id);
  // Only members in the target's scope: an out-of-scope member is not on the target (or deactivated there).
  const inScope = await usersInScope(ctx.db, ctx.scope, direct);
  const members = direct.filter((id) => inScope.has(id));
  const remote = await remoteIdsOf(ctx.db, ctx.target.id, members);
  const wanted = members.filter((id) => remote.has(id));
  const unlinked = members.filter((id) => !remote.has(id));
  const waiting = unlinked.length > 0 ? await usersStillQueued(ctx.db, ctx.target.id, unlinked) : new Set<string>();
  const { add, remove } = await pushedMemberDelta(ctx.db, ctx.target.id, groupId, wanted);
  const removeRemote = remove.map((r) => r.remoteId);
  ctx.label.operation = 'update';
  // A connector that changes membership one account at a time (Drupal roles) names its chunk;
  // its row then stops after about GROUP_ROW_REQUESTS requests and continues at the next claim,
  // keeping a large group within a Worker invocation's subrequests. Progress is saved per chunk.
  const chunk = ctx.client.membershipChunk ?? PATCH_CHUNK;
  let done = 0;
  const total = Math.max(add.length, removeRemote.length);
  if (!ctx.dryRun) {
    for (let i = 0; i < total; i += chunk) {
      if (ctx.client.membershipChunk !== undefined && i > 0 && ctx.requests >= GROUP_ROW_REQUESTS) break;
      const ops: PatchOp[] = [
        ...(add.length > i ? [{ op: 'add' as const, path: 'members', value: add.slice(i, i + chunk).map((id) => ({ value: remote.get(id)! })) }] : []),
        ...removeRemote.slice(i, i + chunk).map((rid) => ({ op: 'remove' as const, path: `members[value eq ${JSON.stringify(rid)}]` })),
      ];
      if (ops.length > 0) {
        const result = await ctx.client.patchGroup(remoteId, ops);
        if (!result.ok) return { ...base, remoteId, action, ok: false, failure: result.failure, detail: result.failure.message };
      }
      await savePushedMembers(
        ctx.db,
        ctx.target.id,
        groupId,
        add.slice(i, i + chunk),
        remove.slice(i, i + chunk).map((r) => r.memberId),
      );
      done = Math.min(total, i + chunk);
    }
  }
  const linked = { remoteId, state: 'in_sync' as const, success: true, remoteState: 'active', error: null };
  if (!ctx.dryRun && done < total) {
    return {
      ...base,
      remoteId,
      action,
      ok: true,
      continues: true,
      attributesChanged: ['members'],
      detail: `membership pushed in part (${done} of ${total} changes); the rest follows`,
      link: linked,
    };
  }
  const changed = add.length + remove.length > 0 ? ['members'] : [];
  const detail = `${add.length} member(s) added, ${remove.length} removed`;
  if (waiting.size > 0) {
    // What could be sent was; the rest follows once those members exist on the target.
    const reason = `Waiting for ${waiting.size} member(s) still queued for this target; ${detail} so far.`;
    return { ...base, remoteId, action, ok: true, attributesChanged: changed, detail: reason, deferred: reason, link: { ...linked, state: 'pending' } };
  }
  return { ...base, remoteId, action, ok: true, attributesChanged: changed, detail, link: linked };
}
