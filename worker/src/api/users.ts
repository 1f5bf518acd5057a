/**
 * /api/v1/users: the directory as the extension sees it. Every user comes with its link state on
 * every target ('never' where there is no link yet), so a People page needs one call.
 */
import { Hono } from 'hono';
import type { Link } from '../../../shared/src/provisioning';
import { LOOKUP_KINDS, lookupKeyOf, lookupUsers, resolveSiteUids, searchUsers, type TargetRef, type UserRecord } from '../db/directory-views';
import { listAudit } from '../db/provisioning-queries';
import { selectTombstone, type Tombstone } from '../db/tombstones';
import { toAuditEvent } from './logs';
import { ROUTES } from './routes';
import { normalizeSiteUrl, type LookupHit, type LookupResponse, type UserSummary } from '../../../shared/src/api';
import type { ApiEnv } from './types';
import { notFound, validateJson, validateQuery } from './validate';
import { scopeStatuses, type ScopeStatuses } from '../provisioning/scope-status';

export const usersApp = new Hono<ApiEnv>();

const STATUS_EVENTS = 20;

/**
 * One link per target, in the targets' order; a target the user was never sent to reads 'never',
 * or 'out_of_scope' when the target's scope (or a "never" override) leaves the user out (issue #13).
 * A tombstone's links also say what the relay left on the target (`remoteState`).
 */
function linksOf(
  targets: readonly Pick<TargetRef, 'id' | 'name'>[],
  links: readonly (Omit<Link, 'targetName' | 'state' | 'remoteState'> & { state: Link['state']; remoteState?: string | null })[],
  scope?: { userId: string; statuses: ScopeStatuses },
): Link[] {
  const byTarget = new Map(links.map((l) => [l.targetId, l]));
  return targets.map((t) => {
    const l = byTarget.get(t.id);
    const state = l?.state ?? 'never';
    const out = scope !== undefined && state === 'never' && scope.statuses.isOutOfScope(t.id, scope.userId);
    return {
      targetId: t.id,
      targetName: t.name,
      state: out ? 'out_of_scope' : state,
      remoteId: l?.remoteId ?? null,
      lastAttemptAt: l?.lastAttemptAt ?? null,
      lastSuccessAt: l?.lastSuccessAt ?? null,
      nextAttemptAt: l?.nextAttemptAt ?? null,
      lastError: l?.lastError ?? null,
      drift: l?.drift ?? null,
      ...(l && 'remoteState' in l ? { remoteState: l.remoteState ?? null } : {}),
      ...(scope ? { override: scope.statuses.override(t.id, scope.userId) } : {}),
    };
  });
}

/** The user's links with its scope status on each target. */
const scopedLinks = (targets: readonly TargetRef[], user: UserRecord, statuses: ScopeStatuses) => linksOf(targets, user.links, { userId: user.id, statuses });

/** Targets as the API shows them: the stored scope stays inside. */
const publicTargets = (targets: readonly TargetRef[]) => targets.map(({ scope: _, ...t }) => t);

const summaryOf = ({ links: _, ...summary }: UserRecord): UserSummary => summary;

usersApp.get(ROUTES.searchUsers.path, validateQuery(ROUTES.searchUsers.query), async (c) => {
  const { targets, users } = await searchUsers(c.env.DB, c.req.valid('query'));
  const statuses = await scopeStatuses(
    c.env.DB,
    targets,
    users.map((u) => u.id),
  );
  return c.json({ items: users.map((u) => ({ ...summaryOf(u), links: scopedLinks(targets, u, statuses) })) });
});

usersApp.post(ROUTES.lookupUsers.path, validateJson(ROUTES.lookupUsers.body), async (c) => {
  const keys = c.req.valid('json');
  // Drupal pages show uids: resolved first through the site's sources and Drupal targets, so their
  // users are read with the page's other keys and their scope asked once, with everyone else's.
  const resolved = keys.site === undefined ? null : await resolveSiteUids(c.env.DB, keys.site, keys.uids ?? [], normalizeSiteUrl);
  const uidUsers = resolved ? [...new Set(resolved.userIds.values())] : [];
  const { targets, found } = await lookupUsers(c.env.DB, uidUsers.length > 0 ? { ...keys, ids: [...(keys.ids ?? []), ...uidUsers] } : keys);
  const statuses = await scopeStatuses(
    c.env.DB,
    targets,
    LOOKUP_KINDS.flatMap((k) => [...found[k].values()].map((u) => u.id)),
  );
  const hitOf = (user: UserRecord | undefined): LookupHit | null => (user ? { user: summaryOf(user), links: scopedLinks(targets, user, statuses) } : null);
  // fromEntries defines own properties, so a key like "__proto__" stays a key
  const hitsOf = (kind: (typeof LOOKUP_KINDS)[number]) =>
    Object.fromEntries((keys[kind] ?? []).map((key) => [key, hitOf(found[kind].get(lookupKeyOf(kind, key)))]));
  const body: LookupResponse = {
    targets: publicTargets(targets),
    userNames: hitsOf('userNames'),
    emails: hitsOf('emails'),
    externalIds: hitsOf('externalIds'),
    ids: hitsOf('ids'),
    uids: resolved ? Object.fromEntries((keys.uids ?? []).map((uid) => [uid, hitOf(found.ids.get(resolved.userIds.get(uid) ?? ''))])) : {},
    site: resolved ? { sources: resolved.sources, targets: resolved.targets } : { sources: [], targets: [] },
  };
  return c.json(body);
});

usersApp.get(ROUTES.userStatus.path, async (c) => {
  const id = c.req.param('id');
  const [{ targets, found }, events] = await Promise.all([lookupUsers(c.env.DB, { ids: [id] }), listAudit(c.env.DB, { resourceId: id, limit: STATUS_EVENTS })]);
  const user = found.ids.get(id);
  if (!user) {
    const tomb = await selectTombstone(c.env.DB, id);
    return tomb ? c.json(tombstoneStatus(id, tomb, events.items.map(toAuditEvent))) : notFound(c, 'The user');
  }
  const statuses = await scopeStatuses(c.env.DB, targets, [id]);
  return c.json({ user: summaryOf(user), links: scopedLinks(targets, user, statuses), events: events.items.map(toAuditEvent) });
});

/** A deleted user's status from what its links remember: the last payload sent names it. */
function tombstoneStatus(id: string, tomb: Tombstone, events: ReturnType<typeof toAuditEvent>[]) {
  const stored = tomb.links.map((l) => (l.payload ? (JSON.parse(l.payload) as Record<string, unknown>) : null)).find((p) => p?.userName);
  const user: UserSummary = {
    id,
    userName: String(stored?.userName ?? ''),
    displayName: typeof stored?.displayName === 'string' ? stored.displayName : null,
    active: false,
    emails: [],
    externalId: null,
  };
  // Every target of the tombstone reads its state, with what the relay left there.
  const links = linksOf(tomb.targets, tomb.links).map((l) => ({ ...l, remoteState: l.remoteState ?? null }));
  return { user, links, events, deleted: true };
}
