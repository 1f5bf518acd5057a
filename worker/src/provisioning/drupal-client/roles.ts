/**
 * Group membership as Drupal roles. A directory group the admin mapped (options.roleMap,
 * displayName → role machine name) is "pushed" by adding or removing that role on its members'
 * accounts: the account's `roles` relationship is read and written back with the role added or
 * removed (a PATCH of the user--user resource with `relationships.roles`, JSON:API §9.2), one
 * member at a time, leaving the account's other roles as they are. Roles are the site's
 * configuration: the relay never creates or deletes one. JSON:API addresses a role by its UUID,
 * so the site's roles are read once per client (`GET /user_role/user_role`, which needs
 * "Administer permissions"; config entities cannot be filtered, so the list is read whole —
 * sites have a handful of roles).
 */
import type { Failure } from '../failure';
import { readAs, readNothing } from '../scim-client/readers';
import type { PatchOp, Result } from '../scim-client/types';
import { roleCollectionSchema, ROLE_TYPE, USER_TYPE, userDocumentSchema } from './schemas';
import type { DrupalSend } from './transport';

export interface RoleDirectory {
  /** machine name → UUID of every role on the site */
  uuids(): Promise<Result<Map<string, string>>>;
  /** applies a group PATCH (members add / remove) as role changes on the members' accounts */
  applyMembership(machineName: string, ops: readonly PatchOp[]): Promise<Result<undefined>>;
}

/** `members[value eq "uuid"]` (what the group push sends to remove one member). */
const REMOVE_MEMBER = /^members\[\s*value\s+eq\s+"([^"\\]+)"\s*\]$/i;

export function createRoleDirectory(send: DrupalSend): RoleDirectory {
  let cached: Promise<Result<Map<string, string>>> | undefined;
  const uuids = () => {
    cached ??= send('GET', '/user_role/user_role', readAs(roleCollectionSchema, 'role collection')).then((r) => {
      if (!r.ok) cached = undefined; // a failure is not remembered: the next row asks again
      return r.ok ? { ...r, value: new Map(r.value.data.map((role) => [role.attributes.drupal_internal__id, role.id])) } : r;
    });
    return cached;
  };

  /** Reads the account's roles and writes them back with `roleUuid` added or removed. */
  async function setRole(user: string, roleUuid: string, add: boolean): Promise<Result<undefined>> {
    const path = `/user/user/${encodeURIComponent(user)}`;
    const read = await send('GET', path, readAs(userDocumentSchema, 'user--user document'));
    if (!read.ok) return read;
    const current = (read.value.data.relationships?.roles?.data ?? []).map((r) => ({ type: ROLE_TYPE, id: r.id }));
    const has = current.some((r) => r.id === roleUuid);
    if (has === add) return { ok: true, value: undefined, status: read.status };
    const data = add ? [...current, { type: ROLE_TYPE, id: roleUuid }] : current.filter((r) => r.id !== roleUuid);
    return send('PATCH', path, readNothing, { body: { data: { type: USER_TYPE, id: user, relationships: { roles: { data } } } } });
  }

  return {
    uuids,
    async applyMembership(machineName, ops) {
      const roles = await uuids();
      if (!roles.ok) return roles;
      const roleUuid = roles.value.get(machineName);
      if (!roleUuid) return { ok: false, failure: missingRole(machineName) };
      const changes: { add: boolean; user: string }[] = [];
      for (const op of ops) {
        if (op.op === 'add' && Array.isArray(op.value)) {
          for (const m of op.value)
            if (m && typeof m === 'object' && !Array.isArray(m) && typeof m.value === 'string') changes.push({ add: true, user: m.value });
        } else if (op.op === 'remove' && op.path) {
          const user = REMOVE_MEMBER.exec(op.path)?.[1];
          if (user) changes.push({ add: false, user });
        }
      }
      for (const c of changes) {
        const r = await setRole(c.user, roleUuid, c.add);
        // An account gone from the site has no role to change; anything else stops the push.
        if (!r.ok && r.failure.kind !== 'not_found') return r;
      }
      return { ok: true, value: undefined, status: 204 };
    },
  };
}

export function missingRole(machineName: string): Failure {
  return {
    kind: 'rejected',
    message: `The Drupal site has no role "${machineName}": create it on the site (People → Roles) or correct options.roleMap. The relay does not create roles.`,
  };
}
