/**
 * Cursor paging (RFC 9865). A cursor is opaque to clients: base64url JSON naming where the next
 * page starts. With the default order it is the last row's key, so any page costs the same
 * however deep; with sortBy it carries an offset. It is bound to the query that made it, so a
 * cursor replayed with another filter or sort is rejected as invalidCursor.
 */
import { badRequest } from './errors';

interface CursorState {
  /** keyset: the last pk returned */
  k?: number;
  /** offset: rows already returned */
  o?: number;
  /** fingerprint of filter + sort */
  h: string;
}

export function queryFingerprint(...parts: string[]): string {
  // FNV-1a: enough to tell queries apart; not a security boundary.
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

export function encodeCursor(state: CursorState): string {
  return btoa(JSON.stringify(state)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Both fields are bound into SQL (LIMIT/OFFSET, a pk comparison): each one present must be a
 * small non-negative integer, or a crafted cursor (`{"o":1e308}`) becomes SQLITE_MISMATCH.
 */
const isOffset = (n: unknown) => n === undefined || (Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= MAX_OFFSET);
const MAX_OFFSET = 2 ** 31 - 1;

export function decodeCursor(text: string, fingerprint: string): CursorState | undefined {
  if (text === '') return undefined;
  let state: unknown;
  try {
    state = JSON.parse(atob(text.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    throw badRequest('invalidCursor', 'The cursor is not one this server issued.');
  }
  const s = state as CursorState;
  const ok = typeof s === 'object' && s !== null && typeof s.h === 'string' && (s.k !== undefined || s.o !== undefined) && isOffset(s.k) && isOffset(s.o);
  if (!ok) throw badRequest('invalidCursor', 'The cursor is not one this server issued.');
  if (s.h !== fingerprint) throw badRequest('invalidCursor', 'The cursor belongs to a different filter or sort order.');
  return s;
}
