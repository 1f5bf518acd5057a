/**
 * A D1 binding wrapped so that every query it runs passes through `onQuery`: the bench entries
 * (limits-entry.ts, d1-counter-entry.ts) count queries, statements and round trips with it. A
 * prepared statement's `first`/`all`/`run`/`raw` is one query of one statement; a `batch()` is one
 * query of as many statements as it holds. Bound statements stay wrapped, and `batch()` hands D1
 * the statements it prepared, not their wrappers. A session (`withSession`) is counted as its binding.
 */

/** Called for each query with its number of statements; must call `run` and return its promise. */
export type OnQuery = <T>(statements: number, run: () => Promise<T>) => Promise<T>;

export function countingDb(db: D1Database, onQuery: OnQuery): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();

  function wrapStatement(s: D1PreparedStatement): D1PreparedStatement {
    const wrapped = new Proxy(s, {
      get(target, prop) {
        if (prop === 'bind') return (...args: unknown[]) => wrapStatement(target.bind(...args));
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw')
          return (...args: unknown[]) => onQuery(1, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    real.set(wrapped, s);
    return wrapped;
  }

  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql));
      if (prop === 'batch') return (stmts: D1PreparedStatement[]) => onQuery(stmts.length, () => target.batch(stmts.map((s) => real.get(s) ?? s)));
      // The SCIM app reads and writes through a D1 session (db/d1-session.ts): count it as its binding.
      if (prop === 'withSession') return (arg?: string) => countingDb(target.withSession(arg) as unknown as D1Database, onQuery);
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
