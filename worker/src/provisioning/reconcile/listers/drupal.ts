/**
 * Reconcile's reader for a Drupal site: core JSON:API in pages of 50, each account with its
 * role machine names (../../drupal-client/list.ts). Memberships are those roles.
 */
import { drupalTargetOptionsSchema } from '../../../../../shared/src/drupal-target';
import { createDrupalLister, DRUPAL_PAGE } from '../../drupal-client';
import type { ListerInput, ObservedUser, TargetLister } from '../target-lister';

export function createDrupalTargetLister({ target, connection, hooks }: ListerInput): TargetLister {
  const lister = createDrupalLister({ ...connection, options: drupalTargetOptionsSchema.parse(target.options ?? {}) }, hooks);
  const observed = (u: { resource: ObservedUser['resource']; roles: string[] | null }): ObservedUser => ({
    remoteId: u.resource.id,
    resource: u.resource,
    roles: u.roles,
  });
  return {
    pageSize: async () => ({ ok: true, value: DRUPAL_PAGE, status: 200 }),
    async users(cursor, pageSize) {
      const res = await lister.list(cursor, pageSize);
      return res.ok ? { ...res, value: { items: res.value.users.map(observed), next: res.value.next } } : res;
    },
    async getUser(id) {
      const res = await lister.get(id);
      return res.ok ? { ...res, value: observed(res.value) } : res;
    },
  };
}
