/**
 * Reads user accounts from a Drupal site's core JSON:API (`/jsonapi/user/user`): pages of at most
 * 50 (OffsetPage::SIZE_MAX) followed through `links.next`, sorted so an interrupted import can
 * resume, filtered by `changed` for incremental runs. `changed` is filtered in Unix seconds
 * (Drupal hands filter values to the entity query unconverted) though it is printed as RFC 3339.
 * https://www.drupal.org/docs/core-modules-and-themes/core-modules/jsonapi-module/filtering
 */
import type { SourceCredentials } from '../../../shared/src/sources';
import { entryPointAccount, loginRefusedMessage } from '../outbound/drupal-login';
import { remoteDetail, type SourceHttp } from './http';
import { SourceError, type RemotePage, type RemoteUser } from './remote';
import { drupalCollectionSchema, drupalSingleSchema, parseRemote, type DrupalResource } from './remote-schemas';

export const JSONAPI = 'application/vnd.api+json';
export const DRUPAL_PAGE_SIZE = 50;

export const usersUrl = (baseUrl: string) => `${baseUrl}/jsonapi/user/user`;

/** Incremental: accounts changed at or after the watermark (seconds), oldest change first. */
export function incrementalUrl(baseUrl: string, watermark: string, pageSize = DRUPAL_PAGE_SIZE): string {
  const q = new URLSearchParams();
  q.set('filter[changed][condition][path]', 'changed');
  q.set('filter[changed][condition][operator]', '>=');
  q.set('filter[changed][condition][value]', watermark);
  q.set('sort', 'changed,drupal_internal__uid');
  q.set('page[limit]', String(pageSize));
  return `${usersUrl(baseUrl)}?${q.toString()}`;
}

/** Full reconciliation: every account, by uid. */
export function fullUrl(baseUrl: string, pageSize = DRUPAL_PAGE_SIZE): string {
  const q = new URLSearchParams({ sort: 'drupal_internal__uid', 'page[limit]': String(pageSize) });
  return `${usersUrl(baseUrl)}?${q.toString()}`;
}

export function uidUrl(baseUrl: string, uid: string): string {
  const q = new URLSearchParams({ 'filter[drupal_internal__uid]': uid });
  return `${usersUrl(baseUrl)}?${q.toString()}`;
}

const seconds = (v: string | null | undefined): string | null => {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? String(Math.floor(ms / 1000)) : null;
};

/** One resource object → an account; null for label-only objects (uid 0, or no permission). */
export function toRemoteUser(r: DrupalResource): RemoteUser | null {
  const a = r.attributes ?? {};
  if (typeof r.id !== 'string' || a.drupal_internal__uid === undefined || typeof a.name !== 'string') return null;
  const roles = r.relationships?.roles?.data;
  return {
    remoteId: r.id,
    uid: String(a.drupal_internal__uid),
    name: a.name,
    email: 'mail' in a ? (typeof a.mail === 'string' && a.mail !== '' ? a.mail : null) : undefined,
    active: typeof a.status === 'boolean' ? a.status : undefined,
    roles: roles ? roles.map((x) => x.meta?.drupal_internal__target_id).filter((x): x is string => typeof x === 'string') : undefined,
    changed: seconds(a.changed),
  };
}

/** A non-2xx answer in words: what happened and what to fix. */
export function drupalFailure(status: number, body: unknown, url: string): SourceError {
  const detail = remoteDetail(body);
  const said = detail ? ` Drupal said: "${detail}"` : '';
  if (status === 401)
    return new SourceError(
      `Drupal refused the credentials (401). Check the user name and password (the basic_auth module must be on) or the token.${said}`,
      status,
      true,
    );
  if (status === 403) return new SourceError(`The account may not list users (403). Give it the "administer users" permission.${said}`, status, true);
  if (status === 404)
    return new SourceError(
      `Nothing at ${new URL(url).pathname} (404): is the JSON:API module enabled, and is the base URL the site's address (without /jsonapi)?`,
      status,
      true,
    );
  if (status === 429) return new SourceError(`Drupal is rate-limiting the relay (429); the import continues at the next cron.${said}`, status, false);
  return new SourceError(`Drupal answered ${status} for ${new URL(url).pathname}.${said}`, status, status >= 400 && status < 500 && status !== 408);
}

