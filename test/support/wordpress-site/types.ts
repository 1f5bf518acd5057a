/**
 * Wire types of the fake WordPress site (server.ts) and its control API. Types only, no Node
 * imports: read by the Node server and by test code in workerd.
 */
import type { CreatedCmsSite } from '../cms-site-types';

export interface WpSeedUser {
  id?: number;
  username: string;
  email: string;
  name?: string;
  first_name?: string;
  last_name?: string;
  roles?: string[];
  /** the account password (never accepted over REST, only stored) */
  password?: string;
  /** Application Passwords the account may sign in with (spaces optional, as WordPress ignores them) */
  appPasswords?: string[];
  /** published posts: who inherits them on delete shows in `posts` */
  posts?: number;
}

export interface WpSiteUser extends Required<Omit<WpSeedUser, 'appPasswords' | 'password'>> {
  id: number;
  password: string;
  /** how many times the password was changed (a deactivation sets a random one) */
  passwordChanges: number;
  appPasswords: { uuid: string; name: string; password: string }[];
  registered_date: string;
}

export interface WpSiteSettings {
  /**
   * wp_is_application_passwords_available(): true on https or WP_ENVIRONMENT_TYPE=local. When
   * false, Basic credentials are ignored (the caller is anonymous) and the REST index announces
   * no `application-passwords`.
   */
  appPasswords: boolean;
  /** `/wp-json/` works only with pretty permalinks; `/?rest_route=` always does */
  prettyPermalinks: boolean;
  /** the site's title in the REST index */
  title: string;
}

export interface CreateWpSiteRequest {
  users?: WpSeedUser[];
  settings?: Partial<WpSiteSettings>;
  /** seed the ten accounts of the real capture (fixtures/wordpress-real/final_state/03_final_list.json) */
  fixture?: boolean;
}

export interface CreatedWpSite extends CreatedCmsSite {
  /** "username:application password" of the administrator the relay signs in as (user 1 unless seeded otherwise) */
  adminToken: string;
}
