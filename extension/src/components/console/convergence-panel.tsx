/**
 * "Sync & drift": where a target stands against the directory (issue #9). Its full pass (initial
 * sync or "Sync all") with done / total and the ETA; how far it is behind the change feed; the
 * deletion threshold's window with what is held, the creations the creation threshold holds
 * (issue #13); and reconcile — the last report of drift found,
 * queued, fixed and left unrepaired per kind — with the actions that start each.
 */
import { useEffect, useRef } from 'preact/hooks';
import { countSchema, targetSyncSchema, type TargetSync } from '../../../../shared/src/api';
import { reconcileStatusSchema, type ReconcileStatus } from '../../../../shared/src/reconcile';
import type { Target } from '../../../../shared/src/targets';
import { callApi } from '../../lib/console-api';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { creationWords, heldWords } from '../../lib/held-words';
import { useAction } from '../ui/use-action';
import { useLoad } from '../ui/use-load';

/** What each drift kind means to an admin (shared/src/reconcile.ts DRIFT_KINDS). */
const DRIFT_WORDS: Record<string, string> = {
  deleted: 'deleted on the target',
  attributes: 'attributes edited on the target',
  deactivated: 'deactivated on the target',
  members: 'group members changed',
  roles: 'roles changed',
  groupDeleted: 'groups deleted on the target',
};

/** A full pass by why it started (issue #13 adds the scope change). */
const PASS_WORDS: Record<string, string> = {
  initial: 'Initial sync',
  on_demand: 'Sync all',
  mapping_changed: 'Sync after a mapping change',
  scope_changed: 'Sync after a scope change',
};

const duration = (seconds: number) =>
  seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : seconds < 5400 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;

