/**
 * bench:limits's SQLite share. workerd's process CPU includes the local D1's SQLite, which in
 * production runs inside D1, not in the Worker. To tell the two apart, the bench entry logs every
 * query with its SQL and bound values (bench/worker/limits-entry.ts), and this file replays them,
 * in the order they ran, through Node's own SQLite (node:sqlite) on a copy of the runtime's
 * database taken before they ran: the replay's time per request is the SQLite part of a request,
 * and `EXPLAIN QUERY PLAN` of each distinct statement says which ones scan a table instead of
 * seeking through an index. A batch replays in one transaction, as D1 runs it.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { BoundSql } from '../worker/bound-sql.ts';

export interface ReplayResult {
  /** SQLite CPU ms for the segment's queries, measured in Node */
  ms: number;
  queries: number;
  statements: number;
  /** queries that failed in the replay (a guard that failed in D1 fails here too), and the first one's error */
  errors: number;
  firstError?: string;
}

export interface Scan {
  line: string;
  /** the statements whose plan has the line (SQL, cut to 400 characters) */
  sql: string[];
}

export interface Replica {
  replay(queries: readonly BoundSql[][]): ReplayResult;
  /** `EXPLAIN QUERY PLAN` lines that scan (a table or a whole index), with the statements they are in */
  scans(queries: readonly BoundSql[][]): Scan[];
  close(): void;
}

/** The D1 database file Miniflare keeps under a runtime's persist directory (with its -wal). */
function databaseFiles(persist: string): { dir: string; main: string } {
  const dir = readdirSync(persist, { recursive: true, withFileTypes: true }).find((e) => e.isFile() && e.name.endsWith('.sqlite'));
  if (!dir) throw new Error(`no .sqlite file under ${persist}`);
  return { dir: dir.parentPath, main: dir.name };
}

/** Copies the runtime's database (main file, -wal, -shm) while nothing writes to it. */
export function copyDatabase(persist: string, into: string): string {
  const { dir, main } = databaseFiles(persist);
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  for (const f of readdirSync(dir).filter((f) => f.startsWith(main))) copyFileSync(path.join(dir, f), path.join(into, f));
  return path.join(into, main);
}

/** D1 binds booleans as 0/1 and whole numbers as integers; node:sqlite binds a number as REAL. */
const toSqlite = (v: unknown): SQLInputValue =>
  typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : typeof v === 'number' || typeof v === 'string' ? v : null;

export function openReplica(file: string): Replica {
  const db = new DatabaseSync(file);
  // SQLite's CPU, not the disk's: workerd's D1 does not wait for an fsync per transaction either.
  // A page cache that holds the whole directory, as a warm D1 would: the replay times SQLite, not reads of the file.
  db.exec('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576');
  const prepared = new Map<string, StatementSync>();
  const statement = (sql: string) => {
    let s = prepared.get(sql);
    if (!s) {
      s = db.prepare(sql);
      prepared.set(sql, s);
    }
    return s;
  };
  const run = (q: BoundSql) => statement(q.sql).all(...q.params.map(toSqlite));

  /** Runs one query (a batch in one transaction); answers its error, if any. */
  function replayQuery(query: readonly BoundSql[]): string | null {
    if (query.length === 1) {
      try {
        run(query[0]!);
        return null;
      } catch (err) {
        return `${(err as Error).message} in ${query[0]!.sql.slice(0, 120)}`;
      }
    }
    db.exec('BEGIN');
    try {
      for (const q of query) run(q);
      db.exec('COMMIT');
      return null;
    } catch (err) {
      db.exec('ROLLBACK');
      return `${(err as Error).message} in a batch of ${query.length}`;
    }
  }

  return {
    replay(queries) {
      let errors = 0;
      let firstError: string | undefined;
      // CPU time, not wall time: other processes on a shared machine do not lengthen it.
      const t0 = process.cpuUsage();
      for (const q of queries) {
        const error = replayQuery(q);
        if (error === null) continue;
        errors++;
        firstError ??= error;
      }
      const used = process.cpuUsage(t0);
      const ms = (used.user + used.system) / 1000;
      return { ms, queries: queries.length, statements: queries.reduce((n, q) => n + q.length, 0), errors, ...(firstError ? { firstError } : {}) };
    },
    scans(queries) {
      const seen = new Map<string, BoundSql>();
      for (const q of queries.flat()) if (!seen.has(q.sql)) seen.set(q.sql, q);
      const lines = new Map<string, Set<string>>();
      for (const q of seen.values()) {
        let plan: { detail: string }[];
        try {
          plan = db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params.map(toSqlite)) as { detail: string }[];
        } catch {
          // a statement SQLite cannot explain on its own (none known): no plan to report
          continue;
        }
        // `SCAN n CONSTANT ROWS` is a VALUES list, not a table
        for (const { detail } of plan)
          if (/^SCAN /.test(detail) && !/CONSTANT ROWS?$/.test(detail))
            lines.set(detail, (lines.get(detail) ?? new Set()).add(q.sql.replace(/\s+/g, ' ').slice(0, 400)));
      }
      return [...lines].map(([line, sql]) => ({ line, sql: [...sql] }));
    },
    close: () => db.close(),
  };
}
