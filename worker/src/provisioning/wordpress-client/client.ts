/**
 * The WordPress connector: a site's core REST API (`/wp/v2/users`, Application Passwords)
 * presented to the engine as the same `ScimClient` a SCIM target has, so matching, links,
 * dry-run, plan, thresholds and audit work unchanged. What WordPress does differently
 * (fixtures/wordpress-real README) is handled here:
 * - no exact filter: matching searches one column and compares exactly (filter.ts);
 * - `username` cannot change: an update that would change it is refused with a reason;
 * - no disabled flag: deactivating removes every role (remembered for reactivation), revokes the
 *   account's Application Passwords and sets a random password (ending its browser sessions);
 * - delete needs `force=true` and `reassign` (options.reassign);
 * - protected accounts (the one the relay signs in as, user 1 unless options.allowUserOne) are the
 *   engine's to refuse (protected.ts); the login's account is reported when a read meets it, and
 *   refused before a write (refuseOwnAccount), as it may be linked under another userName.
 * - a batch match (many new users) lists the site once instead of searching each (site-index.ts).
 * The Batch API (25 requests, 207) is not used: the engine writes one account at a time.
 */
import type { WordpressTargetOptions } from '../../../../shared/src/wordpress-target';
import { memoryRoleMemory, type RoleMemory } from '../../db/remote-roles';
import type { JsonObject } from '../../scim/schema/normalize';
import type { Failure } from '../failure';
import { PROTECTED_REFUSAL } from '../protected';
import type { ScimClient } from '../scim-client/client';
import { readAs } from '../scim-client/readers';
import type { ScimResource, ServiceProviderConfig } from '../scim-client/schemas';
import type { ClientHooks, Result } from '../scim-client/types';
import { sameValue, toLookup, UnsupportedLookup } from './filter';
import { createSiteIndex } from './site-index';
import { listWpUsers } from './list';
import { listSiteRoles, memberChanges, readWpUser, setRole, userRoute } from './roles';
import { wpDeletedSchema, wpUserListSchema, type WpUser } from './schemas';
import { patchToWpFields, toScimUser, toWpFields, type WpFields } from './translate';
import { createWordpressTransport, type WordpressConnection, type WordpressSend } from './transport';

/** Up to 100 per page (per_page's maximum, api/36); a substring search rarely needs a second. */
const PER_PAGE = 100;
const MAX_PAGES = 5;

export const WORDPRESS_CAPABILITIES: ServiceProviderConfig = {
  patch: { supported: true },
  bulk: { supported: false },
  filter: { supported: true },
  etag: { supported: false },
};

export interface WordpressConnectionInput extends Omit<WordpressConnection, 'options'> {
  options: WordpressTargetOptions;
  /** where deactivation keeps the roles it removed (D1 in the engine, memory otherwise) */
  memory?: RoleMemory;
}

export interface WordpressClient extends ScimClient {
  /** the account the credentials sign in as (`/users/me?context=edit`) */
  me(): Promise<Result<WpUser>>;
  /** roles for the console's picker */
  listRoles(): Promise<Result<{ id: string; name: string }[]>>;
}

const ok = <T>(value: T, status = 200): Result<T> => ({ ok: true, value, status });
const rejected = (message: string): { ok: false; failure: Failure } => ({ ok: false, failure: { kind: 'rejected', message } });

/** A password nobody knows: 32 characters from 24 random bytes, never a backslash (api/26). */
export function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes));
}

