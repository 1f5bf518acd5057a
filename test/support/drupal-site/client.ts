/**
 * The fake Drupal site's control API for test code (plain fetch: runs in workerd and in Node).
 * `await createDrupalSite(inject('drupalSiteUrl'), { users: [...] })` gives a fresh site.
 */
import type { CreatedSite, CreateSiteRequest, SeedUser, SiteFault, SiteRequest, SiteRole, SiteSettings, SiteUser } from './types';

export interface DrupalSiteHandle extends CreatedSite {
  /** `Basic …` header value of the site's admin account */
  adminBasic: string;
  state(): Promise<{ users: SiteUser[]; roles: SiteRole[]; settings: SiteSettings }>;
  addUsers(users: SeedUser[]): Promise<SiteUser[]>;
  updateUser(uid: number, patch: Partial<Omit<SiteUser, 'uid' | 'uuid'>>): Promise<SiteUser>;
  blockUser(uid: number): Promise<SiteUser>;
  deleteUser(uid: number): Promise<void>;
  settings(patch: Partial<SiteSettings>): Promise<SiteSettings>;
  faults(faults: SiteFault[], append?: boolean): Promise<void>;
  clearFaults(): Promise<void>;
  requests(since?: number): Promise<SiteRequest[]>;
  /** failed Basic logins flood control holds, per account name and for the IP */
  flood(): Promise<{ user: Record<string, number>; ip: number }>;
  /** empties the flood table (`drush sql:query "DELETE FROM flood"`) */
  clearFlood(): Promise<void>;
}

async function call<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`drupal-site control ${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export function basic(username: string, password: string): string {
  return `Basic ${btoa(`${username}:${password}`)}`;
}

export async function createDrupalSite(serverUrl: string, req: CreateSiteRequest = {}): Promise<DrupalSiteHandle> {
  const created = await call<CreatedSite>(`${serverUrl}/__control/sites`, 'POST', req);
  const c = created.controlUrl;
  const admin = created.accounts.find((a) => a.model === 'admin' && a.username) ?? created.accounts[0]!;
  return {
    ...created,
    adminBasic: basic(admin.username ?? '', admin.password ?? ''),
    state: () => call(`${c}/state`, 'GET'),
    addUsers: async (users) => (await call<{ users: SiteUser[] }>(`${c}/users`, 'POST', { users })).users,
    updateUser: (uid, patch) => call(`${c}/users/${uid}`, 'PATCH', patch),
    blockUser: (uid) => call(`${c}/users/${uid}/block`, 'POST'),
    deleteUser: async (uid) => void (await call(`${c}/users/${uid}`, 'DELETE')),
    settings: (patch) => call(`${c}/settings`, 'POST', patch),
    faults: async (faults, append = false) => void (await call(`${c}/faults`, 'POST', { faults, append })),
    clearFaults: async () => void (await call(`${c}/faults`, 'DELETE')),
    requests: async (since = 0) => (await call<{ requests: SiteRequest[] }>(`${c}/requests?since=${since}`, 'GET')).requests,
    flood: () => call(`${c}/flood`, 'GET'),
    clearFlood: async () => void (await call(`${c}/flood`, 'DELETE')),
  };
}
