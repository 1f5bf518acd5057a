/**
 * The Drupal connector: a Drupal site's core JSON:API presented to the engine as the same
 * `ScimClient` a SCIM target has (goauthentik's split: the engine is one, connectors are many).
 * The engine keeps matching, hashing, linking, retrying and auditing exactly as for SCIM; this
 * file only translates — filters to `filter[…]` queries (filter.ts), payloads and PatchOps to
 * `user--user` attributes (translate.ts), group membership to roles (roles.ts), JSON:API error
 * documents to the engine's failures (classify.ts).
 */
import type { DrupalTargetOptions } from '../../../../shared/src/drupal-target';
import type { JsonObject } from '../../scim/schema/normalize';
import type { ScimClient } from '../scim-client/client';
import { readAs, readNothing } from '../scim-client/readers';
import type { ScimResource, ServiceProviderConfig } from '../scim-client/schemas';
import type { ClientHooks, Result } from '../scim-client/types';
import { toJsonApiQuery, UnsupportedFilter } from './filter';
import { identified, type IdentifiedSend, type ShareScope } from './identity';
import { createRoleDirectory, missingRole } from './roles';
import { USER_TYPE, userCollectionSchema, userDocumentSchema, type DrupalUser } from './schemas';
import { patchToAttributes, toDrupalAttributes, toScimUser, type DrupalAttributes } from './translate';
import { createDrupalTransport, type DrupalConnection } from './transport';

/** Two results tell "one match" from "ambiguous" (as the SCIM client asks for). */
const MATCH_COUNT = 2;
/** Drupal clamps page[limit] at 50 (jsonapi OffsetPage::SIZE_MAX). */
const MAX_PAGE = 50;

/** What the engine learns instead of a ServiceProviderConfig: translated PATCH, no Bulk, no ETags. */
export const DRUPAL_CAPABILITIES: ServiceProviderConfig = {
  patch: { supported: true },
  bulk: { supported: false },
  filter: { supported: true },
  etag: { supported: false },
};

export interface DrupalConnectionInput extends Omit<DrupalConnection, 'options'> {
  options: DrupalTargetOptions;
}

