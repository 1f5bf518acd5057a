/**
 * An import run's reading: the source's pages of accounts (and a SCIM server's /Groups pages),
 * applied to the directory page by page while the invocation's budget lasts, then the end of the
 * read — an incremental run is done; a full run goes on to its sweep, unless its guard rails stop
 * it (a listing of nobody, accounts hidden from the relay, more removals than the threshold).
 */
import { countUnseen } from '../db/sources';
import { chargeCpu, cpuFits, hasRoom } from '../limits/budget';
import { CPU_MS } from '../limits/cpu';
import { parseLimits } from '../limits/profile';
import { applyPage, type UserOutcome } from './apply-page';
import { applyGroups } from './apply-groups';
import { add, type ImportBudget, type ImportRunState, type ImportSummary } from './import-run';
import { SourceError, type RemotePage } from './remote';
import { readScimGroupsPage, refusedFilter, scimGroupsUrl, scimListUrl, type RemoteGroup } from './scim-reader';
import { expectedHidden, readSourcePage, sourcePageSize } from './source-reader';

/**
 * Worst case of one page: the GET, and per account a read and a write, plus the batch reads.
 * A run starts a page while what is left covers the last page's cost (at least MIN_PAGE_COST),
 * so one page may overshoot the import's share by up to this much — the share is 60% of the
 * invocation's budget, which keeps the profile's reserve under its limit.
 */
const REQUESTS_PER_PAGE = 1 + 2 * 50 + 10;
const MIN_PAGE_COST = 12;

export const hasImportBudget = (b: ImportBudget, reserve = MIN_PAGE_COST) =>
  hasRoom(b, Math.min(reserve, REQUESTS_PER_PAGE), Math.min(reserve, REQUESTS_PER_PAGE));

/** Drupal stamps are Unix seconds, SCIM's RFC 3339: both order correctly compared as such. */
function newer(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  const numeric = /^\d+$/.test(a) && /^\d+$/.test(b);
  return (numeric ? Number(b) > Number(a) : Date.parse(b) > Date.parse(a)) ? b : a;
}

/** How a run that could not read says it gave up (`Gave up after 3 …`). */
export const READ_GIVE_UP = 'failed attempts; nothing was deactivated';

/** Reads pages until the listing ends (null: the run goes on to the end of its read) or the invocation's part does (its summary). */
export async function readPages(run: ImportRunState): Promise<ImportSummary | null> {
  const { env, source, cursor, counts, budget, http, meter } = run;
  const ctx = run.apply;
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
      return null;
    }
    const stopped = await run.stopIfFull();
    if (stopped) return stopped;
    // out of budget: the next invocation continues (and may take the run at once)
    if (!hasImportBudget(budget, pageCost) || !cpuFits(budget, CPU_MS.importedUser, pageAccounts)) return run.pause();
    let page: RemotePage | undefined;
    let groups: RemoteGroup[] | undefined;
    let next: string | null;
    const pageStart = http.meter.requests + meter.d1;
    try {
      if (cursor.phase === 'groups') ({ groups, next } = await readScimGroupsPage(http, url));
      else ({ next } = page = await readSourcePage(source, http, url));
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      run.charge();
      if (source.kind === 'scim' && !cursor.unfiltered && cursor.kind === 'incremental' && refusedFilter(err)) {
        // The server does not filter on meta.lastModified: read everything (no sweep).
        cursor.unfiltered = true;
        cursor.next = scimListUrl(source.baseUrl, 1, null, pageAccounts);
        continue;
      }
      return run.failed(err, READ_GIVE_UP);
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
      run.noteConflicts(outcomes);
      for (const u of page.users) cursor.maxChanged = newer(cursor.maxChanged, u.changed);
      if (page.users.some((u) => u.roles !== undefined)) cursor.sawUserGroups = true;
      cursor.next = next;
    }
    // this page's cost (its save included) is the estimate of the next one's
    await run.save();
    pageCost = Math.max(MIN_PAGE_COST, http.meter.requests + meter.d1 - pageStart);
  }
}

/**
 * The listing is read: an incremental run is done; a full run moves to its sweep (null) unless a
 * guard rail ends it — a complete listing of nobody is a broken source, not an empty site; hidden
 * accounts cannot be told from deleted ones; more removals than the threshold wait for an admin.
 */
export async function endRead(run: ImportRunState): Promise<ImportSummary | null> {
  const { env, source, cursor, counts, now } = run;
  if (cursor.kind === 'incremental') return run.finish('done', null, { watermark: cursor.maxChanged });
  // Accounts the relay's account may not see (omitted blocked users) are not deleted ones:
  // without the whole picture there is no sweep. Drupal always shows uid 0 as a label only.
  const hiddenAllowed = expectedHidden(source.kind);
  if ((counts.read ?? 0) === 0) {
    const why =
      (counts.hidden ?? 0) > hiddenAllowed
        ? 'The source showed no account the relay may read (only labels, or omitted items): give the account the "administer users" permission. Nothing was deactivated.'
        : 'The source listed nobody; nothing was deactivated.';
    return run.finish('failed', why);
  }
  if ((counts.hidden ?? 0) > hiddenAllowed) {
    return run.finish(
      'failed',
      `${(counts.hidden ?? 0) - hiddenAllowed} account(s) were hidden from the relay's account (blocked users need the "administer users" permission), so deletions cannot be told apart: nothing was deactivated.`,
      { lastFullAt: now().toISOString(), watermark: cursor.maxChanged },
    );
  }
  cursor.phase = 'sweep';
  const unseen = await countUnseen(env.DB, source.id, cursor.startedAt);
  if (unseen > source.settings.deletionThreshold && !cursor.approved) {
    counts.held = unseen;
    return run.finish(
      'held',
      `${unseen} users are gone from the source or no longer match its include filter, more than the deletion threshold of ${source.settings.deletionThreshold}: held until an admin approves this run.`,
      { lastFullAt: now().toISOString(), watermark: cursor.maxChanged },
    );
  }
  await run.save();
  return null;
}
