/**
 * The roles a WordPress account held before the relay deactivated it (schema.ts `remote_roles`):
 * remembered before the roles are removed, read back and forgotten on reactivation.
 */
export interface RoleMemory {
  remember(remoteId: string, roles: readonly string[]): Promise<void>;
  /** null: nothing remembered for the account */
  recall(remoteId: string): Promise<string[] | null>;
  forget(remoteId: string): Promise<void>;
}

export function d1RoleMemory(db: D1Database, targetId: string, now: () => Date = () => new Date()): RoleMemory {
  return {
    async remember(remoteId, roles) {
      await db
        .prepare(
          'INSERT INTO remote_roles (target_id, remote_id, roles, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT (target_id, remote_id) DO UPDATE SET roles = excluded.roles, saved_at = excluded.saved_at',
        )
        .bind(targetId, remoteId, JSON.stringify(roles), now().toISOString())
        .run();
    },
    async recall(remoteId) {
      const row = await db.prepare('SELECT roles FROM remote_roles WHERE target_id = ? AND remote_id = ?').bind(targetId, remoteId).first<{ roles: string }>();
      return row ? (JSON.parse(row.roles) as string[]) : null;
    },
    async forget(remoteId) {
      await db.prepare('DELETE FROM remote_roles WHERE target_id = ? AND remote_id = ?').bind(targetId, remoteId).run();
    },
  };
}

/** The same in memory: unit tests, and a client with no database (save and test). */
export function memoryRoleMemory(): RoleMemory {
  const saved = new Map<string, string[]>();
  return {
    remember: async (remoteId, roles) => void saved.set(remoteId, [...roles]),
    recall: async (remoteId) => saved.get(remoteId) ?? null,
    forget: async (remoteId) => void saved.delete(remoteId),
  };
}
