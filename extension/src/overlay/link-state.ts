/** Words and descriptions for link states, shared by the row chips and the user panel. */
import type { Link } from '../../../shared/src/provisioning';

export const STATE_LABEL: Record<Link['state'], string> = {
  in_sync: 'in sync',
  pending: 'pending',
  failed: 'failed',
  never: 'not linked',
  out_of_scope: 'out of scope',
};

/** A short local date-time, or an em dash. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

/** The sentence behind a chip: what the state means for this target, with the reason when it failed. */
export function describeLink(link: Link): string {
  switch (link.state) {
    case 'in_sync':
      return `In sync with ${link.targetName}${link.lastSuccessAt ? ` since ${when(link.lastSuccessAt)}` : ''}.`;
    case 'pending':
      return `Waiting to be sent to ${link.targetName}${link.nextAttemptAt ? ` (next attempt ${when(link.nextAttemptAt)})` : ''}.`;
    case 'failed':
      return `Failed on ${link.targetName}: ${(link.lastError ?? 'no reason given').replace(/\.+$/, '')}${link.nextAttemptAt ? ` (next attempt ${when(link.nextAttemptAt)})` : ''}.`;
    case 'never':
      return `Not linked on ${link.targetName}: never provisioned there.`;
    case 'out_of_scope':
      return `Out of scope for ${link.targetName}: ${link.override === 'never' ? 'overridden "never provision"' : "not in the target's scope"}.`;
  }
}
