/**
 * Token rows. The lookup runs on every request, so it is one raw prepared statement on the
 * unique hash index rather than a query built per call.
 */
export interface TokenRecord {
  id: string;
  name: string;
  scopes: string;
  lastUsed: string | null;
}

export async function findActiveTokenByHash(d1: D1Database, hash: string): Promise<TokenRecord | undefined> {
  const row = await d1
    .prepare('SELECT id, name, scopes, last_used AS lastUsed FROM tokens WHERE hash = ? AND revoked IS NULL LIMIT 1')
    .bind(hash)
    .first<TokenRecord>();
  return row ?? undefined;
}

export async function touchToken(d1: D1Database, id: string, at: string): Promise<void> {
  await d1.prepare('UPDATE tokens SET last_used = ? WHERE id = ?').bind(at, id).run();
}