const perKind = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${DRIFT_WORDS[k] ?? k}`)
    .join(', ');

function SyncProgress({ sync, creationThreshold }: { sync: TargetSync; creationThreshold: number }) {
  const heldCreations = sync.creations?.held ?? 0;
  const behind = sync.head - sync.watermark;
  const pass = sync.sync;
  return (
    <section class="report" aria-label="Sync">
      {pass && !pass.complete ? (
        <p>
          <strong>{PASS_WORDS[pass.reason] ?? 'Sync all'}:</strong> <progress max={Math.max(1, pass.total)} value={pass.done} aria-label="Sync progress" />{' '}
          {pass.done} of {pass.total} settled
          {pass.phase !== 'done' ? ` (${pass.enqueued} queued so far)` : ''}
          {pass.etaSeconds !== null ? `, about ${duration(pass.etaSeconds)} left` : ''}.
        </p>
      ) : (
        <p>
          {pass ? `Last full pass (${pass.total} resources) complete.` : 'No full pass yet.'}{' '}
          {sync.outstanding > 0 ? `${sync.outstanding} change(s) waiting to settle.` : 'Nothing waiting.'}
        </p>
      )}
      <p>
        {behind > 0
          ? `${behind} directory change(s) not yet planned for this target (it catches up at its next run).`
          : 'Caught up with the directory’s changes.'}
      </p>
      <p>
        Deletion threshold: {sync.deletions.sentInWindow} deactivation(s)/deletion(s) sent in the last {sync.deletions.windowMinutes} min, threshold{' '}
        {sync.deletions.threshold}
        {sync.deletions.pending > 0 ? `; ${sync.deletions.pending} waiting` : ''}
        {sync.deletions.held > 0 ? (
          <>
            ; <strong>{sync.deletions.held} held for approval</strong>
          </>
        ) : (
          ''
        )}
        .
      </p>
      <p data-testid="held-creations">
        Creation threshold: {creationThreshold === 0 ? 'off' : `more than ${creationThreshold} account creations wait for approval`}
        {sync.creations?.standsDown ? ' (stood down by an approval for now)' : ''}
        {heldCreations > 0 ? (
          <>
            ; <strong>{creationWords(heldCreations)} held for approval</strong>
          </>
        ) : (
          ''
        )}
        .
      </p>
    </section>
  );
}

function ReconcileReport({ status }: { status: ReconcileStatus }) {
  const run = status.state;
  const schedule = status.intervalMinutes > 0 ? `every ${duration(status.intervalMinutes * 60)}` : 'off';
  return (
    <section class="report" aria-label="Reconcile">
      <p>
        <strong>Reconcile</strong> (schedule: {schedule}
        {status.nextDueAt ? `, next ${new Date(status.nextDueAt).toLocaleString()}` : ''}):{' '}
        {!run
          ? 'never run.'
          : run.phase === 'done'
            ? `last run finished ${run.finishedAt ? new Date(run.finishedAt).toLocaleString() : ''}, ${run.counts.users} user(s) and ${run.counts.groups} group(s) read in ${run.counts.requests} request(s).`
            : run.phase === 'failed'
              ? `the last run failed: ${run.error ?? 'no reason given'}.`
              : `running (${run.phase}), ${run.counts.users} user(s) read so far.`}
      </p>
      {run && (
        <ul class="plain-list">
          <li>Drift found: {perKind(run.found) || 'none'}</li>
          {perKind(run.queued) && <li>Queued for repair: {perKind(run.queued)}</li>}
          {perKind(run.fixed) && <li>Repaired: {perKind(run.fixed)}</li>}
          {perKind(run.unrepaired) && <li>Not repaired (the target’s modes do not allow it): {perKind(run.unrepaired)}</li>}
          {run.counts.unlinked > 0 && <li>{run.counts.unlinked} account(s) on the target the relay did not create or link: left alone.</li>}
        </ul>
      )}
      {status.drift.length > 0 && (
        <details>
          <summary>Drift ({status.drift.length})</summary>
          <ul class="plain-list">
            {status.drift.map((d) => (
              <li key={`${d.resourceType}:${d.resourceId}:${d.kind}`}>
                {d.resourceType} <code>{d.resourceId}</code>: {DRIFT_WORDS[d.kind] ?? d.kind}
                {d.detail ? ` (${d.detail})` : ''}
                {d.repairable ? '' : ' — not repaired'}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

export function ConvergencePanel({ target, onClose }: { target: Target; onClose: () => void }) {
  const path = `/targets/${encodeURIComponent(target.id)}`;
  const state = useLoad(async () => {
    const [sync, reconcile] = await Promise.all([callApi(targetSyncSchema, 'GET', `${path}/sync`), callApi(reconcileStatusSchema, 'GET', `${path}/reconcile`)]);
    return { sync, reconcile };
  }, [target.id]);
  const { act, error, status } = useAction(state.reload);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [target.id]);

  const syncAll = () =>
    act('Starting a full sync', async () => {
      const s = await callApi(targetSyncSchema, 'POST', `${path}/sync`, {});
      return `Sync all started for “${target.name}”: ${s.sync?.total ?? 0} resource(s) to compare; runs send only what differs.`;
    });
  const reconcile = () =>
    act('Reconciling', async () => {
      const r = await callApi(reconcileStatusSchema, 'POST', `${path}/reconcile`, {});
      const found = r.state ? perKind(r.state.found) : '';
      return r.state?.phase === 'done'
        ? `Reconciled “${target.name}”: ${found || 'no drift'}.`
        : `Reconcile of “${target.name}” started; the cron carries it on.`;
    });
  const approve = () =>
    act(
      'Approving',
      async () => `Approved ${(await callApi(countSchema, 'POST', `${path}/approve`, {})).count} held operation(s) for “${target.name}”; they are sent now.`,
    );

  const creations = state.data?.sync.creations?.held ?? 0;
  const deletions = state.data?.sync.deletions.held ?? 0;
  return (
    <section class="plan" aria-labelledby="convergence-heading">
      <div class="section-head">
        <h3 id="convergence-heading" tabIndex={-1} ref={heading}>
          Sync & drift: {target.name}
        </h3>
        <button type="button" onClick={state.reload} disabled={state.loading}>
          Refresh
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p class="hint">
        The target should hold what the directory says. A full pass compares everyone; reconcile reads the target and repairs what was changed there.
      </p>
      <div class="row-actions">
        <button type="button" onClick={() => void syncAll()} aria-label={`Sync all to ${target.name}`}>
          Sync all
        </button>
        <button type="button" onClick={() => void reconcile()} aria-label={`Reconcile ${target.name}`}>
          Reconcile now
        </button>
        {creations + deletions > 0 && (
          <button type="button" class="danger" onClick={() => void approve()}>
            Approve {heldWords(creations, deletions)}
          </button>
        )}
      </div>
      {state.loading && !state.data && <p class="muted">Loading…</p>}
      <Problem error={state.error} />
      {state.data && <SyncProgress sync={state.data.sync} creationThreshold={target.creationThreshold} />}
      {state.data && <ReconcileReport status={state.data.reconcile} />}
      <StatusLine text={status} />
      <Problem error={error} />
    </section>
  );
}
