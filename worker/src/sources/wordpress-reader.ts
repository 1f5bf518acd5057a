/**
 * Reads user accounts from a WordPress site's core REST API (`/wp-json/wp/v2/users`) with an
 * Application Password (test/fixtures/wordpress-real/README.md, the API as observed).
 *
 * - Full reads only: a user has no modified date in the REST API (`registered_date` only), so
 *   there is nothing to be incremental from; every run lists everyone (`context=edit`, 100 a
 *   page, the maximum `per_page`), ordered by id so a page boundary moves only on deletions.
 * - A wrong Application Password is no error: WordPress runs the request as anonymous, and a
 *   plain `GET /users` answers 200 with public authors (README "Authentication"). A run therefore
 *   asks `GET /users/me?context=edit` first, and lists with `context=edit`, which anonymous is
 *   refused (401 `rest_forbidden_context`) — never a silent partial listing.
 * - No disabled flag: a user without roles is how WordPress sites "deactivate" (README
 *   "Deactivate"), so no roles = inactive; the roles are the user's groups.
 * - `X-WP-Total` / `X-WP-TotalPages` tell where the listing ends; a page shorter than promised
 *   before the last is a listing cut short (transient: nothing is deactivated).
 */
import { APP_PASSWORDS_HELP } from '../provisioning/wordpress-client/classify';
import type { Recheck } from './drupal-reader';
import type { SourceHttp } from './http';
import { SourceError, type RemotePage, type RemoteUser } from './remote';
import { parseRemote, wpUserListSchema, wpUserSchema, type WpUserResource } from './remote-schemas';

export const WP_JSON = 'application/json';
export const WP_PAGE_SIZE = 100;

export const wpUsersUrl = (baseUrl: string) => `${baseUrl}/wp-json/wp/v2/users`;

/** Page `page` (1-based) of everyone, by id, with the fields the import reads. */
export function wpListUrl(baseUrl: string, page = 1, pageSize = WP_PAGE_SIZE): string {
  const q = new URLSearchParams({ context: 'edit', per_page: String(pageSize), page: String(page), orderby: 'id', order: 'asc' });
  return `${wpUsersUrl(baseUrl)}?${q.toString()}`;
}

export function wpToRemote(u: WpUserResource): RemoteUser | null {
  // `username` and `roles` are edit-context fields: without them the caller saw the public view
  if (typeof u.username !== 'string' || !Array.isArray(u.roles)) return null;
  return {
    remoteId: String(u.id),
    uid: String(u.id),
    name: u.username,
    email: typeof u.email === 'string' && u.email !== '' ? u.email : u.email === undefined ? undefined : null,
    // WordPress core has no disabled flag: removing every role is the deactivation (README "Deactivate")
    active: u.roles.length > 0,
    roles: u.roles,
    changed: null,
  };
}

const code = (body: unknown) => {
  const c = (body as { code?: unknown } | undefined)?.code;
  return typeof c === 'string' ? c : '';
};
const message = (body: unknown) => {
  const m = (body as { message?: unknown } | undefined)?.message;
  if (typeof m !== 'string') return '';
  const plain = m
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 300 ? `${plain.slice(0, 297)}…` : plain;
};

export const WP_SIGNED_OUT = `WordPress did not sign the relay in: the request ran as an anonymous visitor, which is what WordPress does with a wrong or revoked Application Password, an account password (refused over the REST API), or any credentials where Application Passwords are unavailable. ${APP_PASSWORDS_HELP}`;

/** A non-2xx answer in words: what happened and what to fix. Errors are `{code, message, data}`. */
export function wordpressFailure(status: number, body: unknown, url: string): SourceError {
  const c = code(body);
  const said = message(body) ? ` WordPress said: "${message(body)}"${c ? ` (${c})` : ''}` : '';
  const path = new URL(url).pathname;
  if (status === 401) return new SourceError(`${WP_SIGNED_OUT}${said}`, status, true);
  if (status === 403)
    return new SourceError(
      `The account may not list users with their email and roles (403): it needs the "list_users" capability, i.e. the Administrator role.${said}`,
      status,
      true,
    );
  if (status === 404 && c === 'rest_no_route') return new SourceError(`WordPress has no route ${path} (404): check the base URL.${said}`, status, true);
  if (status === 404)
    return new SourceError(
      `Nothing at ${path} (404): is the base URL the site's address, with pretty permalinks on (the REST API is at /wp-json)?`,
      status,
      true,
    );
  if (status === 429) return new SourceError(`WordPress is rate-limiting the relay (429); the import continues at the next cron.${said}`, status, false);
  return new SourceError(`WordPress answered ${status} for ${path}.${said}`, status, status >= 400 && status < 500 && status !== 408);
}

