/**
 * The importer: runs each due source's import within the invocation's budget and resumes it at
 * the next cron from `sources.cursor` (the run, the next page URL, the newest change seen).
 *
 * - incremental: accounts changed since the watermark, oldest change first; the watermark moves
 *   only when the run has read its last page, so an interrupted run loses nothing.
 * - full reconciliation: every account; each link seen is stamped with when it was seen, and
 *   when the listing completed, links not seen since the run started are suspected deleted
 *   (an incremental run or single import in between counts as seeing them). Offset paging can
 *   skip an account, so the sweep re-reads each by id and removes it only on the source's 404.
 *
 * Guard rails: a failing listing stops the run before the sweep (nothing is deactivated); a full
 * listing that returns nobody fails the run; a sweep that would remove more users than the
 * source's deletion threshold (deletions and accounts the include filter no longer takes) is
 * held until an admin approves the run. Cursor writes are compare-and-swaps on the run id, so an
 * admin's change of URL or credentials mid-run is never undone by the run it interrupted.
 *
 * A nearly full database (limits/d1-size.ts) stops a run between pages, before it writes the
 * next one: the run is `stopped` with a message that says why and how far it got, keeps its
 * cursor, and the next run (cron, queue, "run now") resumes it where it stopped once there is room.
 */
import type { Source, SourceCredentials } from '../../../shared/src/sources';
import {
  importRunCountsStatement,
  insertImportRun,
  selectImportRun,
  selectImportRuns,
  selectSourceCursor,
  swapCursorStatement,
  updateImportRun,
  updateSourceRow,
  type SourceRow,
} from '../db/sources';
import type { Env } from '../env';
import { parseLimits } from '../limits/profile';
import { sourceHttp } from './http';
import { add, type Cursor, type ImportBudget, importRunState, type ImportSummary, LEASE_MS, MAX_FAILURES, RunSuperseded, type RunKind } from './import-run';
import { endRead, hasImportBudget, READ_GIVE_UP, readPages } from './read-pages';
import { SourceError } from './remote';
import { firstPageUrl, readsInFull, requireSourceAccount } from './source-reader';
import { listSources, loadSourceSecret } from './sources';
import { sweep } from './sweep';

export interface ImportOptions {
  budget: ImportBudget;
  sourceIds?: string[];
  /** start this kind of run now, whatever the schedule (admin "run now", tests) */
  force?: RunKind;
  now?: () => Date;
  fetch?: typeof fetch;
}

function dueKind(source: Source, row: SourceRow, now: Date): RunKind | null {
  const { intervalMinutes, fullEveryHours } = source.settings.schedule;
  if (!row.watermark || !row.lastFullAt || now.getTime() - Date.parse(row.lastFullAt) >= fullEveryHours * 3_600_000) return 'full';
  if (!row.lastRunAt || now.getTime() - Date.parse(row.lastRunAt) >= intervalMinutes * 60_000) return 'incremental';
  return null;
}

/** Runs (or continues) the import of every due source; each source in turn while budget lasts. */
export async function runImports(env: Env, opts: ImportOptions): Promise<ImportSummary[]> {
  const now = opts.now ?? (() => new Date());
  const summaries: ImportSummary[] = [];
  const sources = (await listSources(env)).filter((s) => s.status === 'active' && (!opts.sourceIds || opts.sourceIds.includes(s.id)));
  for (const source of sources) {
    if (!hasImportBudget(opts.budget)) break;
    // One source's fault (a bug, a D1 error) must not wedge its run nor starve the sources after it.
    let running: Awaited<ReturnType<typeof nextRun>> = null;
    try {
      running = await nextRun(env, source, opts, now);
      if (running) summaries.push(await continueRun(env, running.loaded.source, running.loaded.credentials, running.cursor, opts.budget, opts.fetch, now));
    } catch (err) {
      console.error(JSON.stringify({ event: 'import_crashed', sourceId: source.id, runId: running?.cursor.runId ?? null, error: String(err) }));
      summaries.push(await crashed(env, source.id, running?.cursor ?? null, err, now));
    }
  }
  return summaries;
}

