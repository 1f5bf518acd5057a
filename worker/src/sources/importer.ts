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
import type { ImportRun, Source, SourceCredentials } from '../../../shared/src/sources';
import {
  countUnseen,
  importRunCountsStatement,
  insertImportRun,
  markRemovedStatement,
  saveRunCursorStatement,
  selectImportRun,
  selectImportRuns,
  selectSourceCursor,
  selectUnseen,
  selectUserBodies,
  stopImportRunStatement,
  swapCursorStatement,
  updateImportRun,
  updateSourceRow,
  updateSourceRowIfRun,
  type SourceLinkRow,
  type SourceRow,
} from '../db/sources';
import type { Env } from '../env';
import { type Budget, chargeCpu, cpuFits, cpuItemsLeft, hasRoom, queriesLeft, requestsLeft } from '../limits/budget';
import { CPU_MS } from '../limits/cpu';
import { databaseFill, makeRoomWords, nearlyFullWords } from '../limits/d1-size';
import { parseLimits } from '../limits/profile';
import { ScimError } from '../scim/errors';
import { SCIM_PATCH_OP_URN } from '../scim/patch/patch-request';
import { userResourceType } from '../scim/schema/registry';
import { deleteById, patchResource, type ScimContext } from '../scim/service';
import { applyPage, inScope, type ApplyContext, type UserOutcome } from './apply-page';
import type { Recheck } from './drupal-reader';
import { sourceHttp, type SourceHttp } from './http';
import { SourceError, type RemotePage, type RemoteUser } from './remote';
import { readScimGroupsPage, refusedFilter, scimGroupsUrl, scimListUrl, type RemoteGroup } from './scim-reader';
import { expectedHidden, firstPageUrl, readSourcePage, readsInFull, recheckSourceUser, requireSourceAccount, sourcePageSize } from './source-reader';
import { applyGroups } from './apply-groups';
import { listSources, loadSourceSecret } from './sources';

/** The import's share of the invocation (limits/budget.ts): its `requests` count source fetches and D1 round trips. */
export type ImportBudget = Budget;

/**
 * Worst case of one page: the GET, and per account a read and a write, plus the batch reads.
 * A run starts a page while what is left covers the last page's cost (at least MIN_PAGE_COST),
 * so one page may overshoot the import's share by up to this much — the share is 60% of the
 * invocation's budget, which keeps the profile's reserve under its limit.
 */
const REQUESTS_PER_PAGE = 1 + 2 * 50 + 10;
const MIN_PAGE_COST = 12;
const SWEEP_CHUNK = 25;
/** a sweep chunk's own D1 round trips: the unseen links, their users, the removal marks, the cursor */
const SWEEP_BASE_COST = 4;
/** Longer than an invocation's budget: a crashed invocation's run is taken over after it. */
const LEASE_MS = 90_000;
/** A run whose listing failed this many invocations in a row is given up (and starts afresh). */
const MAX_FAILURES = 3;
/** The relay's own SCIM base, for meta.location of what the service renders (unused here). */
const SCIM_BASE = 'https://relay.invalid/scim/v2';

export type RunKind = 'incremental' | 'full';

interface Cursor {
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
  /** the run has written to the directory (once it ends, the queue wakes the automatic targets) */
  changedDirectory?: boolean;
}

export interface ImportOptions {
  budget: ImportBudget;
  sourceIds?: string[];
  /** start this kind of run now, whatever the schedule (admin "run now", tests) */
  force?: RunKind;
  now?: () => Date;
  fetch?: typeof fetch;
}

/** What a run wrote to the directory so far: the accounts and groups it created, updated, deactivated or deleted. */
const directoryChanges = (counts: Record<string, number>): number =>
  ['created', 'updated', 'deactivated', 'deleted', 'groupsChanged'].reduce((n, k) => n + (counts[k] ?? 0), 0);

