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

/** A token as the admin API lists it: never the hash. */
export interface TokenRow {
  id: string;
  name: string;
  scopes: string;
  created: string;
  lastUsed: string | null;
  revoked: string | null;
}

const TOKEN_COLUMNS = 'id, name, scopes, created, last_used AS lastUsed, revoked';

export async function listTokenRows(d1: D1Database): Promise<TokenRow[]> {
  const { results } = await d1.prepare(`SELECT ${TOKEN_COLUMNS} FROM tokens ORDER BY created DESC, id`).all<TokenRow>();
  return results;
}

export async function insertTokenRow(d1: D1Database, row: { id: string; name: string; hash: string; scopes: string }): Promise<TokenRow> {
  const inserted = await d1
    .prepare(`INSERT INTO tokens (id, name, hash, scopes) VALUES (?, ?, ?, ?) RETURNING ${TOKEN_COLUMNS}`)
    .bind(row.id, row.name, row.hash, row.scopes)
    .first<TokenRow>();
  return inserted!;
}

/** Marks a token revoked (idempotent: the first revocation time stays); undefined when unknown. */
export async function revokeTokenRow(d1: D1Database, id: string, at: string): Promise<TokenRow | undefined> {
  const row = await d1.prepare(`UPDATE tokens SET revoked = COALESCE(revoked, ?) WHERE id = ? RETURNING ${TOKEN_COLUMNS}`).bind(at, id).first<TokenRow>();
  return row ?? undefined;
}
