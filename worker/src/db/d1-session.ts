/**
 * D1 read replication (the Sessions API, `withSession`): the SCIM routes run their queries in a
 * session, so reads may be served by a replica near the Worker, and every response carries the
 * session's bookmark. A client that sends that bookmark back (`x-d1-bookmark`) gets a session at
 * least as new as its last write: it reads its own writes even from a replica.
 * developers.cloudflare.com/d1/best-practices/read-replication/
 */

/** The request and response header that carries a D1 bookmark. */
export const BOOKMARK_HEADER = 'x-d1-bookmark';

export interface D1Session {
  /** the binding, with prepare/batch sent through the session */
  db: D1Database;
  /** the newest bookmark the session has seen (null before its first query) */
  bookmark(): string | null;
}

/**
 * A bookmark as D1 writes one (hex groups joined by dashes); anything else is ignored rather than
 * passed to D1, where a malformed bookmark is an error the client could not act on.
 */
export const isBookmark = (value: string | undefined): value is string => value !== undefined && /^[0-9a-f]{8}(-[0-9a-f]{8,64}){1,6}$/i.test(value);

/**
 * Opens a session from the client's bookmark, else from `start`: "first-primary" where the first
 * query must see every committed write, "first-unconstrained" where any replica will do.
 */
export function openSession(db: D1Database, bookmark: string | undefined, start: D1SessionConstraint): D1Session {
  const session = db.withSession(isBookmark(bookmark) ? bookmark : start);
  const viaSession = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return (sql: string) => session.prepare(sql);
      if (prop === 'batch') return (stmts: D1PreparedStatement[]) => session.batch(stmts);
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: viaSession, bookmark: () => session.getBookmark() };
}
