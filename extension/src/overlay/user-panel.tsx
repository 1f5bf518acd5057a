/**
 * The panel on a user page (`/user/{uid}`, `/user/{uid}/edit`): the relay user behind the
 * account, its state per target (last sync, next attempt, last error) with its override of the
 * target's scope (always / never / follow scope, issue #13), recent audit events, the
 * step trace of the last provisioning, a "Provision now" button, and the outcome of the
 * re-import that follows saving the edit form.
 */
import type { ProvisionResult } from '../../../shared/src/provisioning';
import type { UserStatusView } from '../lib/page-messages';
import { chipState, linkLabel, OVERRIDE_LABEL, when } from './link-state';
import { OverrideOptions } from './override-options';
import { StepList } from './step-list';

export type PanelState = { kind: 'loading' } | { kind: 'error'; error: string } | { kind: 'ready'; status: UserStatusView };

export interface UserPanelProps {
  displayName: string;
  state: PanelState;
  busy: boolean;
  /** The trace of a provisioning just done here (newer than the stored one). */
  fresh: { results: ProvisionResult[]; error: string | null } | null;
  /** What happened after the edit form was saved. */
  saved: { kind: 'ok' | 'error' | 'info'; text: string } | null;
  /** Whether the admin asked to match by the name and email the page shows (sites that are no source). */
  matched: boolean;
  /** Handlers get the DOM event: the overlay acts only on trusted ones (admin-input.ts). */
  onProvision: (event: Event) => void;
  onMatch: (event: Event) => void;
  onRetry: (event: Event) => void;
  /** The override picker of one target (issue #13): gets the DOM event and the choice ("" follows the scope). */
  onOverride: (targetId: string) => (event: Event) => void;
  /** What the last override change did, or why it failed. */
  overrideNote: { kind: 'ok' | 'error'; text: string } | null;
}

const MAX_EVENTS = 10;

export function UserPanel({ displayName, state, busy, fresh, saved, matched, onProvision, onMatch, onRetry, onOverride, overrideNote }: UserPanelProps) {
  const status = state.kind === 'ready' ? state.status : null;
  const isSource = (status?.site?.sources.length ?? 0) > 0;
  const canProvision = status !== null && (status.user !== null || isSource);
  const trace = fresh?.results ?? status?.lastTrace?.results ?? null;
  return (
    <section class="panel" aria-labelledby="scim-relay-panel-title" data-scim-panel={state.kind}>
      <h2 id="scim-relay-panel-title">SCIM Relay: {displayName}</h2>
      {state.kind === 'loading' && <p role="status">Checking the relay…</p>}
      {state.kind === 'error' && (
        <p>
          <span role="alert" class="bad" data-scim-error>
            {state.error}
          </span>{' '}
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        </p>
      )}
      {saved && (
        <p
          role={saved.kind === 'error' ? 'alert' : 'status'}
          class={saved.kind === 'error' ? 'bad' : saved.kind === 'ok' ? 'ok' : 'note'}
          data-scim-saved={saved.kind}
        >
          {saved.text}
        </p>
      )}
      {status && status.user === null && !isSource && !matched && (
        <p data-scim-unmatched>
          No relay user is linked to this account. "Match by name/email" looks for one by what this page shows.{' '}
          <button type="button" onClick={onMatch}>
            Match by name/email
          </button>
        </p>
      )}
      {status && status.user === null && (isSource || matched) && (
        <p data-scim-unknown>
          The relay has no user for this account.{' '}
          {isSource
            ? 'Provisioning imports it from this site first.'
            : 'This site is not one of its sources: use the toolbar popup to send it from what this page shows.'}
        </p>
      )}
      {status?.user && (
        <p class="note">
          Relay user {status.user.userName} ({status.user.active ? 'active' : 'inactive'})
          {status.matchedBy !== 'uid' ? ` — matched by ${status.matchedBy === 'email' ? 'email' : 'name'}, not by this site's id` : ''}
        </p>
      )}
      {status && status.links.length > 0 && (
        <table>
          <caption class="note" style="text-align:left">
            Status per target
          </caption>
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">State</th>
              <th scope="col">Last sync</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Last error</th>
              <th scope="col">Provision</th>
            </tr>
          </thead>
          <tbody>
            {status.links.map((l) => (
              <tr key={l.targetId} data-scim-target={l.targetName} data-state={chipState(l)}>
                <th scope="row">{l.targetName}</th>
                <td class={l.state === 'failed' ? 'bad' : chipState(l) === 'in_sync' ? 'ok' : undefined} data-state={l.state}>
                  {linkLabel(l)}
                  {l.override ? ` (${OVERRIDE_LABEL[l.override]})` : ''}
                </td>
                <td>{when(l.lastSuccessAt)}</td>
                <td>{when(l.nextAttemptAt)}</td>
                <td>{l.lastError ?? '—'}</td>
                <td>
                  <select aria-label={`Provisioning to ${l.targetName}`} value={l.override ?? ''} disabled={busy} onChange={onOverride(l.targetId)}>
                    <OverrideOptions />
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {overrideNote && (
        <p role={overrideNote.kind === 'error' ? 'alert' : 'status'} class={overrideNote.kind === 'error' ? 'bad' : 'ok'} data-scim-override>
          {overrideNote.text}
        </p>
      )}
      <div class="actions">
        <button type="button" class="primary" disabled={busy || !canProvision} onClick={onProvision}>
          {busy ? 'Provisioning…' : 'Provision now'}
        </button>
        {fresh?.error && (
          <span role="alert" class="bad" data-scim-provision-error>
            {fresh.error}
          </span>
        )}
      </div>
      {trace && (
        <>
          <h3>Last provisioning{fresh ? '' : status?.lastTrace ? ` (${when(status.lastTrace.at)})` : ''}</h3>
          <StepList results={trace} />
        </>
      )}
      {status && status.events.length > 0 && (
        <>
          <h3>Recent events</h3>
          <ul data-scim-events>
            {status.events.slice(0, MAX_EVENTS).map((e) => (
              <li key={e.id}>
                {when(e.at)} · {e.operation} · {e.outcome}
                {e.httpStatus !== null ? ` · HTTP ${e.httpStatus}` : ''}
                {e.error ? ` · ${e.error}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
