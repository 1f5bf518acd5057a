/**
 * Which directory group a source's role (or remote group) lands in. Group displayNames are
 * unique (Entra ID matches groups by name), so two sources with a role of the same name must not
 * end up sharing one group: only the source that made a group removes members from it, so the
 * other source's departures would never leave. A group another source made for its role is
 * therefore not joined by name; this source makes its own, named after it: "editor (Site B)".
 * A group an IdP or an admin made is still joined by name, and so is a name the admin mapped the
 * role to explicitly (settings.mapping.roleGroups): that sharing is asked for.
 */
import type { SourceSettings } from '../../../shared/src/sources';

export interface NamedGroup {
  displayName: string;
  externalId: string | null;
}

/** `<sourceId>:role:`, what the externalId of every group a source makes starts with. */
export const roleExternalIdPrefix = (sourceId: string) => `${sourceId}:role:`;
/** `<sourceId>:role:<role>`: the externalId a source gives the group it makes for a role (or remote group). */
export const roleExternalId = (sourceId: string, role: string) => `${roleExternalIdPrefix(sourceId)}${role}`;
/** The group name a role lands in: the admin's mapping of it, else the role's own name. */
export const roleGroupName = (settings: Pick<SourceSettings, 'mapping'>, role: string) => settings.mapping.roleGroups[role] ?? role;

const ROLE_EXTERNAL_ID = /^.+:role:/;

const isOtherSourcesRoleGroup = (g: NamedGroup, sourceId: string) =>
  g.externalId !== null && ROLE_EXTERNAL_ID.test(g.externalId) && !g.externalId.startsWith(roleExternalIdPrefix(sourceId));

/** The group found by name that this source may join, if any. */
export function joinableByName<G extends NamedGroup>(groups: readonly G[], name: string, sourceId: string, mapped: boolean): G | undefined {
  return groups.find((g) => g.displayName.toLowerCase() === name.toLowerCase() && (mapped || !isOtherSourcesRoleGroup(g, sourceId)));
}

/** The name for a new group: the role's own, or "<name> (<source name>)" when another source's role group has it. */
export async function newRoleGroupName(db: D1Database, meter: { d1: number }, groups: readonly NamedGroup[], name: string, sourceId: string): Promise<string> {
  if (!groups.some((g) => g.displayName.toLowerCase() === name.toLowerCase())) return name;
  meter.d1 += 1;
  const source = await db.prepare('SELECT name FROM sources WHERE id = ?').bind(sourceId).first<{ name: string }>();
  return `${name} (${source?.name ?? sourceId})`;
}