export async function readDrupalPage(http: SourceHttp, baseUrl: string, url: string): Promise<RemotePage> {
  const res = await http.get(url, JSONAPI);
  if (res.status !== 200) throw drupalFailure(res.status, res.body, url);
  const raw = res.body as { data?: unknown } | undefined;
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.data)) {
    throw new SourceError(`The answer to ${new URL(url).pathname} is not a JSON:API collection (cut short, or not JSON:API).`, res.status, false);
  }
  const doc = parseRemote(drupalCollectionSchema, res.body, url, res.status);
  const users: RemoteUser[] = [];
  let hidden = 0;
  for (const r of doc.data) {
    const u = toRemoteUser(r);
    if (u) users.push(u);
    else hidden++;
  }
  hidden += Object.keys(doc.meta?.omitted?.links ?? {}).filter((k) => k !== 'help').length;
  const href = doc.links?.next?.href;
  let next: string | null = null;
  if (href !== undefined) {
    // The credentials go to the site only: a next link elsewhere is refused, not followed.
    if (new URL(href, url).origin !== new URL(baseUrl).origin)
      throw new SourceError(`links.next points at another origin (${new URL(href, url).origin}); not followed.`, null, true);
    next = new URL(href, url).toString();
  }
  return { users, next, hidden };
}

/**
 * Who the site takes the relay for: the account's UUID from the entry point's `meta.links.me`.
 * A wrong password is not refused by Drupal (../outbound/drupal-login.ts): the listing would just
 * be label-only, or empty when filtered, so a run or a test asks this first. Nobody: a fatal
 * SourceError — the source is paused, so no further failed logins feed flood control.
 */
export async function requireDrupalAccount(http: SourceHttp, baseUrl: string, auth: SourceCredentials['type'], workedBefore: boolean): Promise<string> {
  const url = `${baseUrl}/jsonapi`;
  const res = await http.get(url, JSONAPI);
  if (res.status !== 200) throw drupalFailure(res.status, res.body, url);
  const links = (res.body as { links?: unknown } | undefined)?.links;
  if (!res.json || !links || typeof links !== 'object')
    throw new SourceError(
      `GET /jsonapi answered ${res.status}${res.json ? ' without a JSON:API entry point' : ` with ${res.headers.get('content-type') ?? 'no content type'}, not JSON:API`}: is the JSON:API module on, and is the base URL the site's address?`,
      res.status,
      false,
    );
  const account = entryPointAccount(res.body);
  if (!account) throw new SourceError(loginRefusedMessage(auth, { workedBefore }), res.status, true);
  return account;
}

/** What re-reading one account by id found: the account, gone (404), or not visible to the relay. */
export type Recheck = { user: RemoteUser } | 'gone' | 'hidden';

/**
 * Re-reads one account by UUID (`GET /jsonapi/user/user/{uuid}`) before a reconciliation
 * removes it: an offset-paged listing skips an account when one before it is deleted mid-run.
 * Only Drupal's own 404 (a JSON:API error document: "The "user" parameter was not converted")
 * means deleted; a 404 without it (JSON:API switched off, a proxy) is a failed request.
 */
export async function recheckDrupalUser(http: SourceHttp, baseUrl: string, uuid: string): Promise<Recheck> {
  const url = `${usersUrl(baseUrl)}/${encodeURIComponent(uuid)}`;
  const res = await http.get(url, JSONAPI);
  // an error document is read only for its `errors` member (and its detail, in drupalFailure)
  const errorDoc = res.body as { errors?: unknown } | undefined;
  if (res.status === 404 && Array.isArray(errorDoc?.errors)) return 'gone';
  if (res.status === 403) return 'hidden';
  if (res.status !== 200) throw new SourceError(drupalFailure(res.status, res.body, url).message, res.status, res.status === 401);
  const { data } = parseRemote(drupalSingleSchema, res.body, url, res.status);
  const user = data ? toRemoteUser(data) : null;
  return user ? { user } : 'hidden';
}