/** The run to work on for a source now (its stored one, or a new one when due), leased to this invocation. */
async function nextRun(
  env: Env,
  source: Source,
  opts: ImportOptions,
  now: () => Date,
): Promise<{ loaded: NonNullable<Awaited<ReturnType<typeof loadSourceSecret>>>; cursor: Cursor } | null> {
  {
    const loaded = await loadSourceSecret(env, source.id);
    if (!loaded) return null;
    const raw = loaded.row.cursor;
    let cursor = raw ? (JSON.parse(raw) as Cursor) : null;
    // Another invocation (a cron tick, an admin's "run now") holds this run: leave it be.
    if (cursor?.leaseUntil && Date.parse(cursor.leaseUntil) > now().getTime()) return null;
    // A page link of another origin belongs to the site before the base URL changed: the
    // credentials go to the source's own origin only, so the run starts over there.
    const stale = cursor !== null && !sameOrigin(cursor, loaded.source.baseUrl);
    if (!cursor || opts.force || stale) {
      const kind = opts.force ?? (stale ? cursor!.kind : dueKind(loaded.source, loaded.row, now()));
      if (!kind) return null;
      cursor = await startRun(env, loaded.source, loaded.row, kind, now());
      if (!cursor) return null;
    } else {
      cursor.leaseUntil = new Date(now().getTime() + LEASE_MS).toISOString();
      if (!(await swapCursor(env, source.id, raw, cursor))) return null;
    }
    return { loaded, cursor };
  }
}

function sameOrigin(cursor: Cursor, baseUrl: string): boolean {
  const origin = new URL(baseUrl).origin;
  return [cursor.next, cursor.groupsNext].every((u) => {
    if (!u) return true;
    try {
      return new URL(u).origin === origin;
    } catch {
      return false;
    }
  });
}

/**
 * A run that threw something other than a SourceError: the error is recorded, the lease
 * released, and the attempt counts toward MAX_FAILURES like a failed listing — so the run ends
 * rather than retrying the same page forever. It resumes from its last saved cursor.
 */
async function crashed(env: Env, sourceId: string, cursor: Cursor | null, err: unknown, now: () => Date): Promise<ImportSummary> {
  const message = `The import stopped on an unexpected error: ${err instanceof Error ? err.message : String(err)}`;
  const out = (status: ImportSummary['status'], error: string, counts: Record<string, number> = {}): ImportSummary => ({
    sourceId,
    runId: cursor?.runId ?? '',
    kind: cursor?.kind ?? 'incremental',
    status,
    counts,
    error,
  });
  try {
    if (!cursor) {
      await updateSourceRow(env.DB, sourceId, { lastError: message });
      return out('failed', message);
    }
    const run = await selectImportRun(env.DB, sourceId, cursor.runId);
    const counts = JSON.parse(run?.counts ?? '{}') as Record<string, number>;
    add(counts, 'crashes');
    const storedJson = await selectSourceCursor(env.DB, sourceId);
    const stored = storedJson ? (JSON.parse(storedJson) as Cursor) : null;
    // the run was replaced meanwhile (settings changed, another kind started): nothing to release
    if (!stored || stored.runId !== cursor.runId) return out('failed', message, counts);
    stored.failures += 1;
    delete stored.leaseUntil;
    delete stored.stopped;
    if (stored.failures >= MAX_FAILURES) {
      const error = `Gave up after ${MAX_FAILURES} failed attempts; nothing more was deactivated. Last error: ${message}`;
      await updateImportRun(env.DB, cursor.runId, { counts: JSON.stringify(counts), status: 'failed', error, finishedAt: now().toISOString() });
      await swapCursorStatement(env.DB, sourceId, storedJson, null, error).run();
      return out('failed', error, counts);
    }
    await env.DB.batch([
      swapCursorStatement(env.DB, sourceId, storedJson, JSON.stringify(stored), message),
      importRunCountsStatement(env.DB, cursor.runId, counts),
    ]);
    return out('running', message, counts);
  } catch (again) {
    // D1 itself is failing: the lease expires on its own and the next cron retries
    console.error(JSON.stringify({ event: 'import_crash_not_recorded', sourceId, error: String(again) }));
    return out('failed', message);
  }
}

/**
 * Compare-and-swap of `sources.cursor`: succeeds only if it is still what this invocation read,
 * so two invocations never run one source's import at once.
 */
async function swapCursor(env: Env, sourceId: string, expected: string | null, next: Cursor): Promise<boolean> {
  const res = await swapCursorStatement(env.DB, sourceId, expected, JSON.stringify(next)).run();
  return res.meta.changes === 1;
}

