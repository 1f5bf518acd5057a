/**
 * The Joomla connector: a Joomla 4/5 site's core Web Services API (`/api/index.php/v1/users`, an
 * API token) presented to the engine as the same `ScimClient` a SCIM target has. What Joomla
 * does differently (fixtures/joomla-real README) is handled here:
 * - create answers 200 (not 201), and the API silently drops unknown group ids and strips
 *   forbidden username characters: every answer is compared with what was sent, and a
 *   difference is a rejection (a create that came out different is removed again);
 * - every PATCH carries `groups`, the account's full set, read first (without it Joomla refuses);
 * - deactivation is `block: 1`, reactivation `block: 0` (groups untouched);
 * - every DELETE failure is a bare 500: the account is read again to tell gone from refused;
 * - the list has no exact filter, no total and a fixed order by name: matching searches, pages
 *   by offset, de-duplicates by id and compares exactly;
 * - a batch match (many new users) lists the site once instead of searching each (site-index.ts);
 * - protected accounts: the token's own account always (protected.ts), Super Users unless
 *   options.allowSuperUsers (reported to the engine as they are read, refused before a write).
 */
import type { JoomlaTargetOptions } from '../../../../shared/src/joomla-target';
import type { JsonObject } from '../../scim/schema/normalize';
import type { Failure } from '../failure';
import { PROTECTED_REFUSAL } from '../protected';
import type { ScimClient } from '../scim-client/client';
import { readAs, readNothing } from '../scim-client/readers';
import type { ScimResource, ServiceProviderConfig } from '../scim-client/schemas';
import type { ClientHooks, Result } from '../scim-client/types';
import { sameValue, toLookup, UnsupportedLookup } from '../wordpress-client/filter';
import { createSiteIndex } from '../wordpress-client/site-index';
import { listJoomlaUsers } from './list';
import { memberChanges } from '../wordpress-client/roles';
import { groupIds, joomlaGroupCollectionSchema, joomlaUserCollectionSchema, joomlaUserDocumentSchema, type JoomlaUser } from './schemas';
import { patchToJoomlaFields, STRIPPED_USERNAME, toJoomlaFields, toScimUser, type JoomlaFields } from './translate';
import { createJoomlaTransport, tokenUserId, type JoomlaConnection, type JoomlaSend } from './transport';

/** `page[limit]` has no cap (api/042); 100 keeps a page small. A search past 10 pages is not a match. */
const PAGE = 100;
const MAX_PAGES = 10;

export const JOOMLA_CAPABILITIES: ServiceProviderConfig = {
  patch: { supported: true },
  bulk: { supported: false },
  filter: { supported: true },
  etag: { supported: false },
};

export interface JoomlaConnectionInput extends Omit<JoomlaConnection, 'options'> {
  options: JoomlaTargetOptions;
}

export interface JoomlaClient extends ScimClient {
  /** the site's user groups, for the console's picker and the role-map check */
  listGroups(): Promise<Result<{ id: string; name: string }[]>>;
  /** the account the token belongs to, read from the token itself */
  tokenUser(): string | undefined;
}

const ok = <T>(value: T, status = 200): Result<T> => ({ ok: true, value, status });
const rejected = (message: string): { ok: false; failure: Failure } => ({ ok: false, failure: { kind: 'rejected', message } });
const itemRoute = (id: string) => `/v1/users/${encodeURIComponent(id)}`;
const readItem = readAs(joomlaUserDocumentSchema, 'Joomla user document');

