/**
 * The values a resource holds at the mapping's target paths, shaped like a mapped payload.
 * Applied to the target's copy of a user (read before every write), it is the `previous` that
 * `changedAttributes` / `toPatchOperations` compare against when no earlier payload is stored,
 * so attributes the mapping does not manage (a home email, a custom field) are never touched.
 */
import type { MappingRule } from '../../../../shared/src/targets';
import type { JsonObject } from '../../scim/schema/normalize';
import { withSchemas, type MappingPhase } from './apply-mapping';
import { getPath } from './get-path';
import { setPath } from './set-path';

export function remoteView(rules: readonly MappingRule[], remote: JsonObject, phase: MappingPhase = 'update'): JsonObject {
  const view: JsonObject = {};
  for (const rule of rules) {
    if (rule.when === 'create' && phase !== 'create') continue;
    const value = getPath(remote, rule.target);
    if (value !== undefined) setPath(view, rule.target, value);
  }
  return withSchemas(view);
}
