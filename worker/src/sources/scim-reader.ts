/**
 * Reads users from a SCIM 2.0 service provider: `GET /Users` paged by startIndex/count
 * (RFC 7644 §3.4.2.4), incremental by `meta.lastModified gt` (§3.4.2.2) where the server
 * filters on it — a server that refuses the filter (400 invalidFilter) is read in full instead.
 * Roles are the user's `groups` (display names), which the server computes from /Groups.
 */
import { remoteDetail, type SourceHttp } from './http';
import { SourceError, type RemotePage, type RemoteUser } from './remote';
import type { Recheck } from './drupal-reader';
import { parseRemote, scimGroupResourceSchema, scimListSchema, scimUserResourceSchema, type ScimUserResource } from './remote-schemas';

export const SCIM_JSON = 'application/scim+json';
export const SCIM_PAGE_SIZE = 100;

export function scimListUrl(baseUrl: string, startIndex: number, watermark: string | null, pageSize = SCIM_PAGE_SIZE): string {
  const q = new URLSearchParams({ startIndex: String(startIndex), count: String(pageSize) });
  if (watermark) q.set('filter', `meta.lastModified gt "${watermark}"`);
  return `${baseUrl}/Users?${q.toString()}`;
}

const scimUserListSchema = scimListSchema(scimUserResourceSchema);
const scimGroupListSchema = scimListSchema(scimGroupResourceSchema);

/** RFC 7644 §3.4.2: a ListResponse always carries totalResults; without it the body is something else. */
const hasTotal = (body: unknown) => !!body && typeof body === 'object' && typeof (body as { totalResults?: unknown }).totalResults === 'number';

export function scimToRemote(u: ScimUserResource): RemoteUser | null {
  if (typeof u.id !== 'string' || typeof u.userName !== 'string') return null;
  const emails = u.emails ?? undefined;
  const email = emails ? (emails.find((e) => e.primary === true) ?? emails.find((e) => e.type === 'work') ?? emails[0]) : undefined;
  return {
    remoteId: u.id,
    uid: u.id,
    name: u.userName,
    email: emails === undefined ? undefined : typeof email?.value === 'string' ? email.value : null,
    // RFC 7643 §4.1.1: a user without `active` is active
    active: typeof u.active === 'boolean' ? u.active : true,
    roles: Array.isArray(u.groups)
      ? u.groups.map((g) => (typeof g.display === 'string' ? g.display : String(g.value ?? ''))).filter((x) => x !== '')
      : undefined,
    changed: typeof u.meta?.lastModified === 'string' ? u.meta.lastModified : null,
  };
}

export function scimFailure(status: number, body: unknown, url: string): SourceError {
  const detail = remoteDetail(body);
  const said = detail ? ` The server said: "${detail}"` : '';
  if (status === 401 || status === 403) return new SourceError(`The SCIM server refused the token (${status}).${said}`, status, true);
  if (status === 404)
    return new SourceError(`Nothing at ${new URL(url).pathname} (404): the base URL should end where /Users starts (e.g. …/scim/v2).`, status, true);
  return new SourceError(`The SCIM server answered ${status}.${said}`, status, status >= 400 && status < 500 && status !== 429 && status !== 408);
}

/** True when the server refused the lastModified filter: read everything instead. */
export const refusedFilter = (e: unknown) => e instanceof SourceError && e.status === 400;

export async function readScimPage(http: SourceHttp, url: string): Promise<RemotePage> {
  const res = await http.get(url, SCIM_JSON);
  if (res.status !== 200) {
    const err = scimFailure(res.status, res.body, url);
    if (res.status === 400) throw new SourceError(err.message, 400, false);
    throw err;
  }
  if (!hasTotal(res.body)) throw new SourceError('The answer to /Users is not a SCIM ListResponse (cut short, or not SCIM).', res.status, false);
  const doc = parseRemote(scimUserListSchema, res.body, url, res.status);
  const resources = doc.Resources ?? [];
  const users: RemoteUser[] = [];
  let hidden = 0;
  for (const r of resources) {
    const u = scimToRemote(r);
    if (u) users.push(u);
    else hidden++;
  }
  const start = Number(new URL(url).searchParams.get('startIndex') ?? 1);
  const nextStart = start + resources.length;
  const next =
    resources.length > 0 && nextStart <= doc.totalResults
      ? (() => {
          const u = new URL(url);
          u.searchParams.set('startIndex', String(nextStart));
          return u.toString();
        })()
      : null;
  return { users, next, hidden };
}

export interface RemoteGroup {
  name: string;
  /** the source's ids of the members (users) */
  memberIds: string[];
}

export function scimGroupsUrl(baseUrl: string, startIndex: number): string {
  const q = new URLSearchParams({ startIndex: String(startIndex), count: String(SCIM_PAGE_SIZE) });
  return `${baseUrl}/Groups?${q.toString()}`;
}

/** One page of /Groups with their members: memberships for servers whose users do not carry `groups`. */
export async function readScimGroupsPage(http: SourceHttp, url: string): Promise<{ groups: RemoteGroup[]; next: string | null }> {
  const res = await http.get(url, SCIM_JSON);
  if (res.status !== 200) throw scimFailure(res.status, res.body, url);
  if (!hasTotal(res.body)) throw new SourceError('The answer to /Groups is not a SCIM ListResponse (cut short, or not SCIM).', res.status, false);
  const doc = parseRemote(scimGroupListSchema, res.body, url, res.status);
  const resources = doc.Resources ?? [];
  const groups = resources.flatMap((g) =>
    typeof g.displayName === 'string' && g.displayName !== ''
      ? [
          {
            name: g.displayName,
            memberIds: (g.members ?? [])
              .filter((m) => m.type === undefined || m.type === 'User')
              .map((m) => m.value)
              .filter((v): v is string => typeof v === 'string'),
          },
        ]
      : [],
  );
  const start = Number(new URL(url).searchParams.get('startIndex') ?? 1);
  const nextStart = start + resources.length;
  let next: string | null = null;
  if (resources.length > 0 && nextStart <= doc.totalResults) {
    const u = new URL(url);
    u.searchParams.set('startIndex', String(nextStart));
    next = u.toString();
  }
  return { groups, next };
}

/**
 * Re-reads one user by id (`GET /Users/{id}`, RFC 7644 §3.4.1) before a reconciliation removes
 * it: a startIndex-paged listing skips a user when one before it is deleted mid-run. Only a SCIM
 * 404 (an Error response, RFC 7644 §3.12) means deleted; any other 404 is a failed request.
 */
export async function recheckScimUser(http: SourceHttp, baseUrl: string, id: string): Promise<Recheck> {
  const url = `${baseUrl}/Users/${encodeURIComponent(id)}`;
  const res = await http.get(url, SCIM_JSON);
  const body = res.body as { schemas?: unknown; status?: unknown } | undefined;
  const scimError =
    !!body &&
    typeof body === 'object' &&
    ((Array.isArray(body.schemas) && body.schemas.includes('urn:ietf:params:scim:api:messages:2.0:Error')) || body.status !== undefined);
  if (res.status === 404 && scimError) return 'gone';
  if (res.status !== 200) throw new SourceError(scimFailure(res.status, res.body, url).message, res.status, res.status === 401 || res.status === 403);
  const user = scimToRemote(parseRemote(scimUserResourceSchema, res.body, url, res.status));
  return user ? { user } : 'hidden';
}
