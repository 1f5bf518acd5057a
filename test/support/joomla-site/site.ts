/**
 * A fake Joomla 5.2 site's Web Services users API, built from the real captures in
 * test/fixtures/joomla-real (README there): `X-Joomla-Token` / Bearer tokens valid only for
 * the allowed groups (Super Users) and unblocked accounts without requireReset; the 406 for an
 * Accept header other than `application/vnd.api+json` or `*\/*`; JSON:API-shaped answers; a list
 * ordered by name with `page[limit]` / `page[offset]`, only `total-pages`, and a 404 past the
 * end; create answering 200, dropping unknown group ids and stripping username characters; PATCH
 * that must carry `groups`; block / unblock; every DELETE failure a bare 500.
 */
import { createHash } from 'node:crypto';
import type { CmsReply } from '../cms-site-types';
import type { JoomlaSeedUser, JoomlaSiteSettings, JoomlaSiteUser } from './types';

export const GROUPS: Record<number, { title: string; parent: number }> = {
  1: { title: 'Public', parent: 0 },
  9: { title: 'Guest', parent: 1 },
  2: { title: 'Registered', parent: 1 },
  3: { title: 'Author', parent: 2 },
  4: { title: 'Editor', parent: 3 },
  5: { title: 'Publisher', parent: 4 },
  6: { title: 'Manager', parent: 1 },
  7: { title: 'Administrator', parent: 6 },
  8: { title: 'Super Users', parent: 1 },
};
const SUPER_USERS = 8;

