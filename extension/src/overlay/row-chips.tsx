/**
 * The chips for one People row: one per target (in sync, pending, failed, not linked, out of
 * scope; an override "always" / "never" beside the state), the
 * reason in a tooltip that opens on hover and on keyboard focus, and the row's "Provision"
 * button. Everything from the relay or the page is rendered as text (Preact escapes it).
 */
import type { RowStatus } from '../lib/page-messages';
import { chipLabel, chipState, describeLink } from './link-state';

export type RowView =
  | { kind: 'loading' }
  | { kind: 'error'; error: string }
  /** `matched`: the page's name and email were looked up too (the admin asked), and found nobody. */
  | { kind: 'unknown'; canImport: boolean; matched: boolean }
  | { kind: 'known'; status: RowStatus };

export interface RowChipsProps {
  uid: string;
  displayName: string;
  view: RowView;
  busy: boolean;
  /** The result of the last provisioning from this row, if it failed or said something. */
  note: { kind: 'ok' | 'error'; text: string } | null;
  /** Gets the DOM event: the overlay acts only on trusted ones (admin-input.ts). */
  onProvision: (event: Event) => void;
}

function Chip({ state, label, tip, id, override }: { state: string; label: string; tip: string; id: string; override?: string | null | undefined }) {
  return (
    <span class="chip" data-state={state} data-override={override ?? undefined} tabindex={0} aria-describedby={id}>
      {label}
      <span class="tip" role="tooltip" id={id}>
        {tip}
      </span>
    </span>
  );
}

export function RowChips({ uid, displayName, view, busy, note, onProvision }: RowChipsProps) {
  const tipId = (suffix: string) => `scim-relay-tip-${uid}-${suffix}`;
  let chips;
  switch (view.kind) {
    case 'loading':
      chips = (
        <span class="chip" data-state="loading">
          checking…
        </span>
      );
      break;
    case 'error':
      chips = <Chip state="error" label="status unavailable" tip={view.error} id={tipId('error')} />;
      break;
    case 'unknown':
      chips = (
        <Chip
          state="unknown"
          label="not in relay"
          tip={
            view.canImport
              ? 'The relay has not imported this account yet. Provision imports it from this site first.'
              : view.matched
                ? 'The relay has no user for this account, and this site is not one of its sources.'
                : 'No relay user is linked to this account. "Match by name/email" above looks for one by what this page shows.'
          }
          id={tipId('unknown')}
        />
      );
      break;
    case 'known': {
      const guessed = view.status.matchedBy === 'uid' ? '' : ` (matched by ${view.status.matchedBy === 'email' ? 'email' : 'name'}: ${view.status.userName})`;
      chips = view.status.links.map((link) => (
        <Chip
          key={link.targetId}
          state={chipState(link)}
          override={link.override}
          label={chipLabel(link)}
          tip={describeLink(link) + guessed}
          id={tipId(link.targetId)}
        />
      ));
      break;
    }
  }
  const canProvision = view.kind === 'known' || (view.kind === 'unknown' && view.canImport);
  return (
    <span class="row" data-scim-row={uid} data-scim-view={view.kind} aria-busy={busy || view.kind === 'loading'}>
      {chips}
      <button type="button" disabled={busy || !canProvision} onClick={onProvision} aria-label={`Provision ${displayName}`}>
        {busy ? 'Provisioning…' : 'Provision'}
      </button>
      {note && (
        <span class="note" data-kind={note.kind} role={note.kind === 'error' ? 'alert' : 'status'}>
          {note.text}
        </span>
      )}
    </span>
  );
}
