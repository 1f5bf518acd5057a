/**
 * The bar above a People table: what the overlay knows about the page, relay errors (shown,
 * never swallowed), and "Provision selected" for the rows ticked in the page's own bulk
 * checkboxes.
 */
/** A target that needs the admin: paused (Resume) or holding creations or deactivations/deletions for approval (Review). */
export interface TargetAlert {
  targetId: string;
  text: string;
  action: 'resume' | 'review';
}

export interface BulkBarProps {
  rows: number;
  selected: number;
  busy: boolean;
  /** A relay or setup failure for the whole page. */
  error: string | null;
  /** The last bulk result, e.g. "3 of 3 provisioned". */
  message: string | null;
  siteRole: string;
  /** Offer "Match by name/email": the site is no source and the admin has not asked yet. */
  canMatch: boolean;
  /** Handlers get the DOM event: the overlay acts only on trusted ones (admin-input.ts). */
  onProvisionSelected: (event: Event) => void;
  onMatch: (event: Event) => void;
  onRetry: (event: Event) => void;
  alerts: TargetAlert[];
  onResume: (targetId: string) => (event: Event) => void;
  onReview: (event: Event) => void;
}

export function BulkBar({
  rows,
  selected,
  busy,
  error,
  message,
  siteRole,
  canMatch,
  onProvisionSelected,
  onMatch,
  onRetry,
  alerts,
  onResume,
  onReview,
}: BulkBarProps) {
  return (
    <div class="bar" role="region" aria-label="SCIM Relay">
      {alerts.length > 0 && (
        <ul class="alerts" data-scim-alerts role="status">
          {alerts.map((a) => (
            <li key={`${a.targetId}:${a.action}`}>
              {a.text}{' '}
              {a.action === 'resume' ? (
                <button type="button" onClick={onResume(a.targetId)}>
                  Resume
                </button>
              ) : (
                <button type="button" onClick={onReview}>
                  Review
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <strong>SCIM Relay</strong>
      <span data-scim-summary>
        {rows} {rows === 1 ? 'user' : 'users'} on this page · {siteRole}
      </span>
      <button type="button" class="primary" disabled={busy || selected === 0} onClick={onProvisionSelected}>
        {busy ? 'Provisioning…' : `Provision selected (${selected})`}
      </button>
      {canMatch && (
        <button type="button" data-scim-match onClick={onMatch} title="Look up the relay users by the names and emails this page shows">
          Match by name/email
        </button>
      )}
      {error ? (
        <>
          <span role="alert" data-scim-error>
            {error}
          </span>
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        </>
      ) : (
        <span role="status" aria-live="polite" data-scim-message>
          {message ?? ''}
        </span>
      )}
    </div>
  );
}
