import { selectGroups } from '../db/sources';
import { ScimError } from '../scim/errors';
import { SCIM_GROUP_URN } from '../scim/schema/group-schema';
import { groupResourceType } from '../scim/schema/registry';
import { createResource } from '../scim/service';
import { patchMembers } from './apply-groups';
import type { ApplyContext, Work } from './apply-page';
import { joinableByName, newRoleGroupName, roleExternalId, roleExternalIdPrefix, roleGroupName } from './role-group-name';

/**
 * Roles → groups: one group per role (found by the externalId the source gives it, else by
 * name, else created), and per group one PATCH with the page's adds and removes. Only groups of
 * this source's roles lose members here; groups an IdP manages are left alone.
 */
export async function applyRoles(ctx: ApplyContext, work: Work[]): Promise<void> {
  if (work.length === 0) return;
  const { settings, sourceId } = ctx;
  const prefix = roleExternalIdPrefix(sourceId);
  const roles = [...new Set(work.flatMap((w) => w.u.roles!))];
  ctx.meter.d1 += 1;
  const existing = await selectGroups(
    ctx.scim.db,
    roles.map((r) => roleExternalId(sourceId, r)),
    roles.map((r) => roleGroupName(settings, r)),
  );
  const groupOf = new Map<string, string>();
  for (const role of roles) {
    const mapped = settings.mapping.roleGroups[role] !== undefined;
    const hit =
      existing.find((g) => g.externalId === roleExternalId(sourceId, role)) ?? joinableByName(existing, roleGroupName(settings, role), sourceId, mapped);
    if (hit) {
      groupOf.set(role, hit.id);
      continue;
    }
    ctx.meter.d1 += 1;
    try {
      const displayName = await newRoleGroupName(ctx.scim.db, ctx.meter, existing, roleGroupName(settings, role), sourceId);
      const created = await createResource(ctx.scim, groupResourceType, { schemas: [SCIM_GROUP_URN], displayName, externalId: roleExternalId(sourceId, role) });
      groupOf.set(role, String(created.resource.id));
    } catch (err) {
      // the directory refused the group: this role's memberships wait for the next run
      if (!(err instanceof ScimError)) throw err;
      if (ctx.counts) ctx.counts.groupsFailed = (ctx.counts.groupsFailed ?? 0) + 1;
    }
  }
  const managed = new Set(groupOf.values());
  const adds = new Map<string, string[]>();
  const removes = new Map<string, string[]>();
  for (const w of work) {
    const want = new Set(w.u.roles!.map((r) => groupOf.get(r)).filter((g): g is string => g !== undefined));
    const have = new Set(w.groups.map((g) => g.id));
    let touched = false;
    for (const g of want) if (!have.has(g)) (adds.get(g) ?? adds.set(g, []).get(g)!).push(w.userId!), (touched = true);
    for (const g of w.groups) {
      if ((g.externalId?.startsWith(prefix) || managed.has(g.id)) && !want.has(g.id))
        (removes.get(g.id) ?? removes.set(g.id, []).get(g.id)!).push(w.userId!), (touched = true);
    }
    if (touched) {
      w.out.changed.push('groups');
      if (w.out.outcome === 'unchanged') w.out.outcome = 'updated';
    }
  }
  for (const groupId of new Set([...adds.keys(), ...removes.keys()])) {
    if (!(await patchMembers(ctx, groupId, adds.get(groupId) ?? [], removes.get(groupId) ?? [])) && ctx.counts)
      ctx.counts.groupsFailed = (ctx.counts.groupsFailed ?? 0) + 1;
  }
}
