/**
 * Drupal core JSON:API for `user--user` and `user_role--user_role`, as Drupal 10 answers: the
 * entry point, collections with filter/sort/page and `links.next`, individual resources, and
 * POST/PATCH/DELETE of users; field and entity access per permission model (see the fixtures
 * README §JSON:API); read-only mode; errors as JSON:API error documents.
 */
import { comparator, filterPaths, matches, parseFilter, parseNested, parsePage, parseSort, PROTECTED_FIELDS, QueryError } from './query';
import { now, type Site } from './site';
import type { PermissionModel, SiteUser } from './types';

export const JSONAPI = 'application/vnd.api+json';
const JSONAPI_VERSION = { version: '1.0', meta: { links: { self: { href: 'http://jsonapi.org/format/1.0/' } } } };

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON body, or a string sent verbatim */
  body?: unknown;
}

/**
 * Who the request is. `anonymous`: Drupal's anonymous user — no credentials, or Basic
 * credentials basic_auth did not accept (a wrong password, or flood control: BasicAuth::
 * authenticate() returns NULL for both and the request goes on as anonymous).
 */
export type Viewer = PermissionModel | 'anonymous';

/** The request as JSON:API sees it: who, their account's UUID, and whether credentials came along. */
export interface Caller {
  viewer: Viewer;
  /** `meta.links.me` of the entry point: the authenticated account's UUID */
  uuid?: string;
  /**
   * Credentials were sent (basic_auth "applies"): a 403 then stays a 403. Without credentials
   * AuthenticationSubscriber::onExceptionSendChallenge turns it into basic_auth's 401 challenge.
   */
  credentialed: boolean;
}

const TITLES: Record<number, [string, string]> = {
  400: ['Bad Request', '10.4.1'],
  401: ['Unauthorized', '10.4.2'],
  403: ['Forbidden', '10.4.4'],
  404: ['Not Found', '10.4.5'],
  405: ['Method Not Allowed', '10.4.6'],
  409: ['Conflict', '10.4.10'],
  415: ['Unsupported Media Type', '10.4.16'],
  422: ['Unprocessable Entity', '10.4.1'],
};

export function jsonapiError(status: number, detail: string, via: string, extra: Record<string, unknown> = {}): Reply {
  const [title, section] = TITLES[status] ?? ['Error', '10.5.1'];
  return {
    status,
    headers: { 'content-type': JSONAPI },
    body: {
      jsonapi: JSONAPI_VERSION,
      errors: [
        {
          title,
          status: String(status),
          detail,
          links: { via: { href: via }, info: { href: `http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec${section}` } },
          ...extra,
        },
      ],
    },
  };
}

