/** Words and descriptions for link states, shared by the row chips and the user panel. */
import type { Link } from '../../../shared/src/provisioning';
import type { Override } from '../../../shared/src/scope';

export const STATE_LABEL: Record<Link['state'], string> = {
  in_sync: 'in sync',
  pending: 'pending',
  failed: 'failed',
  never: 'not linked',
  out_of_scope: 'out of scope',
};

/** An override (issue #13) in the words of the chip: it wins over the target's scope. */
export const OVERRIDE_LABEL: Record<Override, string> = { always: 'always', never: 'never' };

/** The three choices an admin has per user and target, in the order the pickers offer them. */
export const OVERRIDE_CHOICES = [
  { value: null, label: 'Follow scope' },
  { value: 'always', label: 'Always provision' },
  { value: 'never', label: 'Never provision' },
] as const satisfies readonly { value: Override | null; label: string }[];

/** What an override change did, in a sentence for the status line. */
export function overrideSaid(userName: string, targetName: string, override: Override | null): string {
  if (override === 'always') return `${userName} will always be provisioned to ${targetName}.`;
  if (override === 'never') return `${userName} will never be provisioned to ${targetName}.`;
  return `${userName} follows the scope of ${targetName} again.`;
}

/** "Wiki: in sync", "Wiki: in sync · always", "Wiki: out of scope · never". */
export function chipLabel(link: Link): string {
  return `${link.targetName}: ${STATE_LABEL[link.state]}${link.override ? ` · ${OVERRIDE_LABEL[link.override]}` : ''}`;
}

/** A short local date-time, or an em dash. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

/** The sentence behind a chip: what the state means for this target, with the reason when it failed, and the override. */
export function describeLink(link: Link): string {
  const always = link.override === 'always' ? ` Always provisioned to ${link.targetName}, whatever its scope.` : '';
  return stateSentence(link) + always;
}

function stateSentence(link: Link): string {
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
