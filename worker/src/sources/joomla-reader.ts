/**
 * Reads user accounts from a Joomla 4/5 site's core Web Services API (`/api/index.php/v1/users`)
 * with a Super User's API token (test/fixtures/joomla-real/README.md, the API as observed).
 *
 * - Full reads only: the list offers `registerDate` and `lastvisitDate` filters but nothing that
 *   moves when an account is edited (blocked, regrouped), so every run lists everyone.
 * - Paged by `page[offset]` with no total count and a fixed order by name that no parameter
 *   changes: a rename or a deletion during a run shifts the boundaries, so a page boundary is
 *   never evidence. An account the pass misses is re-read by id before anything is removed, and
 *   an offset that ran past a listing which shrank meanwhile (Joomla's 404 there) ends the pass.
 * - Every request sends `Accept: application/vnd.api+json`: anything else is a 406.
 * - `block` is the active flag; `group_names` (titles, one a line) are the user's groups.
 * - Re-reading one account uses the list's `filter[search]=id:N`: an unknown id is then an empty
 *   200, told apart from the plugin being off (whose 404 is the same "Resource not found" as an
 *   unknown item id), so a switched-off plugin never reads as everyone deleted.
 */
import { TOKEN_HELP } from '../provisioning/joomla-client/classify';
import type { Recheck } from './drupal-reader';
import { remoteDetail, type SourceHttp } from './http';
import { SourceError, type RemotePage, type RemoteUser } from './remote';
import { joomlaListSchema, parseRemote, type JoomlaUserResource } from './remote-schemas';

export const JOOMLA_JSON = 'application/vnd.api+json';
export const JOOMLA_PAGE_SIZE = 100;

export const joomlaUsersUrl = (baseUrl: string) => `${baseUrl}/api/index.php/v1/users`;

export function joomlaListUrl(baseUrl: string, offset = 0, pageSize = JOOMLA_PAGE_SIZE): string {
  const q = new URLSearchParams({ 'page[limit]': String(pageSize), 'page[offset]': String(offset) });
  return `${joomlaUsersUrl(baseUrl)}?${q.toString()}`;
}

/** One account by exact id: a list filtered by `id:N` (an unknown id is an empty 200, not a 404). */
export function joomlaIdUrl(baseUrl: string, id: string): string {
  const q = new URLSearchParams({ 'filter[search]': `id:${id.replace(/\D/g, '')}` });
  return `${joomlaUsersUrl(baseUrl)}?${q.toString()}`;
}

export function joomlaToRemote(r: JoomlaUserResource): RemoteUser | null {
  const a = r.attributes;
  const block = a.block;
  const names =
    typeof a.group_names === 'string'
      ? a.group_names
          .split('\n')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : undefined;
  return {
    remoteId: String(r.id),
    uid: String(r.id),
    name: a.username,
    email: typeof a.email === 'string' && a.email !== '' ? a.email : a.email === undefined ? undefined : null,
    active: block === undefined || block === null ? undefined : !(block === 1 || block === '1' || block === true),
    roles: names,
    changed: null,
  };
}

/** A non-2xx answer in words. Joomla's every auth failure is a bare 401 "Forbidden": it never says why. */
export function joomlaFailure(status: number, body: unknown, url: string): SourceError {
  const detail = remoteDetail(body);
  const said = detail ? ` Joomla said: "${detail}"` : '';
  const path = new URL(url).pathname;
  if (status === 401)
    return new SourceError(
      `Joomla refused the credentials (401): the token is wrong or revoked, its account is blocked, must reset its password or is not a Super User, or the token plugin is off. ${TOKEN_HELP}`,
      status,
      true,
    );
  if (status === 403) return new SourceError(`The account may not list users (403): use a Super User's token.${said}`, status, true);
  if (status === 404)
    return new SourceError(
      `Nothing at ${path} (404): is the plugin "Web Services - Users" enabled, and is the base URL the site's address (without /api)?`,
      status,
      true,
    );
  if (status === 406)
    return new SourceError(
      `Joomla refused the Accept header (406 "Could not match accept header"): a proxy in front of the site changed it; Joomla needs application/vnd.api+json.`,
      status,
      true,
    );
  if (status === 429) return new SourceError(`Joomla is rate-limiting the relay (429); the import continues at the next cron.${said}`, status, false);
  return new SourceError(`Joomla answered ${status} for ${path}.${said}`, status, status >= 400 && status < 500 && status !== 408);
}

