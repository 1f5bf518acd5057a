/**
 * The fake Joomla site's control API for test code (plain fetch: runs in workerd and in Node).
 * `await createJoomlaSite(inject('joomlaSiteUrl'), { users: [...] })` gives a fresh site.
 */
import { controlCall } from '../cms-site-server-client';
import type { CmsFault, CmsRequest } from '../cms-site-types';
import type { CreatedJoomlaSite, CreateJoomlaSiteRequest, JoomlaSeedUser, JoomlaSiteSettings, JoomlaSiteUser } from './types';

export interface JoomlaSiteHandle extends CreatedJoomlaSite {
  state(): Promise<{ users: JoomlaSiteUser[]; settings: JoomlaSiteSettings }>;
  user(id: number): Promise<JoomlaSiteUser | undefined>;
  byUsername(username: string): Promise<JoomlaSiteUser | undefined>;
  addUsers(users: JoomlaSeedUser[]): Promise<JoomlaSiteUser[]>;
  updateUser(id: number, patch: Partial<JoomlaSiteUser>): Promise<JoomlaSiteUser>;
  settings(patch: Partial<JoomlaSiteSettings>): Promise<JoomlaSiteSettings>;
  faults(faults: CmsFault[], append?: boolean): Promise<void>;
  clearFaults(): Promise<void>;
  requests(since?: number): Promise<CmsRequest[]>;
}

export async function createJoomlaSite(serverUrl: string, req: CreateJoomlaSiteRequest = {}): Promise<JoomlaSiteHandle> {
  const created = await controlCall<CreatedJoomlaSite>(`${serverUrl}/__control/sites`, 'POST', req);
  const c = created.controlUrl;
  const state = () => controlCall<{ users: JoomlaSiteUser[]; settings: JoomlaSiteSettings }>(`${c}/state`, 'GET');
  return {
    ...created,
    state,
    user: async (id) => (await state()).users.find((u) => u.id === id),
    byUsername: async (username) => (await state()).users.find((u) => u.username === username),
    addUsers: async (users) => (await controlCall<{ users: JoomlaSiteUser[] }>(`${c}/users`, 'POST', { users })).users,
    updateUser: (id, patch) => controlCall(`${c}/users/${id}`, 'PATCH', patch),
    settings: (patch) => controlCall(`${c}/settings`, 'POST', patch),
    faults: async (faults, append = false) => void (await controlCall(`${c}/faults`, 'POST', { faults, append })),
    clearFaults: async () => void (await controlCall(`${c}/faults`, 'DELETE')),
    requests: async (since = 0) => (await controlCall<{ requests: CmsRequest[] }>(`${c}/requests?since=${since}`, 'GET')).requests,
  };
}
