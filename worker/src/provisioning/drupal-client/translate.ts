/**
 * SCIM ↔ Drupal user attributes, so the engine keeps speaking SCIM (its mapped payload, its
 * payload hash, its PatchOps) while the site receives `user--user` attributes:
 * userName ↔ `name`, the work (or primary, or first) email ↔ `mail`, active ↔ `status`, and the
 * admin's extra paths ↔ named fields (options.fields). Anything else has no place on a core
 * Drupal user and is left out (the admin API refuses such mapping rules up front).
 */
import type { DrupalTargetOptions } from '../../../../shared/src/drupal-target';
import { isObject, type Json, type JsonObject } from '../../scim/schema/normalize';
import { getPath, setPath } from '../mapping';
import { SCIM_USER_URN } from '../mapping/path';
import type { ScimResource } from '../scim-client/schemas';
import type { PatchOp } from '../scim-client/types';
import type { DrupalUser } from './schemas';

export type DrupalAttributes = Record<string, Json>;
type Fields = DrupalTargetOptions['fields'];

/** `emails`, `emails[type eq "work"]`, `emails[…].value`: any of them carries the one address. */
const EMAIL_PATH = /^emails(\[[^\]]*\])?(\.value)?$/i;

/** The account's address from an email path's value: a string, an element, or a list of elements. */
function mailFrom(value: Json | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string') return value;
  if (isObject(value)) return typeof value.value === 'string' ? value.value : undefined;
  if (Array.isArray(value)) {
    const elements = value.filter(isObject);
    const pick = elements.find((e) => String(e.type).toLowerCase() === 'work') ?? elements.find((e) => e.primary === true) ?? elements[0];
    return pick ? mailFrom(pick) : null;
  }
  return undefined;
}

/** A whole mapped payload as the attributes of a new (or wholly replaced) Drupal user. */
export function toDrupalAttributes(payload: JsonObject, fields: Fields): DrupalAttributes {
  const out: DrupalAttributes = {};
  const name = getPath(payload, 'userName');
  if (typeof name === 'string') out.name = name;
  const mail = mailFrom(payload.emails);
  if (typeof mail === 'string') out.mail = mail;
  if (typeof payload.active === 'boolean') out.status = payload.active;
  for (const [path, field] of Object.entries(fields)) {
    const v = getPath(payload, path);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

/**
 * The attributes a PatchOp list changes (RFC 7644 §3.5.2 semantics reduced to what a Drupal
 * user holds): replace/add set, remove clears (`mail` and fields to null; `name` and `status`
 * cannot be cleared on a Drupal user, so a remove of them is left out).
 */
export function patchToAttributes(ops: readonly PatchOp[], fields: Fields): DrupalAttributes {
  const out: DrupalAttributes = {};
  for (const op of ops) {
    if (op.path === undefined) {
      if (op.op !== 'remove' && isObject(op.value ?? null)) Object.assign(out, toDrupalAttributes(op.value as JsonObject, fields));
      continue;
    }
    const path = op.path.trim();
    const field = fields[path];
    if (op.op === 'remove') {
      if (field) out[field] = null;
      else if (EMAIL_PATH.test(path)) out.mail = null;
      continue;
    }
    if (field) out[field] = op.value ?? null;
    else if (/^userName$/i.test(path) && typeof op.value === 'string') out.name = op.value;
    else if (/^active$/i.test(path) && typeof op.value === 'boolean') out.status = op.value;
    else if (EMAIL_PATH.test(path)) {
      const mail = mailFrom(op.value);
      if (mail !== undefined) out.mail = mail;
    }
  }
  return out;
}

/** A Drupal user as the SCIM resource the engine matches and reads: id is the UUID. */
export function toScimUser(user: DrupalUser, fields: Fields): ScimResource {
  const a = user.attributes;
  const r: JsonObject = { schemas: [SCIM_USER_URN], id: user.id };
  if (typeof a.name === 'string') r.userName = a.name;
  if (typeof a.mail === 'string' && a.mail !== '') r.emails = [{ value: a.mail, type: 'work', primary: true }];
  if (typeof a.status === 'boolean') r.active = a.status;
  for (const [path, field] of Object.entries(fields)) {
    const v = (a as Record<string, unknown>)[field];
    if (v !== undefined && v !== null) setPath(r, path, v as Json);
  }
  return r as ScimResource;
}