const header = (h: Headers, name: string): number | null => {
  const v = h.get(name);
  return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : null;
};

export async function readWordpressPage(http: SourceHttp, url: string): Promise<RemotePage> {
  const res = await http.get(url, WP_JSON);
  if (res.status !== 200) throw wordpressFailure(res.status, res.body, url);
  const total = header(res.headers, 'x-wp-total');
  const pages = header(res.headers, 'x-wp-totalpages');
  if (!Array.isArray(res.body) || total === null || pages === null) {
    throw new SourceError(
      `The answer to ${new URL(url).pathname} is not a WordPress user listing (no array, or no X-WP-Total / X-WP-TotalPages): cut short, or not WordPress.`,
      res.status,
      false,
    );
  }
  const list = parseRemote(wpUserListSchema, res.body, url, res.status);
  const users: RemoteUser[] = [];
  let hidden = 0;
  for (const r of list) {
    const u = wpToRemote(r);
    if (u) users.push(u);
    else hidden++;
  }
  const page = Number(new URL(url).searchParams.get('page') ?? 1);
  const perPage = Number(new URL(url).searchParams.get('per_page') ?? WP_PAGE_SIZE);
  // Before the last page every page is full: a shorter one is a listing cut short, not the end.
  if (page < pages && list.length < perPage) {
    throw new SourceError(
      `Page ${page} of ${pages} of the WordPress user listing held ${list.length} of ${perPage} users: cut short. Nothing is deactivated; the import continues at the next cron.`,
      res.status,
      false,
    );
  }
  let next: string | null = null;
  if (page < pages) {
    const u = new URL(url);
    u.searchParams.set('page', String(page + 1));
    next = u.toString();
  }
  return { users, next, hidden };
}

/**
 * Who the site takes the relay for: `/users/me?context=edit` is the one request where a wrong
 * Application Password shows (401 `rest_not_logged_in`) instead of being served as anonymous.
 * Returns the account's id; a fatal SourceError otherwise.
 */
export async function requireWordpressAccount(http: SourceHttp, baseUrl: string): Promise<string> {
  const url = `${wpUsersUrl(baseUrl)}/me?context=edit`;
  const res = await http.get(url, WP_JSON);
  if (res.status !== 200) throw wordpressFailure(res.status, res.body, url);
  const me = parseRemote(wpUserSchema, res.body, url, res.status);
  if (typeof me.username !== 'string')
    throw new SourceError(
      `GET ${new URL(url).pathname} answered without the account's edit view: not WordPress's REST API, or a plugin changed it.`,
      res.status,
      false,
    );
  return String(me.id);
}

/**
 * Re-reads one user by id before a reconciliation removes it (`GET /users/{id}?context=edit`).
 * Only WordPress's own `rest_user_invalid_id` 404 means deleted; any other 404 (no REST API at
 * all, a proxy) is a failed request, so nobody is removed on it.
 */
export async function recheckWordpressUser(http: SourceHttp, baseUrl: string, id: string): Promise<Recheck> {
  const url = `${wpUsersUrl(baseUrl)}/${encodeURIComponent(id)}?context=edit`;
  const res = await http.get(url, WP_JSON);
  if (res.status === 404 && code(res.body) === 'rest_user_invalid_id') return 'gone';
  if (res.status !== 200) throw new SourceError(wordpressFailure(res.status, res.body, url).message, res.status, res.status === 401 || res.status === 403);
  const user = wpToRemote(parseRemote(wpUserSchema, res.body, url, res.status));
  return user ? { user } : 'hidden';
}
