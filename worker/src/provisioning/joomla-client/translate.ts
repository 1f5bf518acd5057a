/**
 * SCIM ↔ Joomla user fields, so the engine keeps speaking SCIM while the site receives flat
 * `/v1/users` bodies. The SCIM-side reading is Drupal's (../drupal-client/translate.ts); this file
 * renames: userName → `username`, the email → `email`, displayName → `name`, active → `block`
 * (inverted: Joomla's real disabled flag).
 */
import type { Json, JsonObject } from '../../scim/schema/normalize';
import { patchToAttributes, toDrupalAttributes, type DrupalAttributes } from '../drupal-client/translate';
import { SCIM_USER_URN } from '../mapping/path';
import type { ScimResource } from '../scim-client/schemas';
import type { PatchOp } from '../scim-client/types';
import type { JoomlaUser } from './schemas';

export interface JoomlaFields {
  username?: string;
  email?: string;
  name?: string;
  /** 1 blocks the account (deactivated), 0 unblocks it */
  block?: 0 | 1;
}

const FIELDS = { displayName: 'j_name' };

function rename(a: DrupalAttributes): JoomlaFields {
  const out: JoomlaFields = {};
  if (typeof a.name === 'string') out.username = a.name;
  if (typeof a.mail === 'string') out.email = a.mail;
  if (typeof a.status === 'boolean') out.block = a.status ? 0 : 1;
  // Joomla refuses an account without a name: a cleared display name is not sent.
  if (typeof a.j_name === 'string' && a.j_name !== '') out.name = a.j_name;
  return out;
}

export const toJoomlaFields = (payload: JsonObject): JoomlaFields => rename(toDrupalAttributes(payload, FIELDS));
export const patchToJoomlaFields = (ops: readonly PatchOp[]): JoomlaFields => rename(patchToAttributes(ops, FIELDS));

/** A Joomla user as the SCIM resource the engine reads: id is the numeric user id. */
export function toScimUser(u: JoomlaUser): ScimResource {
  const a = u.attributes;
  const r: Record<string, Json> = { schemas: [SCIM_USER_URN], id: u.id };
  if (a.username) r.userName = a.username;
  if (a.email) r.emails = [{ value: a.email, type: 'work', primary: true }];
  if (a.name) r.displayName = a.name;
  if (a.block !== undefined) r.active = !a.block;
  return r as ScimResource;
}

/** Characters Joomla's username filter strips without a word (api/034): refused before sending. */
export const STRIPPED_USERNAME = /[<>"'%&;()]/;
