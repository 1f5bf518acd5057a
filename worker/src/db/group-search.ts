/**
 * Directory groups for the console's scope picker (issue #13): by a displayName prefix (the
 * lower-cased name is indexed and unique) or an exact id / externalId, ordered by name, with the
 * count of direct members. One statement: one round trip.
 */
import type { GroupSearch, GroupSummary } from '../../../shared/src/groups';
import { MAX_CHAR } from './directory-views';

export async function searchGroups(d1: D1Database, s: GroupSearch): Promise<GroupSummary[]> {
  const low = s.q?.toLowerCase();
  const where = s.q === undefined ? '' : 'WHERE (g.display_name_lower >= ?1 AND g.display_name_lower < ?2) OR g.id = ?3 OR g.external_id = ?3';
  const { results } = await d1
    .prepare(
      `SELECT g.id, g.display_name AS displayName, g.external_id AS externalId,
              (SELECT count(*) FROM group_members m WHERE m.group_pk = g.pk) AS members
         FROM groups g ${where} ORDER BY g.display_name_lower LIMIT ?4`,
    )
    .bind(low ?? null, low === undefined ? null : low + MAX_CHAR, s.q ?? null, s.limit)
    .all<GroupSummary>();
  return results;
}
