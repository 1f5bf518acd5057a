/**
 * SCIM ↔ WordPress user fields, so the engine keeps speaking SCIM (its mapped payload, payload
 * hash and PatchOps) while the site receives `/wp/v2/users` fields. The SCIM-side reading (which
 * email of several, what a PatchOp clears) is Drupal's (../drupal-client/translate.ts); this file
 * renames: userName → `username`, the email → `email`, displayName → `name`, name.givenName /
 * familyName → `first_name` / `last_name`, nickName, profileUrl → `url`, locale. `active` is not
 * a field on WordPress: the client turns it into roles removed or restored.
 */
import { WORDPRESS_CORE_ATTRIBUTES } from '../../../../shared/src/wordpress-target';
import { isObject, type Json, type JsonObject } from '../../scim/schema/normalize';
import { setPath } from '../mapping';
import { SCIM_USER_URN } from '../mapping/path';
import { patchToAttributes, toDrupalAttributes, type DrupalAttributes } from '../drupal-client/translate';
import type { ScimResource } from '../scim-client/schemas';
import type { PatchOp } from '../scim-client/types';
import type { WpUser } from './schemas';

export interface WpFields {
  username?: string;
  email?: string;
  name?: string;
  first_name?: string;
  last_name?: string;
  nickname?: string;
  url?: string;
  locale?: string;
  /** not a WordPress field: deactivate (false) or reactivate (true) */
  active?: boolean;
}

/** SCIM paths beside userName / emails / active, by the field they fill: the shared table's other rows. */
const EXTRA = Object.fromEntries(
  Object.entries(WORDPRESS_CORE_ATTRIBUTES).filter(([, field]) => field !== 'username' && field !== 'email' && field !== 'active'),
) as Record<string, keyof WpFields>;
const DRUPAL_FIELDS = Object.fromEntries(Object.keys(EXTRA).map((p) => [p, `wp_${EXTRA[p]}`]));

function rename(a: DrupalAttributes): WpFields {
  const out: WpFields = {};
  if (typeof a.name === 'string') out.username = a.name;
  if (typeof a.mail === 'string') out.email = a.mail;
  if (typeof a.status === 'boolean') out.active = a.status;
  for (const [path, field] of Object.entries(EXTRA)) {
    const v = a[DRUPAL_FIELDS[path]!];
    if (v === undefined) continue;
    // A cleared name or URL is an empty string on WordPress: its fields are never null.
    if (v === null || typeof v === 'string') (out as Record<string, unknown>)[field] = v ?? '';
  }
  return out;
}

export function toWpFields(payload: JsonObject): WpFields {
  return rename(toDrupalAttributes(payload, DRUPAL_FIELDS));
}

export function patchToWpFields(ops: readonly PatchOp[]): WpFields {
  return rename(patchToAttributes(ops, DRUPAL_FIELDS));
}

/** A WordPress user (context=edit) as the SCIM resource the engine reads: id is the numeric user id. */
export function toScimUser(u: WpUser): ScimResource {
  const r: JsonObject = { schemas: [SCIM_USER_URN], id: String(u.id) };
  if (u.username) r.userName = u.username;
  if (u.email) r.emails = [{ value: u.email, type: 'work', primary: true }];
  // No disabled flag on WordPress: an account without any role is what deactivation leaves.
  if (u.roles) r.active = u.roles.length > 0;
  for (const [path, field] of Object.entries(EXTRA)) {
    const v = (u as Record<string, unknown>)[field];
    if (typeof v === 'string' && v !== '') setPath(r, path, v as Json);
  }
  return r as ScimResource;
}

export const isJsonObject = (v: unknown): v is JsonObject => isObject((v ?? null) as Json);
