/**
 * The groups phase (pushGroups targets). A SCIM target's groups are listed with their members;
 * a CMS site's memberships are the roles (Joomla: groups) its accounts carried in the users phase. For each
 * linked group the members the target holds are compared with those the sync engine would push;
 * on drift, what the target holds becomes the pushed set (pushed_members), so the group sync
 * adds and removes exactly the difference. A linked SCIM group the listing did not return is
 * read by id, and a 404 forgets it so the sync engine creates it again.
 */
import {
  forgetRemoteStatements,
  linkedGroups,
  membershipStatement,
  replacePushedStatements,
  seenStatement,
  unseenLinks,
  type LinkedGroup,
} from '../../db/reconcile';
import { chargeCompared, comparableNow, hasBudget, recordDrift, type ReconcileContext } from './context';
import { memberValues } from './listers/scim';
import type { StepResult } from './verify-missing';
import { requestsLeft } from '../../limits/budget';

const VERIFY_PREFIX = 'verify:';

export async function observeGroups(ctx: ReconcileContext): Promise<StepResult> {
  const lister = ctx.lister;
  // A target without groups of its own (a CMS site) holds memberships as the roles its accounts carry.
  if (!lister.groups || !lister.getGroup) return observeRoles(ctx);
  const cursor = ctx.state.cursor ?? (ctx.state.listing === 'by-id' ? VERIFY_PREFIX : null);
  if (cursor?.startsWith(VERIFY_PREFIX)) return verifyMissingGroups(ctx, cursor.slice(VERIFY_PREFIX.length));
  const page = await lister.groups(cursor, ctx.state.pageSize ?? 100);
  if (!page.ok) return { stmts: [], done: false, failure: page.failure };
  ctx.state.counts.groups += page.value.items.length;
  chargeCompared(ctx, page.value.items.length);
  const stmts = [
    seenStatement(
      ctx.db,
      ctx.target.id,
      'Group',
      page.value.items.map((g) => ({ id: g.remoteId, roles: null })),
    ),
  ];
  const members = new Map(page.value.items.map((g) => [g.remoteId, g.memberRemoteIds]));
  const linked = await linkedGroups(ctx.db, ctx.target.id, [...members.keys()]);
  stmts.push(...(await compareMemberships(ctx, linked, (g) => ({ remoteIds: members.get(g.remoteId) ?? [] }), 'members')));
  ctx.state.cursor = page.value.next ?? VERIFY_PREFIX;
  return { stmts, done: false };
}

/** A CMS site: a mapped role's (Joomla: group's) holders among the accounts the users phase saw. */
async function observeRoles(ctx: ReconcileContext): Promise<StepResult> {
  // Credentials without "Administer permissions" do not see roles: nothing to compare.
  const hidden = await ctx.db
    .prepare("SELECT 1 AS x FROM reconcile_seen WHERE target_id = ? AND resource_type = 'User' AND roles IS NULL LIMIT 1")
    .bind(ctx.target.id)
    .first();
  if (hidden) return { stmts: [], done: true };
  const linked = await linkedGroups(ctx.db, ctx.target.id, null);
  return { stmts: await compareMemberships(ctx, linked, (g) => ({ role: g.remoteId }), 'roles'), done: true };
}

async function compareMemberships(
  ctx: ReconcileContext,
  groups: readonly LinkedGroup[],
  held: (g: LinkedGroup) => { remoteIds: readonly string[] } | { role: string },
  kind: 'members' | 'roles',
): Promise<D1PreparedStatement[]> {
  if (groups.length === 0) return [];
  const results = await ctx.db.batch<{ k: 'o' | 'w'; id: string; a: number }>(
    groups.map((g) => membershipStatement(ctx.db, ctx.target.id, g.groupPk, held(g))),
  );
  const stmts: D1PreparedStatement[] = [];
  groups.forEach((g, i) => {
    const rows = results[i]!.results;
    const ids = (k: 'o' | 'w', active: boolean) => rows.filter((r) => r.k === k && Boolean(r.a) === active).map((r) => r.id);
    const observed = new Set(ids('o', true));
    const wanted = new Set(ids('w', true));
    const missing = [...wanted].filter((id) => !observed.has(id)).length;
    const extra = [...observed].filter((id) => !wanted.has(id)).length;
    if (missing + extra === 0) return;
    if (recordDrift(ctx, 'Group', g.resourceId, kind, `${missing} missing, ${extra} not in the directory`)) {
      // Members deactivated in the directory were not compared: they stay as pushed (wanted), or as held.
      const kept = new Set([...observed, ...ids('o', false), ...ids('w', false)]);
      stmts.push(...replacePushedStatements(ctx.db, ctx.target.id, g.resourceId, [...kept]));
    }
  });
  return stmts;
}

async function verifyMissingGroups(ctx: ReconcileContext, after: string): Promise<StepResult> {
  const links = await unseenLinks(ctx.db, ctx.target.id, 'Group', after, comparableNow(ctx, Math.min(50, requestsLeft(ctx.budget))));
  const stmts: D1PreparedStatement[] = [];
  for (const link of links) {
    if (!hasBudget(ctx)) return { stmts, done: false };
    const read = await ctx.lister.getGroup!(link.remoteId);
    chargeCompared(ctx, 1);
    if (!read.ok && read.failure.kind !== 'not_found') return { stmts, done: false, failure: read.failure };
    if (!read.ok && recordDrift(ctx, 'Group', link.resourceId, 'groupDeleted', `remote group ${link.remoteId} is gone`)) {
      stmts.push(...forgetRemoteStatements(ctx.db, ctx.target.id, 'Group', link.resourceId));
    }
    // There after all (or read by id because the target does not list): compare its members.
    if (read.ok) {
      ctx.state.counts.groups++;
      const group = { resourceId: link.resourceId, remoteId: link.remoteId, groupPk: link.groupPk! };
      stmts.push(...(await compareMemberships(ctx, [group], () => ({ remoteIds: memberValues(read.value.members) }), 'members')));
    }
    ctx.state.cursor = VERIFY_PREFIX + link.resourceId;
  }
  return { stmts, done: links.length === 0 };
}
