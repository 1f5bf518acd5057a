/**
 * The fake WordPress site's control API for test code (plain fetch: runs in workerd and in
 * Node). `await createWordpressSite(inject('wordpressSiteUrl'), { users: [...] })` gives a fresh site.
 */
import { controlCall } from '../cms-site-server-client';
import type { CmsFault, CmsRequest } from '../cms-site-types';
import type { CreatedWpSite, CreateWpSiteRequest, WpSeedUser, WpSiteSettings, WpSiteUser } from './types';

export interface WordpressSiteHandle extends CreatedWpSite {
  state(): Promise<{ users: WpSiteUser[]; settings: WpSiteSettings }>;
  user(id: number): Promise<WpSiteUser | undefined>;
  addUsers(users: WpSeedUser[]): Promise<WpSiteUser[]>;
  updateUser(id: number, patch: Partial<WpSiteUser>): Promise<WpSiteUser>;
  settings(patch: Partial<WpSiteSettings>): Promise<WpSiteSettings>;
  faults(faults: CmsFault[], append?: boolean): Promise<void>;
  clearFaults(): Promise<void>;
  requests(since?: number): Promise<CmsRequest[]>;
}

export async function createWordpressSite(serverUrl: string, req: CreateWpSiteRequest = {}): Promise<WordpressSiteHandle> {
  const created = await controlCall<CreatedWpSite>(`${serverUrl}/__control/sites`, 'POST', req);
  const c = created.controlUrl;
  const state = () => controlCall<{ users: WpSiteUser[]; settings: WpSiteSettings }>(`${c}/state`, 'GET');
  return {
    ...created,
    state,
    user: async (id) => (await state()).users.find((u) => u.id === id),
    addUsers: async (users) => (await controlCall<{ users: WpSiteUser[] }>(`${c}/users`, 'POST', { users })).users,
    updateUser: (id, patch) => controlCall(`${c}/users/${id}`, 'PATCH', patch),
    settings: (patch) => controlCall(`${c}/settings`, 'POST', patch),
    faults: async (faults, append = false) => void (await controlCall(`${c}/faults`, 'POST', { faults, append })),
    clearFaults: async () => void (await controlCall(`${c}/faults`, 'DELETE')),
    requests: async (since = 0) => (await controlCall<{ requests: CmsRequest[] }>(`${c}/requests?since=${since}`, 'GET')).requests,
  };
}
