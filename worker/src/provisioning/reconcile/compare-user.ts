/**
 * One linked user: what the target holds against what the directory wants it to hold. Pure.
 * Only what the mapping manages is compared — the update-phase rules (create-only rules were
 * the target's to change afterwards), and a path the directory has no value for only where its
 * rule says clearWhenMissing. The observed values, shaped like a mapped payload, become the
 * link's last-confirmed payload, so the sync engine's next update sends exactly the difference.
 */
import type { MappingRule } from '../../../../shared/src';
import type { JsonObject } from '../../scim/schema/normalize';
import { applyMapping, changedAttributes, getPath, setPath, withSchemas } from '../mapping';

export interface UserDrift {
  kind: 'attributes' | 'deactivated';
  /** the attribute paths that differ */
  paths: string[];
  /** the target's values at the compared paths, as a mapped payload: the link's new payload */
  observed: JsonObject;
}

/**
 * `user`: the directory's user (with id); `remote`: the target's account, in SCIM shape.
 * Null when nothing the mapping manages differs, or the user is inactive in the directory
 * (deactivation is the sync engine's own operation, not drift).
 */
export function compareUser(mapping: readonly MappingRule[], user: JsonObject, remote: JsonObject): UserDrift | null {
  if (user.active === false) return null;
  const { payload, cleared } = applyMapping(mapping, user, 'update');
  const clears = new Set(cleared);
  const observed: JsonObject = {};
  for (const rule of mapping) {
    if (rule.when === 'create') continue;
    if (getPath(payload, rule.target) === undefined && !clears.has(rule.target)) continue;
    const value = getPath(remote, rule.target);
    if (value !== undefined && value !== null) setPath(observed, rule.target, value);
  }
  const view = withSchemas(observed);
  const paths = changedAttributes(view, payload);
  // Deactivated (blocked) on the target while active here: drift even where the mapping does not send `active`.
  if (remote.active === false) return { kind: 'deactivated', paths: paths.includes('active') ? paths : ['active', ...paths], observed: view };
  return paths.length === 0 ? null : { kind: 'attributes', paths, observed: view };
}

/** A mapping without an `active` rule cannot send active = true: such drift is reported only. */
export const mapsActive = (mapping: readonly MappingRule[]) => mapping.some((r) => r.target === 'active' && r.when !== 'create');
