/**
 * Users, their links and their place in the target's scope for many outbox rows, in one D1 batch
 * (one round trip): the users and links by chunk, and one statement for the scope of all of them.
 */
import type { SqlFragment } from '../directory/types';
import { MAX_PARAMS, chunk, placeholders } from './sql-helpers';
import type { LinkRow } from './links';
import { inScopeStatement } from './scope';

export interface UserState {
  id: string;
  data: string;
  /** in the target's scope (with its overrides); absent: not asked */
  inScope?: boolean;
}

export async function loadUsersAndLinks(
  db: D1Database,
  targetId: string,
  ids: string[],
  /** the target's scope condition over `users.id` (provisioning/scope.ts) */
  scope: SqlFragment,
): Promise<{ users: Map<string, UserState>; links: Map<string, LinkRow> }> {
  const users = new Map<string, UserState>();
  const links = new Map<string, LinkRow>();
  const stmts = chunk(ids, MAX_PARAMS - 1).flatMap((part) => [
    db.prepare(`SELECT id, data FROM users WHERE id IN (${placeholders(part.length)})`).bind(...part),
    db
      .prepare(
        `SELECT target_id AS targetId, resource_type AS resourceType, resource_id AS resourceId, remote_id AS remoteId, state,
                payload_hash AS payloadHash, payload, remote_state AS remoteState, remote_key AS remoteKey
           FROM links WHERE target_id = ? AND resource_type = 'User' AND resource_id IN (${placeholders(part.length)})`,
      )
      .bind(targetId, ...part),
  ]);
  if (stmts.length === 0) return { users, links };
  const results = await db.batch<Record<string, unknown>>([...stmts, inScopeStatement(db, scope, ids)]);
  const inScope = new Set(results.pop()!.results.map((r) => String(r.id)));
  results.forEach((r, i) => {
    for (const row of r.results) {
      if (i % 2 === 0) users.set(String(row.id), { ...(row as unknown as UserState), inScope: inScope.has(String(row.id)) });
      else links.set(String(row.resourceId), row as unknown as LinkRow);
    }
  });
  return { users, links };
}
