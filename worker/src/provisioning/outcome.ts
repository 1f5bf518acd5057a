/**
 * One word for what a sync did (issue #9), the same everywhere it is reported (provision
 * results, run counts): an operation that was not sent is never reported as done.
 */
import type { Outcome } from '../../../shared/src/provisioning';
import { isProtectedSkip } from './protected';
import type { SyncOutcome } from './sync-user';

/** Unchanged since the last sync (nothing differs), as opposed to a difference the mode may not send. */
const UNCHANGED = new Set(['unchanged', 'no attribute differs', 'already deactivated', 'deleted here and not on the target', 'inactive and never provisioned']);

export function outcomeOf(o: SyncOutcome): Outcome {
  if (!o.ok) return 'failed';
  if (o.blocked) return 'blocked';
  if (o.detail === 'dry run') return 'skipped';
  switch (o.action) {
    case 'create':
      return 'created';
    case 'update':
      return 'updated';
    case 'link':
      return 'linked';
    case 'deactivate':
      return 'deactivated';
    case 'delete':
      return 'deleted';
    default:
      if (isProtectedSkip(o.detail)) return 'protected';
      return UNCHANGED.has(o.detail) ? 'unchanged' : 'skipped';
  }
}