async function startRun(env: Env, source: Source, row: SourceRow, requested: RunKind, now: Date): Promise<Cursor | null> {
  // Without a watermark there is nothing to be incremental from.
  const kind: RunKind = requested === 'incremental' && !row.watermark ? 'full' : requested;
  const runId = crypto.randomUUID();
  const first = firstPageUrl(source, kind, row.watermark, parseLimits(env.RELAY_LIMITS).cpuMs);
  // Without change stamps the watermark is when the last complete read started (source-reader.ts).
  const cursor: Cursor = {
    runId,
    kind,
    phase: 'read',
    next: first,
    maxChanged: readsInFull(source.kind) ? now.toISOString() : row.watermark,
    failures: 0,
    startedAt: now.toISOString(),
    leaseUntil: new Date(now.getTime() + LEASE_MS).toISOString(),
  };
  if (!(await swapCursor(env, source.id, row.cursor, cursor))) return null;
  await updateSourceRow(env.DB, source.id, { lastRunAt: now.toISOString() });
  await insertImportRun(env.DB, { id: runId, sourceId: source.id, kind, startedAt: now.toISOString(), counts: '{}', status: 'running' });
  if (row.cursor) {
    // an admin's "run now" of another kind replaces the run in progress
    const old = JSON.parse(row.cursor) as Cursor;
    await updateImportRun(env.DB, old.runId, { status: 'failed', error: `Replaced by run ${runId}.`, finishedAt: now.toISOString() });
  }
  return cursor;
}

async function continueRun(
  env: Env,
  source: Source,
  credentials: SourceCredentials,
  cursor: Cursor,
  budget: ImportBudget,
  fetcher: typeof fetch | undefined,
  now: () => Date,
): Promise<ImportSummary> {
  try {
    return await runBody(env, source, credentials, cursor, budget, fetcher, now);
  } catch (err) {
    if (!(err instanceof RunSuperseded)) throw err;
    const error =
      'The source was changed during the run (base URL or credentials) or another run replaced it: this run stopped, and the next one starts afresh.';
    const run = await selectImportRun(env.DB, source.id, cursor.runId);
    await updateImportRun(env.DB, cursor.runId, { status: 'failed', error, finishedAt: now().toISOString() });
    return {
      sourceId: source.id,
      runId: cursor.runId,
      kind: cursor.kind,
      status: 'failed',
      counts: JSON.parse(run?.counts ?? '{}') as Record<string, number>,
      error,
    };
  }
}

/** The run's part in this invocation: its pages, then the end of its read, then (a full run) its sweep. */
async function runBody(
  env: Env,
  source: Source,
  credentials: SourceCredentials,
  cursor: Cursor,
  budget: ImportBudget,
  fetcher: typeof fetch | undefined,
  now: () => Date,
): Promise<ImportSummary> {
  const stored = await selectImportRun(env.DB, source.id, cursor.runId);
  const counts = JSON.parse(stored?.counts ?? '{}') as Record<string, number>;
  add(counts, 'invocations');
  // a stopped run that goes on is no longer stopped (its next save says so; stopIfFull sets it again)
  delete cursor.stopped;
  const run = importRunState(env, source, cursor, counts, budget, sourceHttp(credentials, fetcher), now);

  // Drupal and WordPress take a wrong password for an anonymous visit (../outbound/drupal-login.ts,
  // wordpress-reader.ts): without this question a run would read nothing (or public authors
  // only), report done and clear lastError.
  if ((source.kind === 'drupal-jsonapi' || source.kind === 'wordpress-rest') && cursor.phase === 'read' && cursor.account === undefined) {
    try {
      cursor.account = await requireSourceAccount(source, run.http, credentials.type);
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      run.charge();
      return run.failed(err, READ_GIVE_UP);
    }
  }
  const ended = (await readPages(run)) ?? (cursor.phase === 'read' ? await endRead(run) : null);
  return ended ?? sweep(run);
}

/**
 * Approves a held reconciliation: its sweep runs now (and continues at the next crons if the
 * budget runs out). Only the newest full run may be approved — an older pass would take accounts
 * seen since for deleted ones.
 */
export async function approveHeldRun(
  env: Env,
  sourceId: string,
  runId: string,
  budget: ImportBudget,
  fetcher?: typeof fetch,
): Promise<ImportSummary | 'not_found' | 'not_held' | 'stale'> {
  const run = await selectImportRun(env.DB, sourceId, runId);
  const loaded = await loadSourceSecret(env, sourceId);
  if (!run || !loaded) return 'not_found';
  if (run.status !== 'held') return 'not_held';
  const newest = (await selectImportRuns(env.DB, sourceId, 50)).find((r) => r.kind === 'full');
  if (newest?.id !== runId || loaded.row.cursor) return 'stale';
  const cursor: Cursor = {
    runId,
    kind: 'full',
    phase: 'sweep',
    next: null,
    maxChanged: loaded.row.watermark,
    failures: 0,
    approved: true,
    startedAt: run.startedAt,
    leaseUntil: new Date(Date.now() + LEASE_MS).toISOString(),
  };
  if (!(await swapCursor(env, sourceId, null, cursor))) return 'stale';
  await updateImportRun(env.DB, runId, { status: 'running', error: null });
  return continueRun(env, loaded.source, loaded.credentials, cursor, budget, fetcher, () => new Date());
}
