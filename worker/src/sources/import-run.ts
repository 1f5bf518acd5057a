/**
 * One import run as an invocation works on it: its cursor (what `sources.cursor` holds between
 * invocations), its counts, the source's HTTP and the invocation's budget, and the ways a run's
 * invocation ends — finished, paused for the next invocation, failed, or stopped on a nearly full
 * database. The reading (read-pages.ts) and the sweep (sweep.ts) share it.
 *
 * Every write of the source row is a compare-and-swap on the run id: a PATCH of the URL or
 * credentials mid-run clears the cursor, and this run then stops (`RunSuperseded`) instead of
 * writing back a cursor (or a watermark) of the old site.
 */
import type { ImportRun, Source } from '../../../shared/src/sources';
import {
  importRunCountsStatement,
  saveRunCursorStatement,
  stopImportRunStatement,
  updateImportRun,
  type updateSourceRow,
  updateSourceRowIfRun,
} from '../db/sources';
import type { Env } from '../env';
import type { Budget } from '../limits/budget';
import { databaseFill, makeRoomWords, nearlyFullWords } from '../limits/d1-size';
import { parseLimits } from '../limits/profile';
import type { ScimContext } from '../scim/service';
import type { ApplyContext, UserOutcome } from './apply-page';
import type { SourceHttp } from './http';
import type { SourceError } from './remote';

/** The import's share of the invocation (limits/budget.ts): its `requests` count source fetches and D1 round trips. */
export type ImportBudget = Budget;

export type RunKind = 'incremental' | 'full';

/** Longer than an invocation's budget: a crashed invocation's run is taken over after it. */
export const LEASE_MS = 90_000;
/** A run whose listing failed this many invocations in a row is given up (and starts afresh). */
export const MAX_FAILURES = 3;
/** The relay's own SCIM base, for meta.location of what the service renders (unused here). */
const SCIM_BASE = 'https://relay.invalid/scim/v2';

export interface Cursor {
  runId: string;
  kind: RunKind;
  phase: 'read' | 'groups' | 'sweep';
  next: string | null;
  /** newest change stamp read so far: the next watermark */
  maxChanged: string | null;
  failures: number;
  /** a held sweep an admin approved */
  approved?: boolean;
  /** SCIM: the server refused the lastModified filter, read without it */
  unfiltered?: boolean;
  /** when the run started: a full run sweeps links not seen since */
  startedAt: string;
  /** the invocation working on the run holds it until then */
  leaseUntil?: string;
  /** SCIM: some user carried `groups`, so memberships came with the users */
  sawUserGroups?: boolean;
  /** SCIM: the /Groups page to read next, once the users are read */
  groupsNext?: string | null;
  groupsDone?: boolean;
  /** sweep: the last link (remote_id) handled, so what it left alone is not read again */
  sweepAfter?: string;
  /** the first conflict's detail (an account whose userName is another source's user), for the run's message */
  conflictNote?: string;
  /** Drupal: the account the site took the relay for (`meta.links.me`), asked once per run */
  account?: string;
  /** stopped on a nearly full database (limits/d1-size.ts); cleared when the run writes again */
  stopped?: boolean;
}

export interface ImportSummary {
  sourceId: string;
  runId: string;
  kind: RunKind;
  status: ImportRun['status'];
  counts: Record<string, number>;
  error: string | null;
}

export function scimContext(env: Env): ScimContext {
  return { db: env.DB, baseUrl: SCIM_BASE };
}

/** The source's cursor is no longer this run's: an admin changed the URL or credentials, or another run replaced it. */
export class RunSuperseded extends Error {}

export const add = (counts: Record<string, number>, key: string, n = 1) => {
  counts[key] = (counts[key] ?? 0) + n;
};

/** Whether a run (by its counts) wrote to the directory: created, updated, deactivated or deleted accounts or groups (once it ends, the queue wakes the automatic targets). */
export const changedDirectory = (counts: Record<string, number>): boolean =>
  ['created', 'updated', 'deactivated', 'deleted', 'groupsChanged'].some((k) => (counts[k] ?? 0) > 0);

type SourceSet = Parameters<typeof updateSourceRow>[2];

export interface ImportRunState {
  env: Env;
  source: Source;
  cursor: Cursor;
  counts: Record<string, number>;
  budget: ImportBudget;
  http: SourceHttp;
  /** D1 round trips made by the run, beside the source's requests (`http.meter`) */
  meter: { d1: number };
  /** what the run's pages and sweep apply accounts with: seen as of the invocation's start (links are compared with the run's start) */
  apply: ApplyContext;
  now: () => Date;
  /** charges the budget what the run spent since the last charge */
  charge(): void;
  summary(status: ImportSummary['status'], error?: string | null): ImportSummary;
  /** counts each account's outcome, and keeps the first conflict's detail for the run's message */
  noteConflicts(outcomes: UserOutcome[]): void;
  /** ends the run: the cursor cleared, the run's status and counts written */
  finish(status: 'done' | 'failed' | 'held', error: string | null, sourceSet?: SourceSet): Promise<ImportSummary>;
  /** saves the cursor and counts; `lastError`, when given, is written by the same compare-and-swap */
  save(lastError?: string): Promise<void>;
  /** the invocation is done with the run (its budget spent, or a retriable failure): saved, lease released, still running */
  pause(lastError?: string): Promise<ImportSummary>;
  /**
   * A request failed: a fatal failure (credentials refused, JSON:API off) pauses the source and
   * keeps its error; others are retried at the next invocation, and given up after MAX_FAILURES
   * (`Gave up after 3 ${giveUpWords}. Last error: …`).
   */
  failed(err: SourceError, giveUpWords: string): Promise<ImportSummary>;
  /**
   * Stops the run when the database is at the full threshold, before the next page or sweep chunk
   * writes anything: the cursor is kept (lease released), the run is `stopped`, and the source's
   * last error says why. The size is the one D1 last reported (no query of its own).
   */
  stopIfFull(): Promise<ImportSummary | null>;
}