const iso = (secs: number) => new Date(secs * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');

const isAdmin = (v: Viewer) => v === 'admin' || v === 'user-admin';

/** What this viewer may see of this user: all, the limited field set, the label, or nothing. */
function visibility(v: Viewer, u: SiteUser): 'full' | 'limited' | 'label' | 'none' {
  // uid 0: `view label` only, even for admins (UserTest::testCollectionContainsAnonymousUser).
  if (u.uid === 0 || v === 'anonymous') return 'label';
  if (isAdmin(v)) return 'full';
  return u.status ? 'limited' : 'none';
}

export class Api {
  private readonly site: Site;
  /** the site's base URL, e.g. http://127.0.0.1:4000/s/abc */
  private readonly base: string;

  constructor(site: Site, base: string) {
    this.site = site;
    this.base = base;
  }

  handle(method: string, path: string, url: URL, caller: Caller, raw: string, contentType: string | undefined): Reply {
    const { viewer } = caller;
    const via = `${this.base}${path}${url.search}`;
    const site = this.site;
    if (!site.settings.jsonapi || !(path === '/jsonapi' || path.startsWith('/jsonapi/'))) {
      return {
        status: 404,
        headers: { 'content-type': 'text/html; charset=UTF-8' },
        body: '<!DOCTYPE html><html><head><title>Page not found | Drupal</title></head><body><h1>Page not found</h1><p>The requested page could not be found.</p></body></html>',
      };
    }
    const write = method === 'POST' || method === 'PATCH' || method === 'DELETE';
    try {
      if (path === '/jsonapi' && method === 'GET') return this.entryPoint(caller);
      const item = /^\/jsonapi\/user\/user\/([0-9a-f-]{36})$/.exec(path);
      if (write && site.settings.readOnly && (path === '/jsonapi/user/user' || item)) {
        const href = `${this.base}/admin/config/services/jsonapi`;
        return jsonapiError(
          405,
          `JSON:API is configured to accept only read operations. Site administrators can configure this at <a href="${href}">${href}</a>.`,
          via,
        );
      }
      if (path === '/jsonapi/user/user') {
        if (method === 'GET') return this.collection(url, viewer, via);
        if (method === 'POST') return this.create(caller, raw, contentType, via);
      } else if (item) {
        const user = site.byUuid.get(item[1]!);
        if (!user)
          return jsonapiError(
            404,
            `The "user" parameter was not converted for the path "/jsonapi/user/user/{entity}" (route name: "jsonapi.user--user.individual")`,
            via,
          );
        if (method === 'GET') return this.individual(user, viewer, via);
        if (method === 'PATCH') return this.patch(user, caller, raw, contentType, via);
        if (method === 'DELETE') return this.remove(user, caller, via);
      } else if (path === '/jsonapi/user_role/user_role' && method === 'GET') {
        return this.roles(viewer);
      } else {
        return jsonapiError(404, `No route found for "${method} ${via}"`, via);
      }
      return {
        ...jsonapiError(405, `No route found for "${method} ${via}": Method Not Allowed (Allow: GET, POST)`, via),
        headers: { 'content-type': JSONAPI, allow: 'GET, POST' },
      };
    } catch (e) {
      if (e instanceof QueryError) return jsonapiError(e.status, e.message, via);
      throw e;
    }
  }

  /** jsonapi EntryPoint::index(): `meta.links.me` only when the request is authenticated. */
  private entryPoint(caller: Caller): Reply {
    const link = (p: string) => ({ href: `${this.base}/jsonapi/${p}` });
    const doc: Record<string, unknown> = {
      jsonapi: JSONAPI_VERSION,
      data: [],
      links: {
        'node--article': link('node/article'),
        'node--page': link('node/page'),
        self: { href: `${this.base}/jsonapi` },
        'user--user': link('user/user'),
        'user_role--user_role': link('user_role/user_role'),
      },
    };
    if (caller.viewer !== 'anonymous' && caller.uuid)
      doc.meta = { links: { me: { meta: { id: caller.uuid }, href: `${this.base}/jsonapi/user/user/${caller.uuid}` } } };
    return ok(doc);
  }

  resource(u: SiteUser, viewer: Viewer): Record<string, unknown> {
    const self = `${this.base}/jsonapi/user/user/${u.uuid}`;
    const vis = visibility(viewer, u);
    const out: Record<string, unknown> = { type: 'user--user', id: u.uuid, links: { self: { href: self } } };
    if (vis === 'label') {
      out.attributes = { display_name: u.uid === 0 ? 'Anonymous' : u.name };
      return out;
    }
    const attributes: Record<string, unknown> = { display_name: u.name, drupal_internal__uid: u.uid, langcode: 'en' };
    if (vis === 'full') {
      Object.assign(attributes, {
        preferred_langcode: 'en',
        preferred_admin_langcode: null,
        name: u.name,
        mail: u.mail,
        timezone: u.timezone,
        status: u.status,
        created: iso(u.created),
        changed: iso(u.changed),
        access: iso(u.access),
        login: iso(u.login),
        init: u.mail,
        default_langcode: true,
      });
    } else {
      Object.assign(attributes, { name: u.name, created: iso(u.created), changed: iso(u.changed), default_langcode: true });
    }
    out.attributes = attributes;
    const rel = (name: string) => ({ related: { href: `${self}/${name}` }, self: { href: `${self}/relationships/${name}` } });
    const relationships: Record<string, unknown> = {};
    // `roles` needs administer permissions even for user admins (UserAccessControlHandler).
    if (viewer === 'admin') {
      relationships.roles = {
        data: u.roles.map((r) => ({ type: 'user_role--user_role', id: this.site.roles.get(r)!.uuid, meta: { drupal_internal__target_id: r } })),
        links: rel('roles'),
      };
    }
    relationships.user_picture = { data: null, links: rel('user_picture') };
    out.relationships = relationships;
    return out;
  }

  private collection(url: URL, viewer: Viewer, via: string): Reply {
    const q = parseNested(url.searchParams);
    const filter = parseFilter(q.filter);
    for (const p of filterPaths(filter)) {
      if (viewer === 'user-admin' && p.startsWith('roles'))
        throw new QueryError(`The current user is not authorized to filter by the \`roles\` field, given in the path \`${p}\`.`, 403);
      if (viewer === 'limited' && PROTECTED_FIELDS.has(p))
        throw new QueryError(`The current user is not authorized to filter by the \`${p.split('.')[0]}\` field, given in the path \`${p}\`.`, 403);
      if (viewer === 'anonymous' && PROTECTED_FIELDS.has(p))
        throw new QueryError(`The current user is not authorized to filter by the \`${p.split('.')[0]}\` field, given in the path \`${p}\`.`, 403);
    }
    // TemporaryQueryGuard: a filtered query by someone without "access user profiles" gets
    // alwaysFalse() — an empty page, not an error (what a wrong password meets on a real site).
    if (viewer === 'anonymous' && filter.conditions.length > 0)
      return ok({ jsonapi: JSONAPI_VERSION, data: [], links: { self: { href: `${this.base}/jsonapi/user/user${url.search}` } } });
    const sort = parseSort(q.sort);
    const page = parsePage(q.page);
    const all = this.site.sorted(JSON.stringify(sort), comparator(sort));
    // One more than the page, as OffsetPage does, to know whether there is a next page.
    const want = page.offset + page.limit + 1;
    const hits: SiteUser[] = [];
    for (const u of all) {
      if (matches(u, filter)) hits.push(u);
      if (hits.length >= want) break;
    }
    const slice = hits.slice(page.offset, page.offset + page.limit);
    const data: unknown[] = [];
    const omitted: Record<string, unknown> = {};
    for (const u of slice) {
      if (visibility(viewer, u) === 'none') {
        omitted[`item--${u.uuid.replace(/-/g, '').slice(0, 7)}`] = {
          href: `${this.base}/jsonapi/user/user/${u.uuid}`,
          meta: {
            detail:
              "The current user is not allowed to GET the selected resource. The 'access user profiles' permission is required and the user must be active.",
            rel: 'item',
          },
        };
      } else data.push(this.resource(u, viewer));
    }
    const doc: Record<string, unknown> = { jsonapi: JSONAPI_VERSION, data };
    if (Object.keys(omitted).length > 0) {
      doc.meta = {
        omitted: {
          detail: 'Some resources have been omitted because of insufficient authorization.',
          links: { help: { href: 'https://www.drupal.org/docs/8/modules/json-api/filtering#filters-access-control' }, ...omitted },
        },
      };
    }
    const links: Record<string, unknown> = {};
    const pageUrl = (offset: number) => {
      const params = new URLSearchParams([...url.searchParams].filter(([k]) => !k.startsWith('page[')));
      params.append('page[offset]', String(offset));
      params.append('page[limit]', String(page.limit));
      return { href: `${this.base}/jsonapi/user/user?${params.toString()}` };
    };
    if (hits.length > page.offset + page.limit) links.next = pageUrl(page.offset + page.limit);
    if (page.offset > 0) {
      links.first = pageUrl(0);
      links.prev = pageUrl(Math.max(0, page.offset - page.limit));
    }
    // Symfony's Request::normalizeQueryString sorts the keys.
    const sorted = new URLSearchParams([...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    links.self = { href: `${this.base}/jsonapi/user/user${sorted.size > 0 ? `?${sorted.toString()}` : ''}` };
    doc.links = links;
    return ok(doc);
  }

  private individual(u: SiteUser, viewer: Viewer, via: string): Reply {
    if (visibility(viewer, u) === 'none') {
      return jsonapiError(
        403,
        "The current user is not allowed to GET the selected resource. The 'access user profiles' permission is required and the user must be active.",
        via,
        { source: { pointer: '/data' } },
      );
    }
    return ok({ jsonapi: JSONAPI_VERSION, data: this.resource(u, viewer), links: { self: { href: `${this.base}/jsonapi/user/user/${u.uuid}` } } });
  }

  private roles(viewer: Viewer): Reply {
    const data: unknown[] = [];
    const omitted: Record<string, unknown> = {};
    for (const r of this.site.roles.values()) {
      const self = `${this.base}/jsonapi/user_role/user_role/${r.uuid}`;
      if (viewer !== 'admin') {
        omitted[`item--${r.uuid.slice(0, 7)}`] = { href: self, meta: { detail: "The 'administer permissions' permission is required.", rel: 'item' } };
        continue;
      }
      data.push({
        type: 'user_role--user_role',
        id: r.uuid,
        links: { self: { href: self } },
        attributes: {
          langcode: 'en',
          status: true,
          dependencies: [],
          drupal_internal__id: r.id,
          label: r.label,
          weight: r.weight,
          is_admin: r.id === 'administrator' ? true : null,
          permissions: [],
        },
      });
    }
    const doc: Record<string, unknown> = { jsonapi: JSONAPI_VERSION, data, links: { self: { href: `${this.base}/jsonapi/user_role/user_role` } } };
    if (Object.keys(omitted).length > 0)
      doc.meta = { omitted: { detail: 'Some resources have been omitted because of insufficient authorization.', links: omitted } };
    return ok(doc);
  }

  /** Parses a write body; a Reply when it is not acceptable. */
  private document(
    raw: string,
    contentType: string | undefined,
    via: string,
    id?: string,
  ): { attributes: Record<string, unknown>; roles: string[] | undefined } | Reply {
    if (!contentType?.toLowerCase().startsWith(JSONAPI)) {
      return jsonapiError(415, `No route found that matches "Content-Type: ${contentType ?? ''}"`, via);
    }
    let doc: {
      data?: {
        type?: unknown;
        id?: unknown;
        attributes?: Record<string, unknown>;
        relationships?: Record<string, { data?: { type?: string; id?: string }[] }>;
      };
    };
    try {
      doc = JSON.parse(raw) as typeof doc;
    } catch {
      return jsonapiError(400, 'Syntax error', via);
    }
    if (!doc || typeof doc !== 'object' || !doc.data || typeof doc.data !== 'object') return jsonapiError(400, 'Missing `data`.', via);
    if (doc.data.type !== 'user--user')
      return jsonapiError(409, `The provided type (${String(doc.data.type)}) does not match the destination resource types (user--user).`, via);
    if (id !== undefined && doc.data.id !== id) return jsonapiError(422, 'The "id" in the request body must match the resource being updated.', via);
    const attributes = doc.data.attributes ?? {};
    const allowed = new Set(['name', 'mail', 'status', 'pass', 'timezone', 'preferred_langcode', 'langcode', 'init']);
    for (const k of Object.keys(attributes)) {
      if (!allowed.has(k)) return jsonapiError(422, `The attribute ${k} does not exist on the user--user resource type.`, via);
    }
    let roles: string[] | undefined;
    const rel = doc.data.relationships?.roles;
    if (rel !== undefined) {
      if (!Array.isArray(rel.data)) return jsonapiError(400, 'The relationship "roles" needs a list of resource identifiers in `data`.', via);
      roles = [];
      for (const ref of rel.data) {
        const role = [...this.site.roles.values()].find((r) => r.uuid === ref.id);
        if (ref.type !== 'user_role--user_role' || !role)
          return jsonapiError(
            404,
            `The resource identified by \`${String(ref.type)}:${String(ref.id)}\` (given as a relationship item) could not be found.`,
            via,
          );
        if (role.id !== 'authenticated' && role.id !== 'anonymous') roles.push(role.id);
      }
    }
    return { attributes, roles };
  }

  /** Entity validation as Drupal reports it: one 422 error per violation, with a JSON pointer. */
  private violations(attributes: Record<string, unknown>, via: string, except?: SiteUser): Reply | undefined {
    const errors: { detail: string; pointer: string }[] = [];
    const name = attributes.name;
    if (name !== undefined || !except) {
      if (typeof name !== 'string' || name.trim() === '') errors.push({ detail: 'name: You must enter a username.', pointer: '/data/attributes/name' });
      else if (name.length > 60) errors.push({ detail: 'name: The username cannot be longer than 60 characters.', pointer: '/data/attributes/name' });
      else if (this.site.nameTaken(name, except)) errors.push({ detail: `name: The username ${name} is already taken.`, pointer: '/data/attributes/name' });
    }
    const mail = attributes.mail;
    if (mail !== undefined && mail !== null) {
      if (typeof mail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(mail))
        errors.push({ detail: 'mail.0.value: This value is not a valid email address.', pointer: '/data/attributes/mail' });
      else if (this.site.mailTaken(mail, except))
        errors.push({ detail: `mail: The email address ${mail} is already taken.`, pointer: '/data/attributes/mail' });
    }
    if (attributes.status !== undefined && typeof attributes.status !== 'boolean')
      errors.push({ detail: 'status.0.value: This value should be of the correct primitive type.', pointer: '/data/attributes/status' });
    if (errors.length === 0) return undefined;
    const [title, section] = TITLES[422]!;
    return {
      status: 422,
      headers: { 'content-type': JSONAPI },
      body: {
        jsonapi: JSONAPI_VERSION,
        errors: errors.map((e) => ({
          title,
          status: '422',
          detail: e.detail,
          source: { pointer: e.pointer },
          links: { via: { href: via }, info: { href: `http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec${section}` } },
        })),
      },
    };
  }

  private forbidden(method: string, { viewer, credentialed }: Caller, via: string): Reply | undefined {
    if (viewer === 'anonymous' && !credentialed) return jsonapiError(401, 'No authentication credentials provided.', via);
    if (!isAdmin(viewer))
      return jsonapiError(403, `The current user is not allowed to ${method} the selected resource.`, via, { source: { pointer: '/data' } });
    return undefined;
  }

  private create(caller: Caller, raw: string, contentType: string | undefined, via: string): Reply {
    const { viewer } = caller;
    const denied = this.forbidden('POST', caller, via);
    if (denied) return denied;
    const parsed = this.document(raw, contentType, via);
    if ('status' in parsed) return parsed;
    if (parsed.roles !== undefined && viewer !== 'admin')
      return jsonapiError(
        403,
        "The current user is not allowed to POST the selected field (roles). The 'administer permissions' permission is required.",
        via,
        { source: { pointer: '/data/relationships/roles' } },
      );
    const bad = this.violations(parsed.attributes, via);
    if (bad) return bad;
    const a = parsed.attributes;
    const user = this.site.insert({
      name: a.name as string,
      mail: (a.mail as string | null | undefined) ?? null,
      status: (a.status as boolean | undefined) ?? false,
      roles: parsed.roles ?? [],
      timezone: (a.timezone as string | undefined) ?? 'UTC',
    });
    if (typeof a.pass === 'string') user.pass = a.pass;
    const self = `${this.base}/jsonapi/user/user/${user.uuid}`;
    return {
      status: 201,
      headers: { 'content-type': JSONAPI, location: self },
      body: { jsonapi: JSONAPI_VERSION, data: this.resource(user, viewer), links: { self: { href: self } } },
    };
  }

  private patch(user: SiteUser, caller: Caller, raw: string, contentType: string | undefined, via: string): Reply {
    const { viewer } = caller;
    const denied = this.forbidden('PATCH', caller, via);
    if (denied) return denied;
    const parsed = this.document(raw, contentType, via, user.uuid);
    if ('status' in parsed) return parsed;
    if (parsed.roles !== undefined && viewer !== 'admin')
      return jsonapiError(
        403,
        "The current user is not allowed to PATCH the selected field (roles). The 'administer permissions' permission is required.",
        via,
        { source: { pointer: '/data/relationships/roles' } },
      );
    const bad = this.violations(parsed.attributes, via, user);
    if (bad) return bad;
    const a = parsed.attributes;
    const patch: Partial<SiteUser> = {};
    if (typeof a.name === 'string') patch.name = a.name;
    if (a.mail !== undefined) patch.mail = a.mail as string | null;
    if (typeof a.status === 'boolean') patch.status = a.status;
    if (typeof a.timezone === 'string') patch.timezone = a.timezone;
    if (parsed.roles !== undefined) patch.roles = parsed.roles;
    this.site.update(user, patch);
    if (typeof a.pass === 'string') user.pass = a.pass;
    return ok({ jsonapi: JSONAPI_VERSION, data: this.resource(user, viewer), links: { self: { href: `${this.base}/jsonapi/user/user/${user.uuid}` } } });
  }

  /** DELETE follows user.settings:cancel_method: block (and unpublish) keeps the account blocked; reassign and delete remove it. */
  private remove(user: SiteUser, caller: Caller, via: string): Reply {
    const denied = this.forbidden('DELETE', caller, via);
    if (denied) return denied;
    if (user.uid === 0 || user.uid === 1) return jsonapiError(403, `The '${user.uid === 0 ? 'anonymous' : 'administrator'}' account cannot be deleted.`, via);
    const method = this.site.settings.cancelMethod;
    if (method === 'user_cancel_block' || method === 'user_cancel_block_unpublish')
      this.site.update(user, { status: false, changed: Math.max(now(), user.changed) });
    else this.site.remove(user);
    return { status: 204 };
  }
}

function ok(body: unknown): Reply {
  return { status: 200, headers: { 'content-type': JSONAPI }, body };
}
