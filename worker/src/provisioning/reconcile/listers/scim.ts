/**
 * Reconcile's reader for a SCIM target: Users paged with `count` up to the target's
 * filter.maxResults (at least 100 where it says nothing), asking only for the attributes the
 * mapping sends; Groups with their members.
 */
import type { MappingRule } from '../../../../../shared/src';
import { createScimClient, createScimLister } from '../../scim-client';
import type { ListerInput, TargetLister } from '../target-lister';

/** Default SCIM page where the target does not publish filter.maxResults; 1,000 at most. */
export const SCIM_DEFAULT_PAGE = 100;
export const SCIM_MAX_PAGE = 1000;
/**
 * Groups carry their members: smaller pages keep one response within reason (50 groups of up to
 * 2,000 members is a few MB; relay B dropped connections under pages of 100 such groups).
 */
export const SCIM_GROUP_PAGE = 50;

/** `emails[type eq "work"].value` → `emails`; `urn:…:User:manager.value` → `urn:…:User:manager`. */
export function topLevelAttribute(path: string): string {
  const urn = /^urn:/i.test(path) ? path.lastIndexOf(':') + 1 : 0;
  const rest = path.slice(urn);
  const cut = rest.search(/[.[]/);
  return path.slice(0, urn) + (cut < 0 ? rest : rest.slice(0, cut));
}

/** What the mapping sends (update phase and create-only alike), plus `active` and `meta`. */
export function listedAttributes(mapping: readonly MappingRule[]): string[] {
  return [...new Set([...mapping.map((r) => topLevelAttribute(r.target)), 'active', 'meta'])];
}

export function createScimTargetLister({ target, connection, hooks }: ListerInput): TargetLister {
  const lister = createScimLister(connection, hooks);
  const attributes = listedAttributes(target.mapping);
  return {
    async pageSize() {
      const spc = await createScimClient(connection, hooks).serviceProviderConfig();
      if (!spc.ok) return spc;
      const max = spc.value.filter?.maxResults;
      return { ...spc, value: Math.max(1, Math.min(SCIM_MAX_PAGE, max && max > 0 ? max : SCIM_DEFAULT_PAGE)) };
    },
    async users(cursor, pageSize) {
      const startIndex = cursor ? Number(cursor) : 1;
      const res = await lister.list('Users', { startIndex, count: pageSize, attributes });
      if (!res.ok) return res;
      const items = res.value.resources.map((r) => ({ remoteId: r.id, resource: r, roles: null }));
      return { ...res, value: { items, next: nextIndex(startIndex, pageSize, items.length, res.value.totalResults) } };
    },
    async getUser(id) {
      const res = await lister.get('Users', id);
      return res.ok ? { ...res, value: { remoteId: res.value.id, resource: res.value, roles: null } } : res;
    },
    async groups(cursor, pageSize) {
      const startIndex = cursor ? Number(cursor) : 1;
      const count = Math.min(pageSize, SCIM_GROUP_PAGE);
      const res = await lister.list('Groups', { startIndex, count, attributes: ['displayName', 'members'] });
      if (!res.ok) return res;
      const items = res.value.resources.map((g) => ({ remoteId: g.id, memberRemoteIds: memberValues(g.members) }));
      return { ...res, value: { items, next: nextIndex(startIndex, count, items.length, res.value.totalResults) } };
    },
    getGroup: (id) => lister.get('Groups', id),
  };
}

/**
 * RFC 7644 §3.4.2.4: the next page starts after what this one returned; the listing is complete
 * on an empty page, past totalResults, or (without a total) on a short page.
 */
function nextIndex(startIndex: number, count: number, returned: number, total: number | undefined): string | null {
  const next = startIndex + returned;
  if (returned === 0) return null;
  if (total !== undefined ? next > total : returned < count) return null;
  return String(next);
}

/** The `value`s of a SCIM group's `members` (RFC 7643 §4.2). */
export function memberValues(members: unknown): string[] {
  if (!Array.isArray(members)) return [];
  return members.flatMap((m) => (m && typeof m === 'object' && typeof (m as { value?: unknown }).value === 'string' ? [(m as { value: string }).value] : []));
}
