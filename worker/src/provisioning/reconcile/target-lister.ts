/**
 * What reconcile reads from a target, the same for every kind: users page by page (with their
 * roles or groups on a CMS site), one user by id to confirm it is gone, and SCIM groups with
 * members. Each kind registers its reader here (listers/): SCIM, Drupal, WordPress, Joomla.
 */
import type { Target } from '../../../../shared/src';
import type { ClientHooks, Result, ScimResource } from '../scim-client';
import { createDrupalTargetLister } from './listers/drupal';
import { createJoomlaTargetLister } from './listers/joomla';
import { createScimTargetLister } from './listers/scim';
import { createWordpressTargetLister } from './listers/wordpress';

export interface ObservedUser {
  remoteId: string;
  resource: ScimResource;
  /**
   * the account's roles as the ids linked groups carry: Drupal role machine names, WordPress role
   * slugs, Joomla group ids; null where the target has no roles or they are not readable
   */
  roles: string[] | null;
}

export interface ObservedGroup {
  remoteId: string;
  memberRemoteIds: string[];
}

export interface Page<T> {
  items: T[];
  /** where the next page starts, null after the last one */
  next: string | null;
}

export interface TargetLister {
  /** the page size this target allows (reads its ServiceProviderConfig once per run) */
  pageSize(): Promise<Result<number>>;
  users(cursor: string | null, pageSize: number): Promise<Result<Page<ObservedUser>>>;
  getUser(remoteId: string): Promise<Result<ObservedUser>>;
  /** SCIM only: a CMS site holds groups as roles (user groups), read with the users */
  groups?(cursor: string | null, pageSize: number): Promise<Result<Page<ObservedGroup>>>;
  getGroup?(remoteId: string): Promise<Result<ScimResource>>;
}

export interface ListerInput {
  target: Target;
  connection: { baseUrl: string; token: string; fetch?: typeof fetch };
  hooks: ClientHooks;
}

/**
 * One reader per kind. Every kind has one, so the route and the schedule take any target; the
 * Record type keeps a new kind from being added without its reader.
 */
const LISTERS: Record<Target['kind'], (input: ListerInput) => TargetLister> = {
  scim: createScimTargetLister,
  'drupal-jsonapi': createDrupalTargetLister,
  'wordpress-rest': createWordpressTargetLister,
  'joomla-webservices': createJoomlaTargetLister,
};

export function createTargetLister(target: Target, token: string, hooks: ClientHooks, fetchImpl?: typeof fetch): TargetLister {
  const connection = { baseUrl: target.baseUrl, token, ...(fetchImpl ? { fetch: fetchImpl } : {}) };
  return LISTERS[target.kind]({ target, connection, hooks });
}
