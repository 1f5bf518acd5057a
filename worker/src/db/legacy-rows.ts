/**
 * Rows stored by older releases, upgraded in place the first time their owner opens them: a
 * credential sealed without its row as additional data (auth/secrets.ts), a base URL with
 * credentials inside (shared/src/base-url.ts). Each is a compare-and-swap on the old value, so a
 * change an admin saved in the meantime is never overwritten by the upgraded old one.
 */
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { sources, targets } from './schema';

export async function swapTargetTokenEnc(d1: D1Database, id: string, from: string, to: string): Promise<void> {
  await drizzle(d1)
    .update(targets)
    .set({ tokenEnc: to })
    .where(and(eq(targets.id, id), eq(targets.tokenEnc, from)));
}

export async function swapSourceCredentialsEnc(d1: D1Database, id: string, from: string, to: string): Promise<void> {
  await drizzle(d1)
    .update(sources)
    .set({ credentialsEnc: to })
    .where(and(eq(sources.id, id), eq(sources.credentialsEnc, from)));
}

export async function swapTargetBaseUrl(d1: D1Database, id: string, from: string, to: string): Promise<void> {
  await drizzle(d1)
    .update(targets)
    .set({ baseUrl: to })
    .where(and(eq(targets.id, id), eq(targets.baseUrl, from)));
}

export async function swapSourceBaseUrl(d1: D1Database, id: string, from: string, to: string): Promise<void> {
  await drizzle(d1)
    .update(sources)
    .set({ baseUrl: to })
    .where(and(eq(sources.id, id), eq(sources.baseUrl, from)));
}
