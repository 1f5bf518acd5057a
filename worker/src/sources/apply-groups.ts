/**
 * Memberships from a SCIM source's /Groups, for servers whose users do not carry `groups`: each
 * source group becomes (or finds) a directory group, whose members are set to the group's
 * members the relay has imported. A group this source created (its externalId) is managed in
 * full; a group found by name only gains members. Writes go through the SCIM service, like
 * every import write. A link whose directory user was deleted since (by an IdP, an admin) is a
 * dead member: left out and counted, never sent (the service refuses unknown member ids). A
 * group the directory refuses is counted as failed; the others are still applied.
 */
import { selectExistingUserIds, selectGroups, selectLinks } from '../db/sources';
import { ScimError } from '../scim/errors';
import { SCIM_PATCH_OP_URN } from '../scim/patch/patch-request';
import { SCIM_GROUP_URN } from '../scim/schema/group-schema';
import { groupResourceType } from '../scim/schema/registry';
import { createResource, patchResource } from '../scim/service';
import type { ApplyContext } from './apply-page';
import { joinableByName, newRoleGroupName, roleExternalId, roleGroupName } from './role-group-name';
import type { RemoteGroup } from './scim-reader';

export interface GroupsApplied {
  changed: number;
  failed: number;
  deadMembers: number;
}

export async function applyGroups(ctx: ApplyContext, groups: readonly RemoteGroup[]): Promise<GroupsApplied> {
  const result: GroupsApplied = { changed: 0, failed: 0, deadMembers: 0 };
  if (groups.length === 0) return result;
  const db = ctx.scim.db;
  const { sourceId, settings } = ctx;
  ctx.meter.d1 += 2;
  const links = await selectLinks(db, sourceId, [...new Set(groups.flatMap((g) => g.memberIds))]);
  const nameOf = (g: RemoteGroup) => roleGroupName(settings, g.name);
  const externalIdOf = (g: RemoteGroup) => roleExternalId(sourceId, g.name);
  const existing = await selectGroups(db, groups.map(externalIdOf), groups.map(nameOf));
  const liveLinks = [...links.values()].filter((l) => l.removedAt === null);
  ctx.meter.d1 += 1;
  const alive = await selectExistingUserIds(
    db,
    liveLinks.map((l) => l.userId),
  );
  for (const g of groups) {
    const linked = g.memberIds
      .map((id) => links.get(id))
      .filter((l) => l && l.removedAt === null)
      .map((l) => l!.userId);
    const want = new Set(linked.filter((id) => alive.has(id)));
    result.deadMembers += linked.length - linked.filter((id) => alive.has(id)).length;
    const byExternalId = existing.find((x) => x.externalId === externalIdOf(g));
    const found = byExternalId ?? joinableByName(existing, nameOf(g), sourceId, settings.mapping.roleGroups[g.name] !== undefined);
    if (!found) {
      if (want.size === 0) continue;
      ctx.meter.d1 += 1;
      const displayName = await newRoleGroupName(db, ctx.meter, existing, nameOf(g), sourceId);
      if (
        await written(() =>
          createResource(ctx.scim, groupResourceType, {
            schemas: [SCIM_GROUP_URN],
            displayName,
            externalId: externalIdOf(g),
            members: [...want].map((value) => ({ value })),
          }),
        )
      )
        result.changed++;
      else result.failed++;
      continue;
    }
    ctx.meter.d1 += 1;
    const current = new Set(
      (
        await db.prepare('SELECT m.member_id AS id FROM group_members m JOIN groups g ON g.pk = m.group_pk WHERE g.id = ?').bind(found.id).all<{ id: string }>()
      ).results.map((r) => r.id),
    );
    const add = [...want].filter((id) => !current.has(id));
    // Only a group this source made loses members that left the source's group.
    const remove = byExternalId ? [...current].filter((id) => !want.has(id)) : [];
    if (add.length === 0 && remove.length === 0) continue;
    if (await patchMembers(ctx, found.id, add, remove)) result.changed++;
    else result.failed++;
  }
  return result;
}

/** One PATCH of a group's members: these added, those removed; false when the directory refused it. */
export function patchMembers(ctx: ApplyContext, groupId: string, add: readonly string[], remove: readonly string[]): Promise<boolean> {
  const ops: { op: string; path: string; value?: unknown }[] = [];
  if (add.length > 0) ops.push({ op: 'add', path: 'members', value: add.map((value) => ({ value })) });
  for (const id of remove) ops.push({ op: 'remove', path: `members[value eq "${id}"]` });
  ctx.meter.d1 += 2;
  return written(() => patchResource(ctx.scim, groupResourceType, groupId, { schemas: [SCIM_PATCH_OP_URN], Operations: ops }, {}));
}

/** A write the directory may refuse (ScimError): false then; anything else is a fault and thrown. */
export async function written(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (!(err instanceof ScimError)) throw err;
    return false;
  }
}