export function createJoomlaClient(conn: JoomlaConnectionInput, hooks: ClientHooks = {}): JoomlaClient {
  const send: JoomlaSend = createJoomlaTransport(conn, hooks);
  const { roleMap, defaultGroups, superUserGroups, allowSuperUsers } = conn.options;
  const self = tokenUserId(conn.token);
  const seen = (u: JoomlaUser): ScimResource => {
    hooks.onRemoteKey?.(u.id, u.id);
    superUserReason(u);
    return toScimUser(u);
  };
  const read = (id: string) => send('GET', itemRoute(id), readItem);

  let groupsCache: Promise<Result<{ id: string; name: string }[]>> | undefined;
  const listGroups = () => {
    groupsCache ??= send('GET', '/v1/users/groups', readAs(joomlaGroupCollectionSchema, 'Joomla group collection'), { query: 'page[limit]=500' }).then((r) => {
      if (!r.ok) groupsCache = undefined;
      return r.ok
        ? ok(
            r.value.data.map((g) => ({ id: String(g.attributes.id), name: g.attributes.title })),
            r.status,
          )
        : r;
    });
    return groupsCache;
  };

  /**
   * A Super User is protected unless options.allowSuperUsers (the token's own account is the
   * engine's to know: protected.ts). Which accounts are Super Users only a read tells, so every
   * read reports them to the engine, and the read before each write refuses one: an account may
   * have become a Super User since the engine linked it, and the engine writes linked accounts
   * without reading them first — this check is the only place that sees the account's groups.
   */
  function superUserReason(u: JoomlaUser): string | undefined {
    if (allowSuperUsers || !groupIds(u).some((g) => superUserGroups.includes(g))) return undefined;
    const why = 'a Super User on this site (allow it with options.allowSuperUsers)';
    hooks.onProtected?.(u.id, why);
    return why;
  }
  const protectedFailure = (u: JoomlaUser, why: string) => ({
    ok: false as const,
    failure: {
      kind: 'rejected',
      message: `${PROTECTED_REFUSAL} the relay never changes Joomla account ${u.id} (${u.attributes.username ?? ''}): ${why}.`,
    } as Failure,
  });

  /** What Joomla changed without a word: the answer compared with what was sent. */
  function silentChanges(sent: JoomlaFields & { groups?: number[] }, got: JoomlaUser): string[] {
    const diffs: string[] = [];
    if (sent.username !== undefined && got.attributes.username !== sent.username)
      diffs.push(`the username "${sent.username}" became "${got.attributes.username ?? ''}" (Joomla strips some characters)`);
    if (sent.email !== undefined && !sameValue(got.attributes.email, sent.email))
      diffs.push(`the email "${sent.email}" became "${got.attributes.email ?? ''}"`);
    if (sent.groups) {
      const kept = new Set(groupIds(got));
      const dropped = sent.groups.filter((g) => !kept.has(g));
      if (dropped.length > 0)
        diffs.push(`the group id(s) ${dropped.join(', ')} were dropped (the site has no such group: check options.roleMap / defaultGroups)`);
    }
    return diffs;
  }

  // A batch match reads the site's listing once instead of searching each value (site-index.ts).
  const index = createSiteIndex<JoomlaUser>(async (cursor) => {
    const r = await listJoomlaUsers(send, cursor ?? 0);
    if (!r.ok) return r;
    const accounts = r.value.users.map((u) => ({ username: u.attributes.username, email: u.attributes.email, account: u }));
    return { ...r, value: { accounts, next: r.value.next, pages: r.value.pages } };
  });

  async function search(filter: string, limit: number): Promise<Result<ScimResource[]>> {
    let lookup;
    try {
      lookup = toLookup(filter);
    } catch (e) {
      if (!(e instanceof UnsupportedLookup)) throw e;
      return rejected(`The relay cannot look this up on a Joomla site: ${e.message}.`);
    }
    const listed = await index.lookup(lookup);
    // An account listed twice (the order by name shifted under the listing) is one match.
    if (listed) return listed.ok ? ok([...new Map(listed.value.map((u) => [u.id, u])).values()].map(seen)) : listed;
    const found = new Map<string, ScimResource>();
    for (const value of lookup.values) {
      // `username:` narrows the LIKE to the login (api/049); an email is searched everywhere (api/045).
      const term = lookup.attribute === 'username' ? `username:${value}` : value;
      for (let page = 0; page < MAX_PAGES; page++) {
        const q = new URLSearchParams({ 'filter[search]': term, 'page[limit]': String(PAGE), 'page[offset]': String(page * PAGE) });
        const res = await send('GET', '/v1/users', readAs(joomlaUserCollectionSchema, 'Joomla user collection'), { query: q.toString(), expectGone: page > 0 });
        // An offset past the end is a 404 (api/041): the previous page was the last.
        if (!res.ok && page > 0 && res.failure.kind === 'not_found') break;
        if (!res.ok) return res;
        for (const u of res.value.data)
          if (sameValue(lookup.attribute === 'email' ? u.attributes.email : u.attributes.username, value)) found.set(u.id, seen(u));
        if (res.value.data.length < PAGE || !res.value.links?.next) break;
      }
      if (found.size >= limit) break;
    }
    return ok([...found.values()]);
  }

  /** Reads the account, refuses a protected one, and PATCHes with its full set of groups. */
  async function write(id: string, fields: JoomlaFields, groupsOf: (current: number[]) => number[] = (c) => c): Promise<Result<ScimResource | undefined>> {
    if (fields.username !== undefined && STRIPPED_USERNAME.test(fields.username))
      return rejected(`Joomla strips the characters < > " ' % & ; ( ) from a username: "${fields.username}" cannot be sent as it is.`);
    const current = await read(id);
    if (!current.ok) return current;
    const why = hooks.protectedReason?.(id) ?? superUserReason(current.value.data);
    if (why) return protectedFailure(current.value.data, why);
    const now = groupIds(current.value.data);
    let groups = groupsOf(now);
    // Joomla refuses an account without a group: one left with none gets the default groups.
    if (groups.length === 0) groups = defaultGroups;
    const unchanged = Object.entries(fields).every(
      ([k, v]) =>
        (current.value.data.attributes as Record<string, unknown>)[k] === v || (k === 'block' && Boolean(current.value.data.attributes.block) === Boolean(v)),
    );
    if (unchanged && groups.length === now.length && groups.every((g) => now.includes(g))) return ok(seen(current.value.data), current.status);
    const body = { ...fields, groups };
    const written = await send('PATCH', itemRoute(id), readItem, { body });
    if (!written.ok) return written;
    const diffs = silentChanges(body, written.value.data);
    if (diffs.length > 0) return rejected(`The Joomla site saved account ${id} differently from what the relay sent: ${diffs.join('; ')}.`);
    const detail =
      fields.block === 1
        ? 'Blocked the account (block = 1).'
        : fields.block === 0 && current.value.data.attributes.block
          ? 'Unblocked the account (block = 0).'
          : undefined;
    return { ok: true, value: seen(written.value.data), status: written.status, ...(detail ? { detail } : {}) };
  }

  async function setGroup(user: string, group: number, add: boolean): Promise<Result<unknown>> {
    const r = await write(user, {}, (now) => (add ? (now.includes(group) ? now : [...now, group]) : now.filter((g) => g !== group)));
    // A protected member keeps its groups; the rest of the group is still pushed.
    if (!r.ok && r.failure.message.startsWith(PROTECTED_REFUSAL)) return ok(undefined);
    return r;
  }

  return {
    listGroups,
    tokenUser: () => self,
    async serviceProviderConfig() {
      const r = await send('GET', '/v1/users', readAs(joomlaUserCollectionSchema, 'Joomla user collection'), { query: 'page[limit]=1', discovery: true });
      return r.ok ? ok(JOOMLA_CAPABILITIES, r.status) : r;
    },
    findUsers: (filter) => search(filter, 2),
    searchUsers: (filter, count) => search(filter, count),
    async getUser(id) {
      const r = await read(id);
      return r.ok ? { ...r, value: seen(r.value.data) } : r;
    },
    async createUser(body) {
      const fields = toJoomlaFields(body);
      if (!fields.username || !fields.email) return rejected('Joomla needs a username and an email address to create an account: map userName and an email.');
      if (STRIPPED_USERNAME.test(fields.username))
        return rejected(`Joomla strips the characters < > " ' % & ; ( ) from a username: "${fields.username}" cannot be created as it is.`);
      // No password: Joomla generates one nobody knows (api/020); the person resets it.
      const sent = { name: fields.name ?? fields.username, username: fields.username, email: fields.email, block: fields.block ?? 0, groups: defaultGroups };
      const created = await send('POST', '/v1/users', readItem, { body: sent, creating: true });
      if (!created.ok) return created;
      const u = created.value.data;
      const diffs = silentChanges(sent, u);
      if (diffs.length > 0) {
        // Not the account the directory describes: take it away again rather than link it.
        await send('DELETE', itemRoute(u.id), readNothing, { deleting: true });
        return rejected(`The Joomla site created the account differently from what the relay sent, so the relay removed it again: ${diffs.join('; ')}.`);
      }
      return { ...created, status: created.status, value: seen(u) };
    },
    async replaceUser(id, body) {
      const r = await write(id, toJoomlaFields(body));
      if (!r.ok) return r;
      if (r.value) return { ...r, value: r.value };
      return this.getUser(id);
    },
    async patchUser(id, ops) {
      const fields = patchToJoomlaFields(ops);
      if (Object.keys(fields).length === 0) return ok(undefined, 204);
      return write(id, fields);
    },
    async deleteUser(id) {
      const current = await read(id);
      if (!current.ok) return current;
      const why = hooks.protectedReason?.(id) ?? superUserReason(current.value.data);
      if (why) return protectedFailure(current.value.data, why);
      const res = await send('DELETE', itemRoute(id), readNothing, { deleting: true });
      if (res.ok) return { ...res, detail: 'Deleted the account.' };
      // A bare 500 says nothing (api/096-098): gone after all is what was asked.
      const again = await send('GET', itemRoute(id), readItem, { expectGone: true });
      if (!again.ok && again.failure.kind === 'not_found')
        return { ok: false, failure: { kind: 'not_found', status: 404, message: 'The account was already gone from the Joomla site.' } };
      return res;
    },
    declineGroup: (displayName) =>
      roleMap[displayName] ? undefined : `The group "${displayName}" is not mapped to a Joomla user group (options.roleMap): nothing to push.`,
    async findGroupByDisplayName(displayName) {
      const gid = roleMap[displayName];
      if (!gid) return ok([]);
      const all = await listGroups();
      if (!all.ok) return all;
      return ok(all.value.some((g) => g.id === String(gid)) ? [{ id: String(gid), displayName } as ScimResource] : [], all.status);
    },
    // Reached only when the mapped group does not exist on the site: the relay never creates groups.
    createGroup: async (body: JsonObject) =>
      rejected(
        `The Joomla site has no user group ${roleMap[String(body.displayName)] ?? ''} for "${String(body.displayName)}": create it on the site (Users → Groups) or correct options.roleMap. The relay does not create groups.`,
      ),
    async patchGroup(gid, ops) {
      for (const c of memberChanges(ops)) {
        const r = await setGroup(c.user, Number(gid), c.add);
        if (!r.ok && r.failure.kind !== 'not_found') return r;
      }
      return ok(undefined, 204);
    },
    deleteGroup: async () => ok(undefined, 204),
    bulk: async () => rejected('A Joomla site has no Bulk operation.'),
    membershipChunk: 25,
    requestPath: (scimPath) => scimPath.replace(/^\/Users(?=\/|$)/, '/v1/users'),
  };
}
