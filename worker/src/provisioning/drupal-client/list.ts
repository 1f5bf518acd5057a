/**
 * Listing a Drupal site's accounts through core JSON:API, for reconcile: `GET /user/user` in
 * pages of 50 (jsonapi's OffsetPage::SIZE_MAX) sorted by uid, followed through `links.next`
 * (JSON:API §5.6 pagination links), each account as the SCIM user the engine compares plus its
 * role machine names (`relationships.roles`, readable with "Administer permissions"). Kept
 * beside the connector, not in it: the engine's writes never list.
 */
import type { DrupalTargetOptions } from '../../../../shared/src/drupal-target';
import { readAs } from '../scim-client/readers';
import type { ScimResource } from '../scim-client/schemas';
import type { ClientHooks, Result } from '../scim-client/types';
import { userCollectionSchema, userDocumentSchema, type DrupalUser } from './schemas';
import { toScimUser } from './translate';
import { createDrupalTransport, type DrupalConnection } from './transport';

/** Drupal clamps page[limit] at 50. */
export const DRUPAL_PAGE = 50;

export interface DrupalListedUser {
  resource: ScimResource;
  /** role machine names; null when the credentials cannot see the roles relationship */
  roles: string[] | null;
}

export interface DrupalListPage {
  users: DrupalListedUser[];
  /** the next page's path below the JSON:API base, or null on the last page */
  next: string | null;
}

export interface DrupalLister {
  /** `path`: a `next` from the previous page (it keeps the first page's limit), or null for the first page of `limit` */
  list(path: string | null, limit?: number): Promise<Result<DrupalListPage>>;
  /** one account by UUID: a `not_found` failure confirms it is gone */
  get(id: string): Promise<Result<DrupalListedUser>>;
}

export interface DrupalListConnection extends Omit<DrupalConnection, 'options'> {
  options: DrupalTargetOptions;
}

export const firstPage = (limit = DRUPAL_PAGE) => `/user/user?sort=drupal_internal__uid&page[limit]=${Math.min(limit, DRUPAL_PAGE)}`;

export function createDrupalLister(conn: DrupalListConnection, hooks: ClientHooks = {}): DrupalLister {
  const send = createDrupalTransport(conn, hooks);
  const base = conn.baseUrl.replace(/\/+$/, '') + conn.options.jsonapiPath;
  const listed = (u: DrupalUser): DrupalListedUser => {
    const roles = u.relationships?.roles?.data;
    return {
      resource: toScimUser(u, conn.options.fields),
      roles:
        roles === undefined || roles === null ? (u.relationships?.roles ? [] : null) : roles.map((r) => String(r.meta?.drupal_internal__target_id ?? r.id)),
    };
  };
  return {
    async list(path, limit) {
      const res = await send('GET', path ?? firstPage(limit), readAs(userCollectionSchema, 'user--user collection'));
      if (!res.ok) return res;
      // Label-only objects (the anonymous user) have no name: not an account to reconcile.
      const users = res.value.data.filter((u) => typeof u.attributes.name === 'string' && u.attributes.name !== '').map(listed);
      const href = (res.value as { links?: { next?: { href?: unknown } } }).links?.next?.href;
      let next: string | null = null;
      if (typeof href === 'string') {
        // The credentials go to the site only: a next link elsewhere ends the listing as a failure.
        if (!href.startsWith(`${base}/`))
          return {
            ok: false,
            failure: { kind: 'rejected', message: `links.next points outside the site's JSON:API (${new URL(href, base).origin}); not followed.` },
          };
        next = href.slice(base.length);
      }
      return { ...res, value: { users, next } };
    },
    async get(id) {
      const res = await send('GET', `/user/user/${encodeURIComponent(id)}`, readAs(userDocumentSchema, 'user--user document'), { expectGone: true });
      return res.ok ? { ...res, value: listed(res.value.data) } : res;
    },
  };
}
