/** Preview: the exact payload a target would get for a user, without sending it. */
import type { Target } from '../../../shared/src';
import { loadResource } from '../directory/resources';
import type { Env } from '../env';
import type { JsonObject } from '../scim/schema/normalize';
import { applyMapping, type MappingPhase, type MappingResult } from './mapping';

/** null when the user does not exist; throws MappingError when the mapping cannot apply. */
export async function previewPayload(env: Env, target: Target, userId: string, phase: MappingPhase): Promise<MappingResult | null> {
  const row = await loadResource(env.DB, 'User', userId);
  if (!row) return null;
  return applyMapping(target.mapping, { id: row.id, ...(JSON.parse(row.data) as JsonObject) }, phase);
}
