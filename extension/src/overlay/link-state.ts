/** Words and descriptions for link states, shared by the row chips and the user panel. */
import type { Link, LinkDrift } from '../../../shared/src/provisioning';
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

/** A picker's value as an override: "" is "Follow scope". */
export const overrideOf = (value: string): Override | null => (value === 'always' || value === 'never' ? value : null);

/** What an override change did, in a sentence for the status line. */
export function overrideSaid(userName: string, targetName: string, override: Override | null): string {
  if (override === 'always') return `${userName} will always be provisioned to ${targetName}.`;
  if (override === 'never') return `${userName} will never be provisioned to ${targetName}.`;
  return `${userName} follows the scope of ${targetName} again.`;
}

/** "Wiki: in sync", "Wiki: in sync · always", "Wiki: out of scope · never", "Wiki: role drift — repairing". */
export function chipLabel(link: Link): string {
  return `${link.targetName}: ${linkLabel(link)}${link.override ? ` · ${OVERRIDE_LABEL[link.override]}` : ''}`;
}

/** What reconcile found on the target, most telling first: the chip names the first one. */
const DRIFT_LABEL: Record<LinkDrift, string> = {
  roles: 'role drift — repairing',
  memberships: 'membership drift — repairing',
  missing: 'missing on target — repairing',
  attributes: 'drift — repairing',
};
const DRIFT_ORDER: readonly LinkDrift[] = ['roles', 'memberships', 'missing', 'attributes'];

/** Drift still being repaired: known while the link is pending (a failure or a skip says more). */
const driftOf = (link: Link): LinkDrift[] => (link.state === 'pending' || link.state === 'in_sync' ? DRIFT_ORDER.filter((k) => link.drift?.includes(k)) : []);

/** The chip's state: `drift` while reconcile's repair is on its way, else the link's state. */
export const chipState = (link: Link): Link['state'] | 'drift' => (driftOf(link).length > 0 ? 'drift' : link.state);

/** The chip's words: "role drift — repairing" and the like while drift is known, else the state's label. */
export function linkLabel(link: Link): string {
  const drift = driftOf(link)[0];
  return drift ? DRIFT_LABEL[drift] : STATE_LABEL[link.state];
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
  const drift = driftOf(link);
  if (drift.length > 0)
    return `Reconcile found ${drift.map((k) => DRIFT_LABEL[k].replace(' — repairing', '')).join(', ')} on ${link.targetName}: the repair is queued; in sync once it lands.`;
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