export function importRunState(
  env: Env,
  source: Source,
  cursor: Cursor,
  counts: Record<string, number>,
  budget: ImportBudget,
  http: SourceHttp,
  now: () => Date,
): ImportRunState {
  const meter = { d1: 0 };
  let spent = 0;
  const requestsSoFar = () => ({ ...counts, requests: (counts.requests ?? 0) + http.meter.requests });
  const state: ImportRunState = {
    env,
    source,
    cursor,
    counts,
    budget,
    http,
    meter,
    now,
    apply: { scim: scimContext(env), sourceId: source.id, settings: source.settings, seenAt: now().toISOString(), meter, counts },
    charge() {
      const total = http.meter.requests + meter.d1;
      budget.requests -= total - spent;
      spent = total;
    },
    summary: (status, error = null) => ({
      sourceId: source.id,
      runId: cursor.runId,
      kind: cursor.kind,
      status,
      counts,
      error,
    }),
    noteConflicts(outcomes) {
      for (const o of outcomes) add(counts, o.outcome);
      for (const o of outcomes) if (o.conflict) add(counts, 'conflict');
      if (!cursor.conflictNote) cursor.conflictNote = outcomes.find((o) => o.conflict)?.detail ?? undefined;
    },
    async finish(status, error, sourceSet = {}) {
      add(counts, 'requests', http.meter.requests);
      // a run that imported what it could still says which accounts it could not take, and why
      if (error === null && (counts.conflict ?? 0) > 0)
        error = `${counts.conflict} account(s) were not imported because their userName is a directory user of another source. First: ${cursor.conflictNote ?? ''}`;
      if (!(await updateSourceRowIfRun(env.DB, source.id, cursor.runId, { cursor: null, lastError: error, ...sourceSet }))) throw new RunSuperseded();
      await updateImportRun(env.DB, cursor.runId, { counts: JSON.stringify(counts), status, error, finishedAt: now().toISOString() });
      return state.summary(status, error);
    },
    async save(lastError) {
      meter.d1 += 1;
      state.charge();
      const [swapped] = await env.DB.batch([
        saveRunCursorStatement(env.DB, source.id, cursor.runId, JSON.stringify(cursor), lastError),
        importRunCountsStatement(env.DB, cursor.runId, requestsSoFar()),
      ]);
      if (swapped!.meta.changes !== 1) throw new RunSuperseded();
    },
    async pause(lastError) {
      delete cursor.leaseUntil;
      await state.save(lastError);
      add(counts, 'requests', http.meter.requests);
      return state.summary('running', lastError ?? null);
    },
    async failed(err, giveUpWords) {
      add(counts, 'failedRequests');
      if (err.fatal) return state.finish('failed', err.message, { status: 'paused', pausedReason: err.message, updated: now().toISOString() });
      cursor.failures += 1;
      if (cursor.failures >= MAX_FAILURES) return state.finish('failed', `Gave up after ${MAX_FAILURES} ${giveUpWords}. Last error: ${err.message}`);
      return state.pause(err.message);
    },
    async stopIfFull() {
      const limits = parseLimits(env.RELAY_LIMITS);
      const fill = databaseFill(limits);
      if (fill.level !== 'full') return null;
      const imported = (counts.created ?? 0) + (counts.updated ?? 0) + (counts.unchanged ?? 0);
      const waits = cursor.phase === 'sweep' ? ' (every account was read; deactivating those gone from the source waits)' : '';
      const message = `Stopped: the relay's database is ${nearlyFullWords(fill)} — ${imported.toLocaleString('en-US')} ${imported === 1 ? 'account' : 'accounts'} imported by this run so far${waits}. It resumes where it stopped at the next run once there is room. ${makeRoomWords(limits)}`;
      delete cursor.leaseUntil;
      cursor.stopped = true;
      meter.d1 += 1;
      state.charge();
      const [swapped] = await env.DB.batch([
        saveRunCursorStatement(env.DB, source.id, cursor.runId, JSON.stringify(cursor), message),
        stopImportRunStatement(env.DB, cursor.runId, requestsSoFar(), message),
      ]);
      if (swapped!.meta.changes !== 1) throw new RunSuperseded();
      add(counts, 'requests', http.meter.requests);
      return state.summary('stopped', message);
    },
  };
  return state;
}
