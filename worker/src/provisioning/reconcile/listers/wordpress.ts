/**
 * Reconcile's reader for a WordPress site: every account in the edit context, a page at a time
 * by id (../../wordpress-client/list.ts: 100, per_page's maximum, or the fewer a Free
 * invocation's CPU compares), with its roles. An account without any role is what
 * deactivation leaves (WordPress has no disabled flag), so it reads as `active: false`; the
 * roles are the memberships of the groups the role map sends.
 */
import { wordpressTargetOptionsSchema } from '../../../../../shared/src/wordpress-target';
import { listWpUsers, WP_LIST_PAGE } from '../../wordpress-client/list';
import { readWpUser, userRoute } from '../../wordpress-client/roles';
import type { WpUser } from '../../wordpress-client/schemas';
import { toScimUser } from '../../wordpress-client/translate';
import { createWordpressTransport } from '../../wordpress-client/transport';
import type { ListerInput, ObservedUser, TargetLister } from '../target-lister';

const observed = (u: WpUser): ObservedUser => ({ remoteId: String(u.id), resource: toScimUser(u), roles: u.roles ?? null });

export function createWordpressTargetLister({ target, connection, hooks }: ListerInput): TargetLister {
  const send = createWordpressTransport({ ...connection, options: wordpressTargetOptionsSchema.parse(target.options ?? {}) }, hooks);
  return {
    pageSize: async () => ({ ok: true, value: WP_LIST_PAGE, status: 200 }),
    async users(cursor, pageSize) {
      const res = await listWpUsers(send, cursor ? Number(cursor) : 1, pageSize);
      if (!res.ok) return res;
      return { ...res, value: { items: res.value.users.map(observed), next: res.value.next === null ? null : String(res.value.next) } };
    },
    async getUser(id) {
      // 404 rest_user_invalid_id is the only not_found (classify.ts): a missing route is fatal, never "deleted".
      const res = await send('GET', userRoute(id), readWpUser, { query: 'context=edit', expectGone: true });
      return res.ok ? { ...res, value: observed(res.value) } : res;
    },
  };
}
