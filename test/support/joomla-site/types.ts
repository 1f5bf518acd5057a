/**
 * Wire types of the fake Joomla site (server.ts) and its control API. Types only, no Node
 * imports: read by the Node server and by test code in workerd.
 */
import type { CreatedCmsSite } from '../cms-site-types';

export interface JoomlaSeedUser {
  id?: number;
  name: string;
  username: string;
  email: string;
  /** group ids (2 Registered … 8 Super Users) */
  groups?: number[];
  block?: boolean;
  requireReset?: boolean;
  /** give the account an API token (shown in the created site's `tokens`) */
  token?: boolean;
}

export interface JoomlaSiteUser {
  id: number;
  name: string;
  username: string;
  email: string;
  groups: number[];
  block: boolean;
  requireReset: boolean;
  token: string | null;
  registerDate: string;
}

export interface JoomlaSiteSettings {
  /** plg_webservices_users: off, every /v1/users route is 404 "Resource not found" */
  usersPlugin: boolean;
  /** plg_api-authentication_token: off, every token is refused (401) */
  tokenPlugin: boolean;
  /** the token plugin's "Allowed User Groups" (Super Users only by default) */
  tokenGroups: number[];
}

export interface CreateJoomlaSiteRequest {
  users?: JoomlaSeedUser[];
  settings?: Partial<JoomlaSiteSettings>;
  /** seed the ten accounts of the real capture (fixtures/joomla-real/final_state/01_final_list.json) */
  fixture?: boolean;
}

export interface CreatedJoomlaSite extends CreatedCmsSite {
  /** the Super User's API token the relay uses (account 560 "admin") */
  adminToken: string;
  /** user id → API token, for every seeded account given one */
  tokens: Record<string, string>;
}
