/**
 * A full run's sweep: deactivates (or deletes) the directory users of accounts the completed pass
 * did not see. Each is re-read by id first: a listing paged by offset skips an account when one
 * before it is deleted mid-run, so "not seen" is only a suspicion. Removed: a 404 only. Still
 * there: applied (and stamped seen) like any listed account.
 */
import type { Source } from '../../../shared/src/sources';
import { markRemovedStatement, selectUnseen, selectUserBodies, type SourceLinkRow } from '../db/sources';
import { chargeCpu, cpuFits, cpuItemsLeft, queriesLeft, requestsLeft } from '../limits/budget';
import { CPU_MS } from '../limits/cpu';
import { ScimError } from '../scim/errors';
import { SCIM_PATCH_OP_URN } from '../scim/patch/patch-request';
import { userResourceType } from '../scim/schema/registry';
import { deleteById, patchResource, type ScimContext } from '../scim/service';
import { applyPage, inScope } from './apply-page';
import type { Recheck } from './drupal-reader';
import { add, type ImportRunState, type ImportSummary } from './import-run';
import { SourceError, type RemoteUser } from './remote';
import { recheckSourceUser } from './source-reader';

const SWEEP_CHUNK = 25;
/** a sweep chunk's own D1 round trips: the unseen links, their users, the removal marks, the cursor */
const SWEEP_BASE_COST = 4;
const GIVE_UP = 'failed attempts to re-read accounts missing from the listing; nothing more was deactivated';

type Suspect = SourceLinkRow & { excluded?: boolean };

export async function sweep(run: ImportRunState): Promise<ImportSummary> {
  const { env, source, cursor, counts, budget, http, meter, now } = run;
  const ctx = run.apply.scim;
  for (;;) {
    // deactivations write too; a deletion would make room, but one policy for the whole run is plainer
    const stopped = await run.stopIfFull();
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
    if (chunk < 1 || Date.now() >= budget.deadline) return run.pause();
    meter.d1 += 1;
    const unseen = await selectUnseen(env.DB, source.id, cursor.startedAt, chunk, cursor.sweepAfter ?? '');
    if (unseen.length === 0) break;
    chargeCpu(budget, unseen.length * CPU_MS.importedUser);
    const gone: Suspect[] = [];
    const present: RemoteUser[] = [];
    for (const link of unseen) {
      let found: Recheck;
      try {
        found = await recheckSourceUser(source, http, link.remoteId);
      } catch (err) {
        if (!(err instanceof SourceError)) throw err;
        // Nothing of this chunk is removed on a guess: the next invocation re-reads it.
        run.charge();
        return run.failed(err, GIVE_UP);
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
      run.noteConflicts(await applyPage(run.apply, present));
    }
    const removed = await removeGone(ctx, run, gone);
    if (removed.length > 0) {
      meter.d1 += 1;
      const at = now().toISOString();
      await env.DB.batch(removed.map((remoteId) => markRemovedStatement(env.DB, source.id, remoteId, at)));
    }
    cursor.sweepAfter = unseen.at(-1)!.remoteId;
    await run.save();
  }
  return run.finish('done', null, { watermark: cursor.maxChanged, lastFullAt: now().toISOString() });
}

const deactivate = (ctx: ScimContext, userId: string) =>
  patchResource(ctx, userResourceType, userId, { schemas: [SCIM_PATCH_OP_URN], Operations: [{ op: 'replace', path: 'active', value: false }] }, {});

/**
 * Deactivates (or, by the source's `onDeleted`, deletes) the directory users of accounts gone
 * from the source; an account the include filter no longer takes is deactivated, never deleted.
 * Returns the remote ids removed (or with no directory user left): a refused deactivation stays a
 * live link, retried by the next reconciliation (the keyset moves past it for now).
 */
async function removeGone(ctx: ScimContext, run: ImportRunState, gone: Suspect[]): Promise<string[]> {
  const { env, counts, meter } = run;
  const onDeleted: Source['settings']['onDeleted'] = run.source.settings.onDeleted;
  meter.d1 += 1;
  const users = await selectUserBodies(
    env.DB,
    gone.map((g) => g.userId),
  );
  const removed: string[] = [];
  for (const link of gone) {
    const row = users.get(link.userId);
    const active = row !== undefined && (JSON.parse(row.data) as { active?: boolean }).active !== false;
    meter.d1 += 2;
    try {
      if (row && link.excluded) {
        if (active) {
          await deactivate(ctx, link.userId);
          add(counts, 'deactivated');
        }
        add(counts, 'excluded');
      } else if (row && onDeleted === 'delete') {
        await deleteById(ctx, userResourceType, link.userId, {});
        add(counts, 'deleted');
      } else if (active) {
        await deactivate(ctx, link.userId);
        add(counts, 'deactivated');
      }
      removed.push(link.remoteId);
    } catch (err) {
      if (!(err instanceof ScimError)) throw err;
      add(counts, 'failed');
    }
  }
  return removed;
}
