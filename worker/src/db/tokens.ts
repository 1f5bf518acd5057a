/** Token rows (drizzle lives only under db/). */
import { and, eq, isNull } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { tokens } from './schema';

export interface TokenRecord {
  id: string;
  name: string;
  scopes: string;
  lastUsed: string | null;
}

export async function findActiveTokenByHash(d1: D1Database, hash: string): Promise<TokenRecord | undefined> {
  const rows = await drizzle(d1)
    .select({ id: tokens.id, name: tokens.name, scopes: tokens.scopes, lastUsed: tokens.lastUsed })
    .from(tokens)
    .where(and(eq(tokens.hash, hash), isNull(tokens.revoked)))
    .limit(1);
  return rows[0];
}

export async function touchToken(d1: D1Database, id: string, at: string): Promise<void> {
  await drizzle(d1).update(tokens).set({ lastUsed: at }).where(eq(tokens.id, id));
}
