/**
 * Whether a target's change alters what it should hold, so that only a full pass ("Sync all")
 * brings the accounts already sent in line: the watermark only covers resources that change.
 */
import type { Target } from '../../../shared/src/targets';

export function isResyncSuggested(before: Target, after: Target): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (
    !same(before.mapping, after.mapping) || !same(before.options?.roleMap ?? null, after.options?.roleMap ?? null) || (!before.pushGroups && after.pushGroups)
  );
}
