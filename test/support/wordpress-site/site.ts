/**
 * A fake WordPress 6.9 site's users REST API, built from the real captures in
 * test/fixtures/wordpress-real (README there): Application Passwords over Basic auth where a
 * wrong one silently makes the caller anonymous; `context=edit` for list_users holders only;
 * substring `search` with `search_columns[]`; X-WP-Total / X-WP-TotalPages; create with its
 * 500 `existing_user_login` / `existing_user_email`; partial updates where `roles` replaces the
 * set and `username` is not editable; delete with `force` and `reassign`; Application Password
 * routes. Errors are WordPress's `{code, message, data}`.
 */
import type { CmsReply } from '../cms-site-types';
import type { WpSeedUser, WpSiteSettings, WpSiteUser } from './types';

export const ROLE_CAPS: Record<string, string[]> = {
  administrator: ['read', 'list_users', 'create_users', 'edit_users', 'promote_users', 'delete_users', 'edit_posts', 'manage_options'],
  editor: ['read', 'edit_posts', 'edit_others_posts', 'publish_posts'],
  author: ['read', 'edit_posts', 'publish_posts'],
  contributor: ['read', 'edit_posts'],
  subscriber: ['read'],
};

const err = (status: number, code: string, message: string, data: Record<string, unknown> | null = { status }): CmsReply => ({
  status,
  body: { code, message, data },
});