export function createWordpressClient(conn: WordpressConnectionInput, hooks: ClientHooks = {}): WordpressClient {
  const send: WordpressSend = createWordpressTransport(conn, hooks);
  const memory = conn.memory ?? memoryRoleMemory();
  const { roleMap, defaultRole, reassign } = conn.options;
  const login = conn.token.split(':')[0]?.toLowerCase();
  const seen = (u: WpUser): ScimResource => {
    hooks.onRemoteKey?.(String(u.id), String(u.id));
    if (login && u.username?.toLowerCase() === login) hooks.onProtected?.(String(u.id), "the relay's own login on this site");
    return toScimUser(u);
  };

  let meCache: Promise<Result<WpUser>> | undefined;
  const me = () => {
    meCache ??= send('GET', '/wp/v2/users/me', readWpUser, { query: 'context=edit' }).then((r) => {
      if (!r.ok) meCache = undefined;
      return r;
    });
    return meCache;
  };

  /**
   * A second line of defence: the account the relay signs in as is known by id only from
   * /users/me (one read per run), and it may be linked under another directory userName, so the
   * engine (protected.ts) cannot always name it before a write. The engine reports the refusal
   * as outcome `protected`.
   */
  async function refuseOwnAccount(id: string): Promise<{ ok: false; failure: Failure } | undefined> {
    const self = await me();
    if (!self.ok) return self;
    if (String(self.value.id) !== id) return undefined;
    const why = "the relay's own login on this site";
    hooks.onProtected?.(id, why);
    return rejected(`${PROTECTED_REFUSAL} the relay never changes WordPress account ${id}: ${why}.`);
  }

  // A batch match reads the site's listing once instead of searching each value (site-index.ts).
  const index = createSiteIndex<WpUser>(async (cursor) => {
    const r = await listWpUsers(send, cursor ?? 1);
    if (!r.ok) return r;
    const accounts = r.value.users.map((u) => ({ username: u.username, email: u.email, account: u }));
    return { ...r, value: { accounts, next: r.value.next, pages: r.value.totalPages } };
  });

  async function search(filter: string, limit: number): Promise<Result<ScimResource[]>> {
    let lookup;
    try {
      lookup = toLookup(filter);
    } catch (e) {
      if (!(e instanceof UnsupportedLookup)) throw e;
      return rejected(`The relay cannot look this up on a WordPress site: ${e.message}.`);
    }
    const listed = await index.lookup(lookup);
    if (listed) return listed.ok ? ok(listed.value.map(seen)) : listed;
    const found: ScimResource[] = [];
    for (const value of lookup.values) {
      // No exact filter: search one column (WP 6.8+ search_columns), then compare exactly (api/42).
      for (let page = 1; page <= MAX_PAGES; page++) {
        const q = new URLSearchParams({ context: 'edit', search: value, 'search_columns[]': lookup.attribute, per_page: String(PER_PAGE), page: String(page) });
        let totalPages = 1;
        const res = await send(
          'GET',
          '/wp/v2/users',
          (raw) => {
            totalPages = Number(raw.headers.get('x-wp-totalpages') ?? '1') || 1;
            return readAs(wpUserListSchema, 'WordPress user list')(raw);
          },
          { query: q.toString() },
        );
        if (!res.ok) return res;
        for (const u of res.value) if (sameValue(lookup.attribute === 'email' ? u.email : u.username, value)) found.push(seen(u));
        if (page >= totalPages || found.length >= limit) break;
      }
      if (found.length >= limit) break;
    }
    return ok(found.slice(0, Math.max(limit, found.length)));
  }

  async function update(id: string, fields: WpFields): Promise<Result<ScimResource | undefined>> {
    const { active, ...rest } = fields;
    const refused = await refuseOwnAccount(id);
    if (refused) return refused;
    let last: ScimResource | undefined;
    let status = 200;
    if (rest.username !== undefined) {
      // WordPress refuses to change a login (api/67): unchanged, it is simply not sent.
      const current = await send('GET', userRoute(id), readWpUser, { query: 'context=edit' });
      if (!current.ok) return current;
      if (current.value.username !== rest.username) {
        return rejected(
          `WordPress cannot change a username: account ${id} is "${current.value.username}", the directory says "${rest.username}". Rename it on the site by hand, or map userName to a value that does not change.`,
        );
      }
      delete rest.username;
    }
    if (Object.keys(rest).length > 0) {
      const written = await send('POST', userRoute(id), readWpUser, { query: 'context=edit', body: rest });
      if (!written.ok) return written;
      last = seen(written.value);
      status = written.status;
    }
    if (active === false) return deactivate(id);
    if (active === true) return reactivate(id);
    return { ok: true, value: last, status };
  }

  /** No disabled flag (README "Deactivate"): no role, no Application Password, a password nobody knows. */
  async function deactivate(id: string): Promise<Result<ScimResource | undefined>> {
    const read = await send('GET', userRoute(id), readWpUser, { query: 'context=edit' });
    if (!read.ok) return read;
    const roles = read.value.roles ?? [];
    if (roles.length > 0) await memory.remember(id, roles);
    const stripped = await send('POST', userRoute(id), readWpUser, { query: 'context=edit', body: { roles: [], password: randomPassword() } });
    if (!stripped.ok) return stripped;
    const revoked = await send('DELETE', `${userRoute(id)}/application-passwords`, readAs(wpDeletedSchema, 'deletion'));
    if (!revoked.ok) return revoked;
    return {
      ok: true,
      value: seen(stripped.value),
      status: stripped.status,
      detail: `Removed the roles ${roles.length > 0 ? roles.join(', ') : '(none held)'}, revoked its Application Passwords and set a random password (WordPress has no disabled flag).`,
    };
  }

  async function reactivate(id: string): Promise<Result<ScimResource | undefined>> {
    const read = await send('GET', userRoute(id), readWpUser, { query: 'context=edit' });
    if (!read.ok) return read;
    if ((read.value.roles ?? []).length > 0) {
      await memory.forget(id);
      return { ok: true, value: seen(read.value), status: read.status };
    }
    const roles = (await memory.recall(id)) ?? [defaultRole];
    const written = await send('POST', userRoute(id), readWpUser, { query: 'context=edit', body: { roles } });
    if (!written.ok) return written;
    await memory.forget(id);
    return { ok: true, value: seen(written.value), status: written.status, detail: `Restored the roles ${roles.join(', ')}.` };
  }

  async function reassignTo(): Promise<Result<string>> {
    if (reassign === 'delete-content') return ok('false');
    if (typeof reassign === 'number') return ok(String(reassign));
    const self = await me();
    return self.ok ? ok(String(self.value.id)) : self;
  }

  return {
    me,
    listRoles: () => listSiteRoles(send),
    async serviceProviderConfig() {
      const self = await me();
      return self.ok ? ok(WORDPRESS_CAPABILITIES, self.status) : self;
    },
    findUsers: (filter) => search(filter, 2),
    searchUsers: (filter, count) => search(filter, count),
    async getUser(id) {
      const r = await send('GET', userRoute(id), readWpUser, { query: 'context=edit' });
      return r.ok ? { ...r, value: seen(r.value) } : r;
    },
    async createUser(body) {
      const { active, ...fields } = toWpFields(body);
      if (!fields.username || !fields.email)
        return rejected('WordPress needs a username and an email address to create an account: map userName and an email.');
      // The REST API requires a password (api/18); nobody learns this one: the person resets it.
      const created = await send('POST', '/wp/v2/users', readWpUser, {
        query: 'context=edit',
        body: { ...fields, password: randomPassword(), roles: active === false ? [] : [defaultRole] },
        creating: true,
      });
      if (!created.ok) return created;
      if (active === false) await memory.remember(String(created.value.id), [defaultRole]);
      return { ...created, value: seen(created.value) };
    },
    async replaceUser(id, body) {
      const r = await update(id, toWpFields(body));
      if (!r.ok) return r;
      if (r.value) return { ...r, value: r.value };
      const again = await send('GET', userRoute(id), readWpUser, { query: 'context=edit' });
      return again.ok ? { ...again, value: seen(again.value) } : again;
    },
    async patchUser(id, ops) {
      const fields = patchToWpFields(ops);
      // Nothing a WordPress user holds changed: no request.
      if (Object.keys(fields).length === 0) return ok(undefined, 204);
      return update(id, fields);
    },
    async deleteUser(id) {
      const refused = await refuseOwnAccount(id);
      if (refused) return refused;
      const to = await reassignTo();
      if (!to.ok) return to;
      // force=true: users have no trash (501 without it, api/86); reassign is required (api/87).
      const res = await send('DELETE', userRoute(id), readAs(wpDeletedSchema, 'deletion'), { query: `force=true&reassign=${to.value}` });
      if (!res.ok) return res;
      await memory.forget(id);
      return {
        ok: true,
        value: undefined,
        status: res.status,
        detail: to.value === 'false' ? 'Deleted the account and its posts.' : `Deleted the account; user ${to.value} now owns its posts.`,
      };
    },
    declineGroup: (displayName) =>
      roleMap[displayName] ? undefined : `The group "${displayName}" is not mapped to a WordPress role (options.roleMap): nothing to push.`,
    // WordPress publishes no roles over REST: a mapped role is taken at its word, and a role the
    // site does not have comes back as 400 rest_user_invalid_role on the first member.
    findGroupByDisplayName: async (displayName) => ok(roleMap[displayName] ? [{ id: roleMap[displayName], displayName } as ScimResource] : []),
    createGroup: async (body: JsonObject) =>
      rejected(`The group "${String(body.displayName)}" is not mapped to a WordPress role; the relay does not create roles.`),
    async patchGroup(role, ops) {
      for (const c of memberChanges(ops)) {
        // A protected member keeps its roles (protected.ts decides); the rest of the group is still pushed.
        if (hooks.protectedReason?.(c.user)) continue;
        const r = await setRole(send, memory, c.user, role, c.add);
        if (!r.ok && r.failure.kind !== 'not_found') return r;
      }
      return ok(undefined, 204);
    },
    // Roles are the site's configuration: a deleted directory group leaves them alone.
    deleteGroup: async () => ok(undefined, 204),
    bulk: async () => rejected('The relay does not use the WordPress Batch API: it writes one account at a time.'),
    // A role change is a read and a write per member.
    membershipChunk: 25,
    requestPath: (scimPath) => scimPath.replace(/^\/Users(?=\/|$)/, '/wp/v2/users'),
  };
}