const MEDIA = 'application/vnd.api+json; charset=utf-8';
const errors = (status: number, title: string, code: boolean = true): CmsReply => ({
  status,
  headers: { 'content-type': MEDIA },
  body: { errors: [{ title, ...(code ? { code: status } : {}) }] },
});
const saveFailed = (why: string) => errors(400, `Save failed with the following error: ${why}`);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class JoomlaSite {
  users = new Map<number, JoomlaSiteUser>();
  nextId = 560;
  constructor(
    readonly id: string,
    readonly baseUrl: string,
    public settings: JoomlaSiteSettings,
  ) {}

  add(seed: JoomlaSeedUser): JoomlaSiteUser {
    const id = seed.id ?? this.nextId;
    this.nextId = Math.max(this.nextId, id + 1);
    const u: JoomlaSiteUser = {
      id,
      name: seed.name,
      username: seed.username,
      email: seed.email,
      groups: seed.groups ?? [2],
      block: seed.block ?? false,
      requireReset: seed.requireReset ?? false,
      token: null,
      registerDate: new Date().toISOString().slice(0, 19).replace('T', ' '),
    };
    // plg_user_token: base64("sha256:<id>:<hmac of a random seed>").
    if (seed.token) u.token = Buffer.from(`sha256:${id}:${createHash('sha256').update(`${this.id}-${id}-${Math.random()}`).digest('hex')}`).toString('base64');
    this.users.set(id, u);
    return u;
  }

  /** The token's account, where the token plugin lets it in (api/002-004, 088, 092). */
  viewer(headers: Record<string, string | string[] | undefined>): JoomlaSiteUser | undefined {
    if (!this.settings.tokenPlugin) return undefined;
    const auth = String(headers.authorization ?? '');
    const token = String(headers['x-joomla-token'] ?? (auth.startsWith('Bearer ') ? auth.slice(7) : ''));
    if (token === '') return undefined;
    const u = [...this.users.values()].find((x) => x.token === token);
    if (!u || u.block || u.requireReset || !u.groups.some((g) => this.settings.tokenGroups.includes(g))) return undefined;
    return u;
  }

  private attrs(u: JoomlaSiteUser, item: boolean): Record<string, unknown> {
    const common = {
      id: u.id,
      name: u.name,
      username: u.username,
      email: u.email,
      block: u.block ? 1 : 0,
      sendEmail: 0,
      registerDate: u.registerDate,
      lastvisitDate: null,
      lastResetTime: null,
      resetCount: 0,
    };
    // An item carries `groups` as an object map (api/062); a list row `group_count` and `group_names`.
    return item
      ? { groups: Object.fromEntries(u.groups.map((g) => [String(g), g])), ...common }
      : { ...common, group_count: u.groups.length, group_names: u.groups.map((g) => GROUPS[g]?.title ?? '').join('\n') };
  }
  private item(u: JoomlaSiteUser, self: string): CmsReply {
    return {
      status: 200,
      headers: { 'content-type': MEDIA },
      body: { links: { self }, data: { type: 'users', id: String(u.id), attributes: this.attrs(u, true) } },
    };
  }

  handle(method: string, route: string, q: URLSearchParams, body: unknown, viewer: JoomlaSiteUser | undefined): CmsReply {
    if (!viewer) return errors(401, 'Forbidden', false);
    if (route === '/v1/users/groups' && method === 'GET') {
      const data = Object.entries(GROUPS).map(([id, g]) => ({ type: 'groups', id, attributes: { id: Number(id), parent_id: g.parent, title: g.title } }));
      return { status: 200, headers: { 'content-type': MEDIA }, body: { links: { self: `${this.baseUrl}/api/index.php/v1/users/groups` }, data } };
    }
    if (!this.settings.usersPlugin && route.startsWith('/v1/users')) return errors(404, 'Resource not found');
    if (route === '/v1/users' && method === 'GET') return this.list(q);
    if (route === '/v1/users' && method === 'POST') return this.create(body);
    const item = /^\/v1\/users\/([^/]+)$/.exec(route);
    if (item) {
      const id = /^\d+$/.test(item[1]!) ? Number(item[1]) : NaN;
      if (method === 'GET') {
        const u = this.users.get(id);
        return u ? this.item(u, `${this.baseUrl}/api/index.php/v1/users/${id}`) : errors(404, 'Resource not found');
      }
      if (method === 'PATCH') return this.update(id, body, viewer);
      if (method === 'DELETE') {
        const u = this.users.get(id);
        // Every failure is the same bare 500 (api/096-098).
        if (!u || u.id === viewer.id) return errors(500, 'Internal server error');
        this.users.delete(id);
        return { status: 204 };
      }
    }
    return errors(404, 'Resource not found');
  }

  private list(q: URLSearchParams): CmsReply {
    let all = [...this.users.values()];
    const search = q.get('filter[search]');
    if (search) {
      if (search.startsWith('id:')) all = all.filter((u) => String(u.id) === search.slice(3));
      else if (search.startsWith('username:')) all = all.filter((u) => u.username.toLowerCase().includes(search.slice(9).toLowerCase()));
      else all = all.filter((u) => [u.name, u.username, u.email].some((v) => v.toLowerCase().includes(search.toLowerCase())));
    }
    const state = q.get('filter[state]');
    if (state === '0' || state === '1') all = all.filter((u) => u.block === (state === '1'));
    const group = q.get('filter[groupid]');
    if (group) all = all.filter((u) => u.groups.includes(Number(group)));
    // Fixed order by name (api/058-060): list[ordering] and friends are ignored.
    all.sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
    const limit = Number(q.get('page[limit]') ?? 20) || 20;
    const offset = Number(q.get('page[offset]') ?? 0);
    const pages = Math.ceil(all.length / limit);
    if (offset > 0 && offset >= all.length) return errors(404, 'Resource not found', false);
    const page = all.slice(offset, offset + limit);
    const link = (o: number) => `${this.baseUrl}/api/index.php/v1/users?page%5Blimit%5D=${limit}&page%5Boffset%5D=${o}`;
    const links: Record<string, string> = { self: link(offset) };
    if (pages > 1) {
      links.first = link(0);
      links.last = link((pages - 1) * limit);
      if (offset + limit < all.length) links.next = link(offset + limit);
      if (offset > 0) links.previous = link(Math.max(0, offset - limit));
    }
    return {
      status: 200,
      headers: { 'content-type': MEDIA },
      body: { links, data: page.map((u) => ({ type: 'users', id: String(u.id), attributes: this.attrs(u, false) })), meta: { 'total-pages': pages } },
    };
  }

  /** Joomla's username filter removes tag-like parts and `<>"'%&;()` without a word (api/034). */
  private static cleanUsername = (s: string) => s.replace(/<[^>]*>/g, '').replace(/[<>"'%&;()]/g, '');

  private checkUnique(id: number | null, username: string | undefined, email: string | undefined): CmsReply | undefined {
    const others = [...this.users.values()].filter((u) => u.id !== id);
    if (username !== undefined && others.some((u) => u.username.toLowerCase() === username.toLowerCase())) return saveFailed('Username in use.');
    if (email !== undefined && others.some((u) => u.email.toLowerCase() === email.toLowerCase()))
      return saveFailed('The email address you entered is already in use or invalid. Please enter another email address.');
    return undefined;
  }

  private create(raw: unknown): CmsReply {
    const body = (raw ?? {}) as Record<string, unknown>;
    const missing = [
      ['name', 'Name'],
      ['username', 'Login Name (Username)'],
      ['email', 'Email'],
    ]
      .filter(([k]) => typeof body[k!] !== 'string' || body[k!] === '')
      .map(([, label]) => `Field required: ${label}`);
    if (missing.length > 0) return errors(400, missing.join('\n'), false);
    if (!EMAIL.test(String(body.email))) return errors(400, 'The email address you entered is invalid. Please enter another email address.', false);
    if (body.password !== undefined && String(body.password).length < 12) return errors(400, 'Invalid field: Password', false);
    if (!Array.isArray(body.groups) || body.groups.length === 0) return saveFailed("You can't save a user account without selecting at least one user group.");
    const username = JoomlaSite.cleanUsername(String(body.username));
    const dup = this.checkUnique(null, username, String(body.email));
    if (dup) return dup;
    const u = this.add({
      name: String(body.name),
      username,
      email: String(body.email),
      groups: body.groups.map(Number).filter((g) => g in GROUPS),
      block: body.block === 1 || body.block === true || body.block === '1',
    });
    return this.item(u, `${this.baseUrl}/api/index.php/v1/users`);
  }

  private update(id: number, raw: unknown, viewer: JoomlaSiteUser): CmsReply {
    const body = (raw ?? {}) as Record<string, unknown>;
    const u = this.users.get(id);
    if (!u) {
      // A partial body fails validation before the row is looked up (api/078); a full one is a 404 (api/079).
      const missing = [
        ['username', 'Login Name (Username)'],
        ['email', 'Email'],
      ]
        .filter(([k]) => body[k!] === undefined)
        .map(([, l]) => `Field required: ${l}`);
      return missing.length > 0 ? errors(400, missing.join('\n'), false) : errors(404, 'Resource not found');
    }
    if (!Array.isArray(body.groups) || body.groups.length === 0) return saveFailed("You can't save a user account without selecting at least one user group.");
    if (body.email !== undefined && !EMAIL.test(String(body.email)))
      return errors(400, 'The email address you entered is invalid. Please enter another email address.', false);
    if (body.password !== undefined && body.password2 !== body.password)
      return errors(
        400,
        'The passwords you entered do not match. Please enter your desired password in the password field and confirm your entry by entering it in the confirm password field.',
        false,
      );
    const username = body.username === undefined ? undefined : JoomlaSite.cleanUsername(String(body.username));
    const dup = this.checkUnique(id, username, body.email === undefined ? undefined : String(body.email));
    if (dup) return dup;
    const block = body.block === undefined ? u.block : body.block === 1 || body.block === true || body.block === '1';
    if (id === viewer.id && block) return saveFailed("You can't block yourself.");
    const groups = body.groups.map(Number).filter((g) => g in GROUPS);
    if (id === viewer.id && u.groups.includes(SUPER_USERS) && !groups.includes(SUPER_USERS))
      return saveFailed("You can't remove your own Super User permissions.");
    if (typeof body.name === 'string') u.name = body.name;
    if (username !== undefined) u.username = username;
    if (typeof body.email === 'string') u.email = body.email;
    u.block = block;
    u.groups = groups;
    return this.item(u, `${this.baseUrl}/api/index.php/v1/users/${id}`);
  }
}