/** sanitize_user( $login, true ): letters, digits, space, `_ . - @` only. */
const LOGIN = /^[A-Za-z0-9 _.\-@]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class WpSite {
  users = new Map<number, WpSiteUser>();
  nextId = 1;
  constructor(
    readonly id: string,
    readonly baseUrl: string,
    public settings: WpSiteSettings,
  ) {}

  add(seed: WpSeedUser): WpSiteUser {
    const id = seed.id ?? this.nextId;
    this.nextId = Math.max(this.nextId, id + 1);
    const u: WpSiteUser = {
      id,
      username: seed.username,
      email: seed.email,
      name: seed.name ?? seed.username,
      first_name: seed.first_name ?? '',
      last_name: seed.last_name ?? '',
      roles: seed.roles ?? ['subscriber'],
      password: seed.password ?? 'User-pass-123!',
      passwordChanges: 0,
      appPasswords: (seed.appPasswords ?? []).map((p, i) => ({
        uuid: `${id}-${i}-${Math.random().toString(36).slice(2, 10)}`,
        name: 'seed',
        password: p.replace(/\s+/g, ''),
      })),
      posts: seed.posts ?? 0,
      registered_date: new Date().toISOString().replace(/\.\d+Z$/, '+00:00'),
    };
    this.users.set(id, u);
    return u;
  }

  /** Application Passwords only (the account password is refused, api/07); anything wrong is anonymous (api/06). */
  viewer(authorization: string): WpSiteUser | undefined {
    if (!this.settings.appPasswords || !authorization.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const login = decoded.slice(0, colon).toLowerCase();
    const pass = decoded.slice(colon + 1).replace(/\s+/g, '');
    const user = [...this.users.values()].find((u) => u.username.toLowerCase() === login);
    return user?.appPasswords.some((a) => a.password === pass) ? user : undefined;
  }

  can = (u: WpSiteUser | undefined, cap: string) => !!u && u.roles.some((r) => ROLE_CAPS[r]?.includes(cap));

  view(u: WpSiteUser, edit: boolean): Record<string, unknown> {
    const base = {
      id: u.id,
      name: u.name,
      url: '',
      description: '',
      link: `${this.baseUrl}/author/${u.username.replace(/\./g, '-')}/`,
      slug: u.username.toLowerCase().replace(/[^a-z0-9_-]/g, '-'),
      avatar_urls: {},
      meta: { persisted_preferences: [] },
    };
    if (!edit) return base;
    const caps = Object.fromEntries(u.roles.flatMap((r) => ROLE_CAPS[r] ?? []).map((c) => [c, true]));
    return {
      ...base,
      username: u.username,
      first_name: u.first_name,
      last_name: u.last_name,
      email: u.email,
      locale: 'en_US',
      nickname: u.username,
      roles: [...u.roles],
      registered_date: u.registered_date,
      capabilities: caps,
      extra_capabilities: Object.fromEntries(u.roles.map((r) => [r, true])),
    };
  }

  index(): CmsReply {
    const authentication = this.settings.appPasswords
      ? { 'application-passwords': { endpoints: { authorization: `${this.baseUrl}/wp-admin/authorize-application.php` } } }
      : [];
    return {
      status: 200,
      body: { name: this.settings.title, url: this.baseUrl, home: this.baseUrl, namespaces: ['oembed/1.0', 'wp/v2', 'wp-site-health/v1'], authentication },
    };
  }

  /** One REST request; `route` is the part after /wp-json (or rest_route). */
  handle(method: string, route: string, q: URLSearchParams, body: Record<string, unknown>, viewer: WpSiteUser | undefined): CmsReply {
    if (route === '/' || route === '') return this.index();
    if (route === '/wp/v2/users' && method === 'GET') return this.list(q, viewer);
    if (route === '/wp/v2/users' && method === 'POST') return this.create(body, viewer);
    const me = /^\/wp\/v2\/users\/me$/.exec(route);
    if (me && method === 'GET') {
      if (!viewer) return err(401, 'rest_not_logged_in', 'You are not currently logged in.');
      return { status: 200, body: this.view(viewer, q.get('context') === 'edit') };
    }
    const pw = /^\/wp\/v2\/users\/(\d+)\/application-passwords$/.exec(route);
    if (pw) return this.appPasswords(method, Number(pw[1]), body, viewer);
    const item = /^\/wp\/v2\/users\/(\d+)$/.exec(route);
    if (item) {
      const id = Number(item[1]);
      if (method === 'GET') return this.get(id, q, viewer);
      if (method === 'POST' || method === 'PUT' || method === 'PATCH') return this.update(id, body, viewer);
      if (method === 'DELETE') return this.remove(id, q, body, viewer);
    }
    return err(404, 'rest_no_route', 'No route was found matching the URL and request method.');
  }

  private list(q: URLSearchParams, viewer: WpSiteUser | undefined): CmsReply {
    const edit = q.get('context') === 'edit';
    if (edit && !this.can(viewer, 'list_users')) return err(viewer ? 403 : 401, 'rest_forbidden_context', 'Sorry, you are not allowed to list users.');
    const perPage = Number(q.get('per_page') ?? 10);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100)
      return err(400, 'rest_invalid_param', 'Invalid parameter(s): per_page', {
        status: 400,
        params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' },
      });
    let all = [...this.users.values()];
    // Anonymous callers see only authors with published posts (api/04).
    if (!this.can(viewer, 'list_users')) all = all.filter((u) => u.posts > 0);
    const search = q.get('search');
    if (search) {
      const cols = q.getAll('search_columns[]');
      const columns = cols.length > 0 ? cols : ['id', 'username', 'slug', 'email', 'name'];
      const term = search.toLowerCase();
      const value = (u: WpSiteUser, c: string) =>
        (c === 'email'
          ? u.email
          : c === 'username'
            ? u.username
            : c === 'name'
              ? u.name
              : c === 'id'
                ? String(u.id)
                : u.username.replace(/\./g, '-')
        ).toLowerCase();
      all = all.filter((u) => columns.some((c) => (c !== 'email' || this.can(viewer, 'list_users')) && value(u, c).includes(term)));
    }
    const roles = q.get('roles');
    if (roles) all = all.filter((u) => roles.split(',').some((r) => u.roles.includes(r)));
    const include = q.get('include');
    if (include) all = all.filter((u) => include.split(',').map(Number).includes(u.id));
    // orderby: name by default (api/04), or id; order asc by default.
    all.sort(q.get('orderby') === 'id' ? (a, b) => a.id - b.id : (a, b) => a.name.localeCompare(b.name) || a.id - b.id);
    if (q.get('order') === 'desc') all.reverse();
    const total = all.length;
    const pages = Math.ceil(total / perPage);
    const offset = q.has('offset') ? Number(q.get('offset')) : (Number(q.get('page') ?? 1) - 1) * perPage;
    const page = all.slice(offset, offset + perPage);
    return { status: 200, headers: { 'X-WP-Total': String(total), 'X-WP-TotalPages': String(pages) }, body: page.map((u) => this.view(u, edit)) };
  }

  private get(id: number, q: URLSearchParams, viewer: WpSiteUser | undefined): CmsReply {
    const u = this.users.get(id);
    if (!u) return err(404, 'rest_user_invalid_id', 'Invalid user ID.');
    const edit = q.get('context') === 'edit';
    if (!viewer && u.posts === 0) return err(401, 'rest_user_cannot_view', 'Sorry, you are not allowed to list users.');
    if (edit && !(this.can(viewer, 'list_users') || viewer?.id === id))
      return err(viewer ? 403 : 401, 'rest_forbidden_context', 'Sorry, you are not allowed to edit this user.');
    return { status: 200, body: this.view(u, edit) };
  }

  private validate(body: Record<string, unknown>, viewer: WpSiteUser): CmsReply | undefined {
    if (body.email !== undefined && (typeof body.email !== 'string' || !EMAIL.test(body.email))) {
      return err(400, 'rest_invalid_param', 'Invalid parameter(s): email', {
        status: 400,
        params: { email: 'Invalid email address.' },
        details: { email: { code: 'rest_invalid_email', message: 'Invalid email address.', data: null } },
      });
    }
    if (typeof body.password === 'string' && body.password.includes('\\'))
      return err(400, 'rest_user_invalid_password', 'Passwords cannot contain the "\\" character.');
    if (body.roles !== undefined) {
      if (!Array.isArray(body.roles)) return err(400, 'rest_invalid_param', 'Invalid parameter(s): roles');
      for (const r of body.roles) {
        if (!(String(r) in ROLE_CAPS)) return err(400, 'rest_user_invalid_role', 'Sorry, you are not allowed to give users that role.');
      }
      if (!this.can(viewer, 'promote_users')) return err(403, 'rest_cannot_edit_roles', 'Sorry, you are not allowed to edit roles of this user.');
    }
    return undefined;
  }

  private create(body: Record<string, unknown>, viewer: WpSiteUser | undefined): CmsReply {
    if (!viewer || !this.can(viewer, 'create_users'))
      return err(viewer ? 403 : 401, 'rest_cannot_create_user', 'Sorry, you are not allowed to create new users.');
    const missing = ['username', 'email', 'password'].filter((k) => body[k] === undefined || body[k] === '');
    if (missing.length > 0) return err(400, 'rest_missing_callback_param', `Missing parameter(s): ${missing.join(', ')}`, { status: 400, params: missing });
    if (body.id !== undefined) return err(400, 'rest_user_exists', 'Cannot create existing user.');
    if (typeof body.username !== 'string' || !LOGIN.test(body.username)) {
      return err(400, 'rest_invalid_param', 'Invalid parameter(s): username', {
        status: 400,
        params: { username: 'This username is invalid because it uses illegal characters. Please enter a valid username.' },
        details: {
          username: {
            code: 'rest_user_invalid_username',
            message: 'This username is invalid because it uses illegal characters. Please enter a valid username.',
            data: null,
          },
        },
      });
    }
    const invalid = this.validate(body, viewer);
    if (invalid) return invalid;
    const all = [...this.users.values()];
    // wp_insert_user's WP_Errors have no status: REST answers 500 (api/20-22).
    if (all.some((u) => u.username.toLowerCase() === String(body.username).toLowerCase()))
      return err(500, 'existing_user_login', 'Sorry, that username already exists!', null);
    if (all.some((u) => u.email.toLowerCase() === String(body.email).toLowerCase()))
      return err(500, 'existing_user_email', 'Sorry, that email address is already used!', null);
    const u = this.add({
      username: String(body.username),
      email: String(body.email),
      password: String(body.password),
      ...(typeof body.name === 'string' ? { name: body.name } : {}),
      ...(typeof body.first_name === 'string' ? { first_name: body.first_name } : {}),
      ...(typeof body.last_name === 'string' ? { last_name: body.last_name } : {}),
      roles: Array.isArray(body.roles) ? body.roles.map(String) : ['subscriber'],
    });
    return { status: 201, headers: { Location: `${this.baseUrl}/wp-json/wp/v2/users/${u.id}` }, body: this.view(u, true) };
  }

  private update(id: number, body: Record<string, unknown>, viewer: WpSiteUser | undefined): CmsReply {
    const u = this.users.get(id);
    if (!u) return err(404, 'rest_user_invalid_id', 'Invalid user ID.');
    if (!viewer || !(this.can(viewer, 'edit_users') || viewer.id === id))
      return err(viewer ? 403 : 401, 'rest_cannot_edit', 'Sorry, you are not allowed to edit this user.');
    if (body.username !== undefined && body.username !== u.username) return err(400, 'rest_user_invalid_argument', 'Username is not editable.');
    const invalid = this.validate(body, viewer);
    if (invalid) return invalid;
    if (typeof body.email === 'string' && [...this.users.values()].some((o) => o.id !== id && o.email.toLowerCase() === String(body.email).toLowerCase()))
      return err(400, 'rest_user_invalid_email', 'Invalid email address.');
    if (Array.isArray(body.roles) && viewer.id === id && !body.roles.includes('administrator') && u.roles.includes('administrator')) {
      return err(403, 'rest_user_invalid_role', 'Sorry, you are not allowed to give users that role.');
    }
    for (const k of ['email', 'name', 'first_name', 'last_name'] as const) if (typeof body[k] === 'string') u[k] = body[k] as string;
    if (Array.isArray(body.roles)) u.roles = body.roles.map(String);
    if (typeof body.password === 'string') {
      u.password = body.password;
      u.passwordChanges++;
    }
    return { status: 200, body: this.view(u, true) };
  }

  private remove(id: number, q: URLSearchParams, body: Record<string, unknown>, viewer: WpSiteUser | undefined): CmsReply {
    if (!viewer || !this.can(viewer, 'delete_users'))
      return err(viewer ? 403 : 401, 'rest_user_cannot_delete', 'Sorry, you are not allowed to delete this user.');
    const force = q.get('force') ?? (body.force === undefined ? null : String(body.force));
    const reassign = q.get('reassign') ?? (body.reassign === undefined ? null : String(body.reassign));
    if (force !== 'true' && force !== '1') return err(501, 'rest_trash_not_supported', "Users do not support trashing. Set 'force' to true to delete.");
    if (reassign === null) return err(400, 'rest_missing_callback_param', 'Missing parameter(s): reassign', { status: 400, params: ['reassign'] });
    const u = this.users.get(id);
    if (!u) return err(404, 'rest_user_invalid_id', 'Invalid user ID.');
    const heir = reassign === 'false' || reassign === '' ? null : Number(reassign);
    if (heir !== null && (heir === id || !this.users.has(heir))) return err(400, 'rest_user_invalid_reassign', 'Invalid user ID for reassignment.');
    const previous = this.view(u, true);
    if (heir !== null) this.users.get(heir)!.posts += u.posts;
    this.users.delete(id);
    return { status: 200, body: { deleted: true, previous } };
  }

  private appPasswords(method: string, id: number, body: Record<string, unknown>, viewer: WpSiteUser | undefined): CmsReply {
    const u = this.users.get(id);
    if (!u) return err(404, 'rest_user_invalid_id', 'Invalid user ID.');
    if (!viewer || !(this.can(viewer, 'edit_users') || viewer.id === id))
      return err(viewer ? 403 : 401, 'rest_cannot_manage_application_passwords', 'Sorry, you are not allowed to manage application passwords for this user.');
    if (method === 'GET') return { status: 200, body: u.appPasswords.map((a) => ({ uuid: a.uuid, name: a.name })) };
    if (method === 'POST') {
      const password = Array.from({ length: 24 }, () => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[Math.floor(Math.random() * 62)]).join(
        '',
      );
      const entry = { uuid: crypto.randomUUID(), name: String(body.name ?? 'app'), password };
      u.appPasswords.push(entry);
      return { status: 201, body: { uuid: entry.uuid, name: entry.name, password: password.replace(/(.{4})(?!$)/g, '$1 ') } };
    }
    if (method === 'DELETE') {
      const count = u.appPasswords.length;
      u.appPasswords = [];
      return { status: 200, body: { deleted: true, count } };
    }
    return err(404, 'rest_no_route', 'No route was found matching the URL and request method.');
  }
}
