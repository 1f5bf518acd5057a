/**
 * A D1 binding wrapped so that every query it runs passes through `onQuery`: the bench entries
 * (limits-entry.ts, d1-counter-entry.ts) count queries, statements and round trips with it, and
 * bench:limits logs each statement's SQL and bound values. A prepared statement's
 * `first`/`all`/`run`/`raw` is one query of one statement; a `batch()` is one query of as many
 * statements as it holds. Bound statements stay wrapped, and `batch()` hands D1 the statements it
 * prepared, not their wrappers. A session (`withSession`) is counted as its binding.
 */
import type { BoundSql } from './bound-sql';

/** Called for each query with its statements; must call `run` and return its promise. */
export type OnQuery = <T>(statements: readonly BoundSql[], run: () => Promise<T>) => Promise<T>;

/**
 * What a wrapper answers for these keys: its D1 statement and its SQL. Read as properties, so they
 * are found through the limits meter's own proxy, which the worker wraps around this binding.
 */
const REAL = Symbol('real statement');
const BOUND = Symbol('bound sql');
type Wrapped = D1PreparedStatement & { [REAL]?: D1PreparedStatement; [BOUND]?: BoundSql };

export function countingDb(db: D1Database, onQuery: OnQuery): D1Database {
  function wrapStatement(s: D1PreparedStatement, self: BoundSql): D1PreparedStatement {
    return new Proxy(s, {
      get(target, prop) {
        if (prop === REAL) return target;
        if (prop === BOUND) return self;
        if (prop === 'bind') return (...args: unknown[]) => wrapStatement(target.bind(...args), { sql: self.sql, params: args });
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw')
          return (...args: unknown[]) => onQuery([self], () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  }

  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql), { sql, params: [] });
      if (prop === 'batch')
        return (stmts: Wrapped[]) =>
          onQuery(
            stmts.map((s) => s[BOUND] ?? { sql: '', params: [] }),
            () => target.batch(stmts.map((s) => s[REAL] ?? s)),
          );
      // The SCIM app reads and writes through a D1 session (db/d1-session.ts): count it as its binding.
      if (prop === 'withSession') return (arg?: string) => countingDb(target.withSession(arg) as unknown as D1Database, onQuery);
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