const add = (counts: Record<string, number>, key: string, n = 1) => {
  counts[key] = (counts[key] ?? 0) + n;
};

function dueKind(source: Source, row: SourceRow, now: Date): RunKind | null {
  const { intervalMinutes, fullEveryHours } = source.settings.schedule;
  if (!row.watermark || !row.lastFullAt || now.getTime() - Date.parse(row.lastFullAt) >= fullEveryHours * 3_600_000) return 'full';
  if (!row.lastRunAt || now.getTime() - Date.parse(row.lastRunAt) >= intervalMinutes * 60_000) return 'incremental';
  return null;
}

const hasBudget = (b: ImportBudget, reserve = MIN_PAGE_COST) => hasRoom(b, Math.min(reserve, REQUESTS_PER_PAGE), Math.min(reserve, REQUESTS_PER_PAGE));

/** Runs (or continues) the import of every due source; each source in turn while budget lasts. */
export async function runImports(env: Env, opts: ImportOptions): Promise<ImportSummary[]> {
  const now = opts.now ?? (() => new Date());
  const summaries: ImportSummary[] = [];
  const sources = (await listSources(env)).filter((s) => s.status === 'active' && (!opts.sourceIds || opts.sourceIds.includes(s.id)));
  for (const source of sources) {
    if (!hasBudget(opts.budget)) break;
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

/** Drupal stamps are Unix seconds, SCIM's RFC 3339: both order correctly compared as such. */
function newer(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  const numeric = /^\d+$/.test(a) && /^\d+$/.test(b);
  return (numeric ? Number(b) > Number(a) : Date.parse(b) > Date.parse(a)) ? b : a;
}

export function scimContext(env: Env): ScimContext {
  return { db: env.DB, baseUrl: SCIM_BASE };
}

/** The source's cursor is no longer this run's: an admin changed the URL or credentials, or another run replaced it. */
class RunSuperseded extends Error {}

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

async function runBody(
  env: Env,
  source: Source,
  credentials: SourceCredentials,
  cursor: Cursor,
  budget: ImportBudget,
  fetcher: typeof fetch | undefined,
  now: () => Date,
): Promise<ImportSummary> {
  const run = await selectImportRun(env.DB, source.id, cursor.runId);
  const counts = JSON.parse(run?.counts ?? '{}') as Record<string, number>;
  add(counts, 'invocations');
  // a stopped run that goes on is no longer stopped (its next save says so; stopIfFull sets it again)
  delete cursor.stopped;
  const http = sourceHttp(credentials, fetcher);
  const meter = { d1: 0 };
  let spent = 0;
  const charge = () => {
    const total = http.meter.requests + meter.d1;
    budget.requests -= total - spent;
    spent = total;
  };
  const ctx: ApplyContext = { scim: scimContext(env), sourceId: source.id, settings: source.settings, seenAt: now().toISOString(), meter, counts };
  const summary = (status: ImportSummary['status'], error: string | null = null): ImportSummary => ({
    sourceId: source.id,
    runId: cursor.runId,
    kind: cursor.kind,
    status,
    counts,
    error,
    changedDirectory: directoryChanges(counts) > 0,
  });

  // Both write the source row only while its cursor is still this run's (compare-and-swap on
  // the run id): a PATCH of the URL or credentials mid-run clears the cursor, and this run then
  // stops instead of writing back a cursor (or a watermark) of the old site.
  const noteConflicts = (outcomes: UserOutcome[]) => {
    for (const o of outcomes) add(counts, o.outcome);
    for (const o of outcomes) if (o.conflict) add(counts, 'conflict');
    if (!cursor.conflictNote) cursor.conflictNote = outcomes.find((o) => o.conflict)?.detail ?? undefined;
  };
  const finish = async (status: 'done' | 'failed' | 'held', error: string | null, sourceSet: Parameters<typeof updateSourceRow>[2] = {}) => {
    add(counts, 'requests', http.meter.requests);
    // a run that imported what it could still says which accounts it could not take, and why
    if (error === null && (counts.conflict ?? 0) > 0)
      error = `${counts.conflict} account(s) were not imported because their userName is a directory user of another source. First: ${cursor.conflictNote ?? ''}`;
    if (!(await updateSourceRowIfRun(env.DB, source.id, cursor.runId, { cursor: null, lastError: error, ...sourceSet }))) throw new RunSuperseded();
    await updateImportRun(env.DB, cursor.runId, { counts: JSON.stringify(counts), status, error, finishedAt: now().toISOString() });
    return summary(status, error);
  };
  // `lastError`, when given, is written by the same compare-and-swap (one write, not two).
  const save = async (lastError?: string) => {
    meter.d1 += 1;
    charge();
    const [swapped] = await env.DB.batch([
      saveRunCursorStatement(env.DB, source.id, cursor.runId, JSON.stringify(cursor), lastError),
      importRunCountsStatement(env.DB, cursor.runId, { ...counts, requests: (counts.requests ?? 0) + http.meter.requests }),
    ]);
    if (swapped!.meta.changes !== 1) throw new RunSuperseded();
  };

  /**
   * Stops the run when the database is at the full threshold, before the next page or sweep chunk
   * writes anything: the cursor is kept (lease released), the run is `stopped`, and the source's
   * last error says why. The size is the one D1 last reported (no query of its own).
   */
  const stopIfFull = async (): Promise<ImportSummary | null> => {
    const limits = parseLimits(env.RELAY_LIMITS);
    const fill = databaseFill(limits);
    if (fill.level !== 'full') return null;
    const imported = (counts.created ?? 0) + (counts.updated ?? 0) + (counts.unchanged ?? 0);
    const waits = cursor.phase === 'sweep' ? ' (every account was read; deactivating those gone from the source waits)' : '';
    const message = `Stopped: the relay's database is ${nearlyFullWords(fill)} — ${imported.toLocaleString('en-US')} ${imported === 1 ? 'account' : 'accounts'} imported by this run so far${waits}. It resumes where it stopped at the next run once there is room. ${makeRoomWords(limits)}`;
    delete cursor.leaseUntil;
    cursor.stopped = true;
    meter.d1 += 1;
    charge();
    const [swapped] = await env.DB.batch([
      saveRunCursorStatement(env.DB, source.id, cursor.runId, JSON.stringify(cursor), message),
      stopImportRunStatement(env.DB, cursor.runId, { ...counts, requests: (counts.requests ?? 0) + http.meter.requests }, message),
    ]);
    if (swapped!.meta.changes !== 1) throw new RunSuperseded();
    add(counts, 'requests', http.meter.requests);
    return summary('stopped', message);
  };

  /**
   * A request failed: a fatal failure (credentials refused, JSON:API off) pauses the source and
   * keeps its error; others are retried at the next cron, and given up after MAX_FAILURES.
   */
  const failed = async (err: SourceError): Promise<ImportSummary> => {
    add(counts, 'failedRequests');
    if (err.fatal) {
      return finish('failed', err.message, { status: 'paused', pausedReason: err.message, updated: now().toISOString() });
    }
    cursor.failures += 1;
    if (cursor.failures >= MAX_FAILURES)
      return finish('failed', `Gave up after ${MAX_FAILURES} failed attempts; nothing was deactivated. Last error: ${err.message}`);
    delete cursor.leaseUntil;
    await save(err.message);
    add(counts, 'requests', http.meter.requests);
    return summary('running', err.message);
  };

  // Drupal and WordPress take a wrong password for an anonymous visit (../outbound/drupal-login.ts,
  // wordpress-reader.ts): without this question a run would read nothing (or public authors
  // only), report done and clear lastError.
  if ((source.kind === 'drupal-jsonapi' || source.kind === 'wordpress-rest') && cursor.phase === 'read' && cursor.account === undefined) {
    try {
      cursor.account = await requireSourceAccount(source, http, credentials.type);
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      charge();
      return failed(err);
    }
  }

  let pageCost = MIN_PAGE_COST;
  // CPU (limits/cpu.ts): each page is charged what its accounts cost; another page starts only
  // while a whole one fits — the invocation's first always (nothing spent of its CPU yet), so
  // every invocation gets somewhere, once: not once more for each source after the first.
  const pageAccounts = sourcePageSize(source.kind, parseLimits(env.RELAY_LIMITS).cpuMs);
  for (;;) {
    const url = cursor.phase === 'groups' ? (cursor.groupsNext ?? null) : cursor.phase === 'read' ? cursor.next : null;
    if (url === null) {
      // Users read. A SCIM server whose users carry no `groups` gives memberships by /Groups.
      if (cursor.phase === 'read' && source.kind === 'scim' && source.settings.mapping.roles && !cursor.sawUserGroups && !cursor.groupsDone) {
        cursor.phase = 'groups';
        cursor.groupsNext = scimGroupsUrl(source.baseUrl, 1);
        continue;
      }
      if (cursor.phase === 'groups') {
        cursor.phase = 'read';
        cursor.groupsDone = true;
      }
      break;
    }
    const stopped = await stopIfFull();
    if (stopped) return stopped;
    if (!hasBudget(budget, pageCost) || !cpuFits(budget, CPU_MS.importedUser, pageAccounts)) {
      // out of budget: the next invocation continues (and may take the run at once)
      delete cursor.leaseUntil;
      await save();
      add(counts, 'requests', http.meter.requests);
      return summary('running');
    }
    let page: RemotePage | undefined;
    let groups: RemoteGroup[] | undefined;
    let next: string | null;
    const pageStart = http.meter.requests + meter.d1;
    try {
      if (cursor.phase === 'groups') ({ groups, next } = await readScimGroupsPage(http, url));
      else ({ next } = page = await readSourcePage(source, http, url));
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      charge();
      if (source.kind === 'scim' && !cursor.unfiltered && cursor.kind === 'incremental' && refusedFilter(err)) {
        // The server does not filter on meta.lastModified: read everything (no sweep).
        cursor.unfiltered = true;
        cursor.next = scimListUrl(source.baseUrl, 1, null, pageAccounts);
        continue;
      }
      return failed(err);
    }
    cursor.failures = 0;
    if (groups) {
      add(counts, 'groupPages');
      const applied = await applyGroups(ctx, groups);
      add(counts, 'groupsChanged', applied.changed);
      if (applied.failed > 0) add(counts, 'groupsFailed', applied.failed);
      if (applied.deadMembers > 0) add(counts, 'deadMembers', applied.deadMembers);
      cursor.groupsNext = next;
    } else if (page) {
      add(counts, 'pages');
      add(counts, 'read', page.users.length);
      if (page.hidden > 0) add(counts, 'hidden', page.hidden);
      const outcomes: UserOutcome[] = page.users.length > 0 ? await applyPage(ctx, page.users) : [];
      chargeCpu(budget, page.users.length * CPU_MS.importedUser);
      noteConflicts(outcomes);
      for (const u of page.users) cursor.maxChanged = newer(cursor.maxChanged, u.changed);
      if (page.users.some((u) => u.roles !== undefined)) cursor.sawUserGroups = true;
      cursor.next = next;
    }
    // this page's cost (its save included) is the estimate of the next one's
    await save();
    pageCost = Math.max(MIN_PAGE_COST, http.meter.requests + meter.d1 - pageStart);
  }

  if (cursor.phase === 'read') {
    if (cursor.kind === 'incremental') {
      return finish('done', null, { watermark: cursor.maxChanged });
    }
    // Accounts the relay's account may not see (omitted blocked users) are not deleted ones:
    // without the whole picture there is no sweep. Drupal always shows uid 0 as a label only.
    const hiddenAllowed = expectedHidden(source.kind);
    // The guard rail: a complete listing of nobody is a broken source, not an empty site.
    if ((counts.read ?? 0) === 0) {
      const why =
        (counts.hidden ?? 0) > hiddenAllowed
          ? 'The source showed no account the relay may read (only labels, or omitted items): give the account the "administer users" permission. Nothing was deactivated.'
          : 'The source listed nobody; nothing was deactivated.';
      return finish('failed', why);
    }
    if ((counts.hidden ?? 0) > hiddenAllowed) {
      return finish(
        'failed',
        `${(counts.hidden ?? 0) - hiddenAllowed} account(s) were hidden from the relay's account (blocked users need the "administer users" permission), so deletions cannot be told apart: nothing was deactivated.`,
        { lastFullAt: now().toISOString(), watermark: cursor.maxChanged },
      );
    }
    cursor.phase = 'sweep';
    const unseen = await countUnseen(env.DB, source.id, cursor.startedAt);
    if (unseen > source.settings.deletionThreshold && !cursor.approved) {
      counts.held = unseen;
      return finish(
        'held',
        `${unseen} users are gone from the source or no longer match its include filter, more than the deletion threshold of ${source.settings.deletionThreshold}: held until an admin approves this run.`,
        { lastFullAt: now().toISOString(), watermark: cursor.maxChanged },
      );
    }
    await save();
  }
  return sweep(env, source, cursor, counts, budget, http, meter, charge, now, finish, save, summary, stopIfFull);
}

/**
 * Deactivates (or deletes) the directory users of accounts the completed pass did not see. Each
 * is re-read by id first: a listing paged by offset skips an account when one before it is
 * deleted mid-run, so "not seen" is only a suspicion. Removed: a 404 only. Still there: applied
 * (and stamped seen) like any listed account.
 */
async function sweep(
  env: Env,
  source: Source,
  cursor: Cursor,
  counts: Record<string, number>,
  budget: ImportBudget,
  http: SourceHttp,
  meter: { d1: number },
  charge: () => void,
  now: () => Date,
  finish: (status: 'done' | 'failed' | 'held', error: string | null, set?: Parameters<typeof updateSourceRow>[2]) => Promise<ImportSummary>,
  save: (lastError?: string) => Promise<void>,
  summary: (status: ImportSummary['status'], error?: string | null) => ImportSummary,
  stopIfFull: () => Promise<ImportSummary | null>,
): Promise<ImportSummary> {
  const ctx = scimContext(env);
  for (;;) {
    // deactivations write too; a deletion would make room, but one policy for the whole run is plainer
    const stopped = await stopIfFull();
    if (stopped) return stopped;
    // per account: the re-read, a read and a write; plus the chunk's batch reads and writes. A
    // small budget (the Free plan's 50) re-reads fewer accounts per invocation, never none.
    const chunk = Math.min(
      SWEEP_CHUNK,
      Math.floor((Math.min(requestsLeft(budget), queriesLeft(budget)) - SWEEP_BASE_COST) / 4),
      // a re-read account costs about what an imported one does (limits/cpu.ts); an invocation
      // that has spent none of its CPU (no page, no chunk before) re-reads at least one
      cpuFits(budget, CPU_MS.importedUser) ? Math.max(1, cpuItemsLeft(budget, CPU_MS.importedUser)) : 0,
    );
    if (chunk < 1 || Date.now() >= budget.deadline) {
      delete cursor.leaseUntil;
      await save();
      add(counts, 'requests', http.meter.requests);
      return summary('running');
    }
    meter.d1 += 1;
    const unseen = await selectUnseen(env.DB, source.id, cursor.startedAt, chunk, cursor.sweepAfter ?? '');
    if (unseen.length === 0) break;
    chargeCpu(budget, unseen.length * CPU_MS.importedUser);
    const gone: (SourceLinkRow & { excluded?: boolean })[] = [];
    const present: RemoteUser[] = [];
    for (const link of unseen) {
      let found: Recheck;
      try {
        found = await recheckSourceUser(source, http, link.remoteId);
      } catch (err) {
        if (!(err instanceof SourceError)) throw err;
        // Nothing of this chunk is removed on a guess: the next invocation re-reads it.
        charge();
        add(counts, 'failedRequests');
        if (err.fatal) {
          return finish('failed', err.message, { status: 'paused', pausedReason: err.message, updated: now().toISOString() });
        }
        cursor.failures += 1;
        if (cursor.failures >= MAX_FAILURES)
          return finish(
            'failed',
            `Gave up after ${MAX_FAILURES} failed attempts to re-read accounts missing from the listing; nothing more was deactivated. Last error: ${err.message}`,
          );
        delete cursor.leaseUntil;
        await save(err.message);
        add(counts, 'requests', http.meter.requests);
        return summary('running', err.message);
      }
      add(counts, 'rechecked');
      if (found === 'gone') gone.push(link);
      else if (found === 'hidden') add(counts, 'recheckHidden');
      // there, but the include filter no longer takes it: a removal, counted by the threshold
      // like a deletion (it was never stamped seen); deactivated, never deleted
      else if (inScope(found.user, source.settings) === false && found.user.active !== false) gone.push({ ...link, excluded: true });
      else present.push(found.user);
    }
    cursor.failures = 0;
    if (present.length > 0) {
      add(counts, 'foundOnRecheck', present.length);
      const outcomes = await applyPage({ scim: ctx, sourceId: source.id, settings: source.settings, seenAt: now().toISOString(), meter, counts }, present);
      for (const o of outcomes) add(counts, o.outcome);
      for (const o of outcomes) if (o.conflict) add(counts, 'conflict');
      if (!cursor.conflictNote) cursor.conflictNote = outcomes.find((o) => o.conflict)?.detail ?? undefined;
    }
    meter.d1 += 1;
    const users = await selectUserBodies(
      env.DB,
      gone.map((g) => g.userId),
    );
    const at = now().toISOString();
    // only what was removed (or had no directory user left) is marked: a refused deactivation
    // stays a live link, retried by the next reconciliation (the keyset moves past it for now)
    const removed: string[] = [];
    for (const link of gone) {
      const row = users.get(link.userId);
      meter.d1 += 2;
      try {
        if (row && link.excluded) {
          if ((JSON.parse(row.data) as { active?: boolean }).active !== false) {
            await patchResource(
              ctx,
              userResourceType,
              link.userId,
              { schemas: [SCIM_PATCH_OP_URN], Operations: [{ op: 'replace', path: 'active', value: false }] },
              {},
            );
            add(counts, 'deactivated');
          }
          add(counts, 'excluded');
        } else if (row && source.settings.onDeleted === 'delete') {
          await deleteById(ctx, userResourceType, link.userId, {});
          add(counts, 'deleted');
        } else if (row && (JSON.parse(row.data) as { active?: boolean }).active !== false) {
          await patchResource(
            ctx,
            userResourceType,
            link.userId,
            { schemas: [SCIM_PATCH_OP_URN], Operations: [{ op: 'replace', path: 'active', value: false }] },
            {},
          );
          add(counts, 'deactivated');
        }
        removed.push(link.remoteId);
      } catch (err) {
        if (!(err instanceof ScimError)) throw err;
        add(counts, 'failed');
      }
    }
    if (removed.length > 0) {
      meter.d1 += 1;
      await env.DB.batch(removed.map((remoteId) => markRemovedStatement(env.DB, source.id, remoteId, at)));
    }
    cursor.sweepAfter = unseen.at(-1)!.remoteId;
    await save();
  }
  return finish('done', null, { watermark: cursor.maxChanged, lastFullAt: now().toISOString() });
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
