/**
 * WordPress roles: group membership pushed as roles, deactivation as roles removed, and the
 * site's roles for the console's picker. Roles are the site's configuration: the relay never
 * creates or deletes one. `roles` on `POST /wp/v2/users/{id}` replaces the whole set (api/63-65),
 * so every change reads the account, adds or removes one slug and writes the set back. While an
 * account is deactivated (no role, its roles remembered) a membership change edits the
 * remembered set instead, so reactivation restores what the directory says now.
 */
import type { RoleMemory } from '../../db/remote-roles';
import { readAs } from '../scim-client/readers';
import type { PatchOp, Result } from '../scim-client/types';
import { wpUserListSchema, wpUserSchema, type WpUser } from './schemas';
import type { WordpressSend } from './transport';

/** The roles of a stock WordPress: core publishes no list of roles over REST. */
export const CORE_ROLES: Readonly<Record<string, string>> = {
  administrator: 'Administrator',
  editor: 'Editor',
  author: 'Author',
  contributor: 'Contributor',
  subscriber: 'Subscriber',
};

/** `members[value eq "5"]` (what the group push sends to remove one member). */
const REMOVE_MEMBER = /^members\[\s*value\s+eq\s+"([^"\\]+)"\s*\]$/i;

export const userRoute = (id: string) => `/wp/v2/users/${encodeURIComponent(id)}`;
export const readWpUser = readAs(wpUserSchema, 'WordPress user');

/** The member changes a group PatchOp list asks for. */
export function memberChanges(ops: readonly PatchOp[]): { add: boolean; user: string }[] {
  const changes: { add: boolean; user: string }[] = [];
  for (const op of ops) {
    if (op.op === 'add' && Array.isArray(op.value)) {
      for (const m of op.value) if (m && typeof m === 'object' && !Array.isArray(m) && typeof m.value === 'string') changes.push({ add: true, user: m.value });
    } else if (op.op === 'remove' && op.path) {
      const user = REMOVE_MEMBER.exec(op.path)?.[1];
      if (user) changes.push({ add: false, user });
    }
  }
  return changes;
}

/** Adds or removes one role on one account (or on its remembered roles while it is deactivated). */
export async function setRole(send: WordpressSend, memory: RoleMemory, user: string, role: string, add: boolean): Promise<Result<undefined>> {
  const read = await send('GET', userRoute(user), readWpUser, { query: 'context=edit' });
  if (!read.ok) return read;
  const current = read.value.roles ?? [];
  const remembered = current.length === 0 ? await memory.recall(user) : null;
  const roles = remembered ?? current;
  if (roles.includes(role) === add) return { ok: true, value: undefined, status: read.status };
  const next = add ? [...roles, role] : roles.filter((r) => r !== role);
  if (remembered) {
    await memory.remember(user, next);
    return { ok: true, value: undefined, status: read.status };
  }
  const written = await send('POST', userRoute(user), readWpUser, { query: 'context=edit', body: { roles: next } });
  return written.ok ? { ok: true, value: undefined, status: written.status } : written;
}

/** The site's roles as far as REST shows them: the core five and every role an account holds. */
export async function listSiteRoles(send: WordpressSend): Promise<Result<{ id: string; name: string }[]>> {
  const seen = new Map(Object.entries(CORE_ROLES));
  const list = await send('GET', '/wp/v2/users', readAs(wpUserListSchema, 'WordPress user list'), { query: 'context=edit&per_page=100&_fields=id,roles' });
  if (!list.ok) return list;
  for (const u of list.value as WpUser[]) for (const r of u.roles ?? []) if (!seen.has(r)) seen.set(r, r);
  return { ok: true, status: list.status, value: [...seen].map(([id, name]) => ({ id, name })) };
}