/** `site`: the requests of a caller that asks who the relay is itself (Save and test), so it is asked once. */
export function createDrupalClient(
  conn: DrupalConnectionInput,
  hooks: ClientHooks = {},
  site: IdentifiedSend = identified(createDrupalTransport(conn, hooks), conn.options.auth, shareScope(conn)),
): ScimClient {
  // Every request after the site has named the account the relay logs in as (identity.ts).
  const send = site.send;
  const { fields, roleMap } = conn.options;
  const roles = createRoleDirectory(send);
  const item = (id: string) => `/user/user/${encodeURIComponent(id)}`;

  /** Every user read passes through here: to SCIM, and its uid to the links (remote_key). */
  const seen = (u: DrupalUser): ScimResource => {
    const uid = u.attributes.drupal_internal__uid;
    if (uid !== undefined) hooks.onRemoteKey?.(u.id, String(uid));
    return toScimUser(u, fields);
  };
  const readUser = readAs(userDocumentSchema, 'user--user document');
  const one = async (r: Promise<Result<{ data: DrupalUser }>>): Promise<Result<ScimResource>> => {
    const res = await r;
    return res.ok ? { ...res, value: seen(res.value.data) } : res;
  };
  const search = async (filter: string, limit: number): Promise<Result<ScimResource[]>> => {
    let query: string;
    try {
      query = toJsonApiQuery(filter, fields);
    } catch (e) {
      if (!(e instanceof UnsupportedFilter)) throw e;
      return { ok: false, failure: { kind: 'rejected', message: `The relay cannot look this up on a Drupal site: ${e.message}.` } };
    }
    const res = await send('GET', `/user/user?${query}&page[limit]=${Math.min(limit, MAX_PAGE)}`, readAs(userCollectionSchema, 'user--user collection'));
    // Label-only objects (the anonymous user, accounts the credentials may not see) have no name.
    return res.ok ? { ...res, value: res.value.data.filter((u) => typeof u.attributes.name === 'string' && u.attributes.name !== '').map(seen) } : res;
  };
  const write = (method: 'POST' | 'PATCH', id: string | undefined, attributes: DrupalAttributes) =>
    one(
      send(method, id ? item(id) : '/user/user', readUser, {
        body: { data: { type: USER_TYPE, ...(id ? { id } : {}), attributes } },
        creating: method === 'POST',
      }),
    );
  const notSupported = (what: string) => ({
    ok: false as const,
    failure: { kind: 'rejected' as const, message: `A Drupal site has no ${what} over JSON:API.` },
  });

  return {
    async serviceProviderConfig() {
      const res = await site.entryPoint();
      if (!res.ok) return res;
      if (!(USER_TYPE in res.value.links)) {
        return {
          ok: false,
          failure: {
            kind: 'fatal',
            status: res.status,
            message: 'JSON:API answers but does not offer user--user resources: the user resource may be disabled (JSON:API Extras).',
          },
        };
      }
      return { ...res, value: DRUPAL_CAPABILITIES };
    },
    findUsers: (filter) => search(filter, MATCH_COUNT),
    searchUsers: (filter, count) => search(filter, count),
    getUser: (id) => one(send('GET', item(id), readUser)),
    createUser: (body) => write('POST', undefined, toDrupalAttributes(body, fields)),
    replaceUser: (id, body) => write('PATCH', id, toDrupalAttributes(body, fields)),
    async patchUser(id, ops) {
      const attributes = patchToAttributes(ops, fields);
      // Nothing a Drupal user holds changed: no request.
      if (Object.keys(attributes).length === 0) return { ok: true, value: undefined, status: 204 };
      return write('PATCH', id, attributes);
    },
    async deleteUser(id) {
      const res = await send('DELETE', item(id), readNothing);
      if (!res.ok) return res;
      return { ...res, detail: await afterDelete(id) };
    },
    declineGroup: (displayName) =>
      roleMap[displayName] ? undefined : `The group "${displayName}" is not mapped to a Drupal role (options.roleMap): nothing to push.`,
    async findGroupByDisplayName(displayName) {
      const machine = roleMap[displayName];
      if (!machine) return { ok: true, value: [], status: 200 };
      const all = await roles.uuids();
      if (!all.ok) return all;
      return { ok: true, status: all.status, value: all.value.has(machine) ? [{ id: machine, displayName } as ScimResource] : [] };
    },
    // Reached only when the mapped role does not exist on the site: the relay never creates roles.
    createGroup: async (body: JsonObject) => ({ ok: false, failure: missingRole(roleMap[String(body.displayName)] ?? String(body.displayName)) }),
    patchGroup: (machineName, ops) => roles.applyMembership(machineName, ops),
    // A deleted directory group leaves the site's role alone: roles are the site's configuration.
    deleteGroup: async () => ({ ok: true, value: undefined, status: 204 }),
    bulk: async () => notSupported('Bulk'),
    // A role change costs a read and a write per member: 25 members, about 50 requests.
    membershipChunk: 25,
    // Relative to the JSON:API base, like the paths of the requests it records.
    requestPath: (scimPath) => scimPath.replace(/^\/Users(?=\/|$)/, '/user/user'),
  };

  /**
   * JSON:API's DELETE of a user follows the site's cancel method on current cores
   * (EntityResource::deleteIndividual calls user_cancel(), drupal.org issue #3228000): the
   * account may be deleted, or only blocked. The site does not publish the method over JSON:API,
   * so the relay reads the account back and says which happened.
   */
  async function afterDelete(id: string): Promise<string> {
    const res = await send('GET', item(id), readUser, { expectGone: true });
    if (!res.ok && res.failure.kind === 'not_found') return 'Deleted the account: the site removed it (its cancel method deletes accounts).';
    if (res.ok && res.value.data.attributes.status === false) {
      seen(res.value.data);
      return 'The site kept the account and blocked it: its cancel method ("When cancelling a user account" at admin/config/people/accounts) disables accounts instead of deleting them.';
    }
    return 'Sent the deletion; reading the account back did not show what the site did with it.';
  }
}

/** Clients of one engine run share its fetch, and so who the site says the relay is (identity.ts). */
function shareScope(conn: DrupalConnectionInput): ShareScope | undefined {
  return conn.fetch ? { fetch: conn.fetch, key: `${conn.baseUrl}\n${conn.options.jsonapiPath}\n${conn.options.auth}\n${conn.token}` } : undefined;
}
