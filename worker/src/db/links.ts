/** Per resource × target link and sync state. */
export interface LinkRow {
  targetId: string;
  resourceType: 'User' | 'Group';
  resourceId: string;
  remoteId: string | null;
  state: 'in_sync' | 'pending' | 'failed' | 'never' | 'out_of_scope';
  payloadHash: string | null;
  payload: string | null;
  remoteState: string | null;
  /** the target's second key for the account (Drupal's uid); absent where the reader did not ask */
  remoteKey?: string | null;
}

export async function loadLink(db: D1Database, targetId: string, type: 'User' | 'Group', resourceId: string): Promise<LinkRow | null> {
  return db
    .prepare(
      `SELECT target_id AS targetId, resource_type AS resourceType, resource_id AS resourceId, remote_id AS remoteId, state,
              payload_hash AS payloadHash, payload, remote_state AS remoteState, remote_key AS remoteKey
         FROM links WHERE target_id = ? AND resource_type = ? AND resource_id = ?`,
    )
    .bind(targetId, type, resourceId)
    .first<LinkRow>();
}

export interface LinkUpdate {
  remoteId?: string | null;
  /** a second key the target knows the account by (Drupal's numeric uid); undefined keeps the stored one */
  remoteKey?: string | null;
  state: LinkRow['state'];
  payloadHash?: string | null;
  payload?: string | null;
  remoteState?: string | null;
  error?: string | null;
  success: boolean;
  nextAttemptAt?: string | null;
  trace?: string;
}

/** 1 when a field is given (written), 0 when undefined (the stored value stays). */
const keep = (v: unknown) => (v === undefined ? 0 : 1);

/** Upserts a link; fields left undefined keep their stored value. */
export function saveLink(db: D1Database, targetId: string, type: 'User' | 'Group', resourceId: string, u: LinkUpdate, now: Date): D1PreparedStatement {
  const at = now.toISOString();
  return db
    .prepare(
      `INSERT INTO links (target_id, resource_type, resource_id, remote_id, state, payload_hash, payload, remote_state, last_attempt_at, last_success_at, next_attempt_at, last_error, last_trace, remote_key)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, CASE WHEN ?10 THEN ?9 END, ?11, ?12, ?13, ?18)
       ON CONFLICT (target_id, resource_type, resource_id) DO UPDATE SET
         remote_id = CASE WHEN ?14 THEN excluded.remote_id ELSE links.remote_id END,
         state = excluded.state,
         payload_hash = CASE WHEN ?15 THEN excluded.payload_hash ELSE links.payload_hash END,
         payload = CASE WHEN ?15 THEN excluded.payload ELSE links.payload END,
         remote_state = CASE WHEN ?16 THEN excluded.remote_state ELSE links.remote_state END,
         last_attempt_at = excluded.last_attempt_at,
         last_success_at = CASE WHEN ?10 THEN excluded.last_attempt_at ELSE links.last_success_at END,
         next_attempt_at = excluded.next_attempt_at,
         last_error = excluded.last_error,
         last_trace = CASE WHEN ?17 THEN excluded.last_trace ELSE links.last_trace END,
         remote_key = CASE WHEN ?19 THEN excluded.remote_key ELSE links.remote_key END`,
    )
    .bind(
      targetId,
      type,
      resourceId,
      u.remoteId ?? null,
      u.state,
      u.payloadHash ?? null,
      u.payload ?? null,
      u.remoteState ?? null,
      at,
      u.success ? 1 : 0,
      u.nextAttemptAt ?? null,
      u.error ?? null,
      u.trace ?? null,
      keep(u.remoteId),
      keep(u.payloadHash),
      keep(u.remoteState),
      keep(u.trace),
      u.remoteKey ?? null,
      keep(u.remoteKey),
    );
}

/** Remote ids of the given users on a target (group push needs its members' remote ids). */
export async function remoteIdsOf(db: D1Database, targetId: string, userIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < userIds.length; i += 98) {
    const part = userIds.slice(i, i + 98);
    const { results } = await db
      .prepare(
        `SELECT resource_id AS id, remote_id AS remoteId FROM links
          WHERE target_id = ? AND resource_type = 'User' AND remote_id IS NOT NULL AND remote_state IS NOT 'deleted'
            AND resource_id IN (${part.map(() => '?').join(',')})`,
      )
      .bind(targetId, ...part)
      .all<{ id: string; remoteId: string }>();
    for (const r of results) out.set(r.id, r.remoteId);
  }
  return out;
}
