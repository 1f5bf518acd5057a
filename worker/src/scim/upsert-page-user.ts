/**
 * Creates or updates the directory user of a page user's userName (the extension's popup, for a
 * site that is neither a source nor a target). Writes go through the SCIM service, so the body is
 * validated exactly as an IdP's would be and the change-log row (hence the outbox rows) is
 * written in the same D1 batch as the user.
 */
import { pageUserToScim, type PageUser } from '../../../shared/src/page-user';
import { lookupUsers } from '../db/directory-views';
import { loadResource } from '../directory/reads';
import type { JsonObject } from './schema/normalize';
import { userResourceType } from './schema/registry';
import { createResource, patchResource, type ScimContext } from './service';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export async function upsertPageUser(ctx: ScimContext, user: PageUser): Promise<{ id: string; outcome: UpsertOutcome }> {
  const { found } = await lookupUsers(ctx.db, { userNames: [user.userName] });
  const existing = found.userNames.get(user.userName.toLowerCase());
  if (!existing) {
    const { resource } = await createResource(ctx, userResourceType, pageUserToScim(user));
    return { id: String(resource.id), outcome: 'created' };
  }
  const row = await loadResource(ctx.db, 'User', existing.id);
  const stored = row ? (JSON.parse(row.data) as JsonObject) : {};
  const operations = changedOperations(stored, user);
  if (operations.length === 0) return { id: existing.id, outcome: 'unchanged' };
  await patchResource(ctx, userResourceType, existing.id, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }, {});
  return { id: existing.id, outcome: 'updated' };
}

/** RFC 7644 §3.5.2 replace operations for what the page shows differently from the directory. */
function changedOperations(stored: JsonObject, user: PageUser): { op: 'replace'; path: string; value: unknown }[] {
  const ops: { op: 'replace'; path: string; value: unknown }[] = [];
  const body = pageUserToScim(user);
  const storedEmails = Array.isArray(stored.emails) ? (stored.emails as { value?: unknown }[]).map((e) => String(e.value ?? '').toLowerCase()) : [];
  // An address the user already has is kept as it is (type, primary, the other addresses too).
  if (user.email !== undefined && !storedEmails.includes(user.email.toLowerCase())) ops.push({ op: 'replace', path: 'emails', value: body.emails });
  if (user.active !== undefined && stored.active !== user.active) ops.push({ op: 'replace', path: 'active', value: user.active });
  if (user.displayName !== undefined && stored.displayName !== user.displayName) ops.push({ op: 'replace', path: 'displayName', value: user.displayName });
  const storedName = (stored.name ?? {}) as Record<string, unknown>;
  for (const key of ['givenName', 'familyName'] as const) {
    const value = user.name?.[key];
    if (value !== undefined && storedName[key] !== value) ops.push({ op: 'replace', path: `name.${key}`, value });
  }
  return ops;
}