const isJoomlaError = (body: unknown) => Array.isArray((body as { errors?: unknown } | undefined)?.errors);

export async function readJoomlaPage(http: SourceHttp, baseUrl: string, url: string): Promise<RemotePage> {
  const res = await http.get(url, JOOMLA_JSON);
  const params = new URL(url).searchParams;
  const offset = Number(params.get('page[offset]') ?? 0);
  const limit = Number(params.get('page[limit]') ?? JOOMLA_PAGE_SIZE);
  if (res.status === 404 && offset > 0 && isJoomlaError(res.body)) {
    // Past the end: accounts were deleted during the pass, or the plugin went off. One probe of
    // the first row tells: listed, so the listing shrank and this pass is complete (the sweep
    // re-reads by id whoever it missed); a 404 again is the plugin.
    const probe = await http.get(`${joomlaUsersUrl(baseUrl)}?page%5Blimit%5D=1&page%5Boffset%5D=0`, JOOMLA_JSON);
    if (probe.status === 200 && Array.isArray((probe.body as { data?: unknown } | undefined)?.data)) return { users: [], next: null, hidden: 0 };
    throw joomlaFailure(probe.status, probe.body, url);
  }
  if (res.status !== 200) throw joomlaFailure(res.status, res.body, url);
  if (!res.json || !Array.isArray((res.body as { data?: unknown } | undefined)?.data)) {
    throw new SourceError(`The answer to ${new URL(url).pathname} is not a Joomla user listing (cut short, or not the Web Services API).`, res.status, false);
  }
  const doc = parseRemote(joomlaListSchema, res.body, url, res.status);
  const users: RemoteUser[] = [];
  let hidden = 0;
  for (const r of doc.data) {
    const u = joomlaToRemote(r);
    if (u) users.push(u);
    else hidden++;
  }
  const more = typeof doc.links?.next === 'string' && doc.links.next !== '';
  const totalPages = doc.meta?.['total-pages'];
  // A page before the last is full; a shorter one, or a last page before `total-pages`, is a listing cut short.
  if ((more && doc.data.length < limit) || (!more && typeof totalPages === 'number' && Math.floor(offset / limit) + 1 < totalPages)) {
    throw new SourceError(
      `The Joomla user listing at offset ${offset} came back cut short (${doc.data.length} of ${limit} rows${typeof totalPages === 'number' ? `, ${totalPages} page(s)` : ''}). Nothing is deactivated; the import continues at the next cron.`,
      res.status,
      false,
    );
  }
  let next: string | null = null;
  if (more) {
    // the next page is built here, on the source's own origin: the credentials go nowhere else
    const u = new URL(url);
    u.searchParams.set('page[offset]', String(offset + limit));
    next = u.toString();
  }
  return { users, next, hidden };
}

/** Re-reads one account by id before a reconciliation removes it: an empty, complete answer is a deletion. */
export async function recheckJoomlaUser(http: SourceHttp, baseUrl: string, id: string): Promise<Recheck> {
  const url = joomlaIdUrl(baseUrl, id);
  const res = await http.get(url, JOOMLA_JSON);
  if (res.status !== 200)
    throw new SourceError(joomlaFailure(res.status, res.body, url).message, res.status, res.status === 401 || res.status === 403 || res.status === 406);
  if (!res.json || !Array.isArray((res.body as { data?: unknown } | undefined)?.data))
    throw new SourceError(`The answer to ${new URL(url).pathname} is not a Joomla user listing.`, res.status, false);
  const doc = parseRemote(joomlaListSchema, res.body, url, res.status);
  const row = doc.data.find((r) => String(r.id) === id);
  if (!row) return 'gone';
  const user = joomlaToRemote(row);
  return user ? { user } : 'hidden';
}
