/**
 * Wire types of the fake Drupal site (test/support/drupal-site/server.ts) and its control API.
 * Types only, no Node imports: read by the Node server, by test code in workerd and by benches.
 */

/** What an account may do, modelled on Drupal's user permissions. */
export type PermissionModel =
  /** administer users + administer permissions: every field, blocked users, `roles` relationship */
  | 'admin'
  /** administer users only: every field and blocked users, but no `roles` relationship */
  | 'user-admin'
  /** access user profiles only: active users, no mail/status, blocked users under meta.omitted */
  | 'limited';

export interface SiteAccount {
  /** HTTP Basic user name (core basic_auth) */
  username?: string;
  password?: string;
  /** Bearer token (as simple_oauth would accept) */
  token?: string;
  model: PermissionModel;
  /** the account's user UUID (`meta.links.me`); set by the site when no site user has its name */
  uuid?: string;
}

/** Drupal's user.settings:cancel_method, applied to JSON:API DELETE of a user. */
export type CancelMethod = 'user_cancel_block' | 'user_cancel_block_unpublish' | 'user_cancel_reassign' | 'user_cancel_delete';

export interface SiteSettings {
  /** the jsonapi module is enabled (off: every /jsonapi path is Drupal's HTML 404) */
  jsonapi: boolean;
  /**
   * jsonapi.settings:read_only. Drupal's own default is TRUE; the fake defaults to false so
   * write tests need no switch, and tests of read-only mode turn it on.
   */
  readOnly: boolean;
  cancelMethod: CancelMethod;
  accounts: SiteAccount[];
  /** config user.flood: failed Basic logins allowed per account and IP (5), and per IP (50) */
  flood?: { userLimit?: number; ipLimit?: number };
}

export interface SeedRole {
  /** machine name, e.g. `content_editor` */
  id: string;
  label?: string;
  uuid?: string;
}

export interface SeedUser {
  uid?: number;
  uuid?: string;
  name: string;
  mail?: string | null;
  /** true = active, false = blocked (default true) */
  status?: boolean;
  /** role machine names */
  roles?: string[];
  /** Unix seconds; default now */
  created?: number;
  changed?: number;
  timezone?: string;
}

/** A user as the site stores it (GET {control}/state). */
export interface SiteUser {
  uid: number;
  uuid: string;
  name: string;
  mail: string | null;
  status: boolean;
  roles: string[];
  created: number;
  changed: number;
  access: number;
  login: number;
  timezone: string;
  /** set by JSON:API POST/PATCH; never output */
  pass?: string;
}

export interface SiteRole {
  id: string;
  uuid: string;
  label: string;
  weight: number;
}

export interface CreateSiteRequest {
  users?: SeedUser[];
  roles?: SeedRole[];
  settings?: Partial<SiteSettings>;
  /** add this many generated users (bench): user0001… with mails, a few blocked, roles spread */
  generate?: number;
  /** name prefix of generated users (default `user`): `<prefix>00001`, mail `<prefix>00001@example.org` */
  generatePrefix?: string;
  /** load the users and roles of the real Drupal 10 capture (fixtures/drupal10-real-jsonapi-users.json) */
  fixture?: 'drupal10-real';
  /** add the admin account uid 1 (default true, as every Drupal site has one) */
  adminUser?: boolean;
}

export interface CreatedSite {
  id: string;
  /** the site's base URL (what an admin types), e.g. `http://127.0.0.1:4000/s/abc` */
  baseUrl: string;
  /** this site's control API, e.g. `http://127.0.0.1:4000/__control/sites/abc` */
  controlUrl: string;
  accounts: SiteAccount[];
}

export interface SiteFault {
  match?: { method?: string /** path below the site base, `*` = any run */; path?: string };
  times?: number;
  delayMs?: number;
  /** destroy the socket without answering */
  reset?: boolean;
  /** send the head and half of the normal body, then destroy the socket */
  truncate?: boolean;
  respond?: { status: number; headers?: Record<string, string>; body?: unknown; rawBody?: string };
}

export interface SiteRequest {
  seq: number;
  method: string;
  /** path below the site base, e.g. `/jsonapi/user/user` */
  path: string;
  /** raw query string without `?` */
  query: string;
  auth: 'none' | 'basic' | 'bearer';
  status: number;
  fault: 'respond' | 'reset' | 'truncate' | 'delay' | null;
  /** a Basic login: accepted, refused (wrong name or password), or not tried because flood control blocks it */
  login: 'ok' | 'failed' | 'blocked' | null;
}
