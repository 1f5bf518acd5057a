/** Users and their links for many outbox rows in two statements (the Bulk path). */
import { MAX_PARAMS, chunk, placeholders } from './sql-helpers';
import type { LinkRow } from './links';

export interface UserState {
  id: string;
  data: string;
}

export async function loadUsersAndLinks(
  db: D1Database,
  targetId: string,
  ids: string[],
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
  const results = await db.batch<Record<string, unknown>>(stmts);
  results.forEach((r, i) => {
    for (const row of r.results) {
      if (i % 2 === 0) users.set(String(row.id), row as unknown as UserState);
      else links.set(String(row.resourceId), row as unknown as LinkRow);
    }
  });
  return { users, links };
}
