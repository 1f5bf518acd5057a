/** Preview: the exact payload a target would get for a user, without sending it. */
import type { Target } from '../../../shared/src';
import { pageUserToScim, type PageUser } from '../../../shared/src/page-user';
import { loadResource } from '../directory/reads';
import type { Env } from '../env';
import type { JsonObject } from '../scim/schema/normalize';
import { applyMapping, type MappingPhase, type MappingResult } from './mapping';

/** null when the user does not exist; throws MappingError when the mapping cannot apply. */
export async function previewPayload(env: Env, target: Target, userId: string, phase: MappingPhase): Promise<MappingResult | null> {
  const row = await loadResource(env.DB, 'User', userId);
  if (!row) return null;
  return applyMapping(target.mapping, { id: row.id, ...(JSON.parse(row.data) as JsonObject) }, phase);
}

/** Stands in for the id the directory assigns on create (the default mapping sends it as externalId). */
const NEW_USER_ID = '(id of the new user)';

/** The payload for a user the directory does not hold yet, as the popup would create it. */
export function previewPageUser(target: Target, user: PageUser, phase: MappingPhase): MappingResult {
  // A create always stores `active` (SCIM service: absent means true), so the preview does too.
  return applyMapping(target.mapping, { id: NEW_USER_ID, active: true, ...(pageUserToScim(user) as JsonObject) }, phase);
}
