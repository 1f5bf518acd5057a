/**
 * "Save and test": a real round trip to the target — for SCIM its ServiceProviderConfig and the
 * matching filter on a user that cannot exist (and on a known one, if given); for a Drupal site
 * JSON:API, the account's permissions and the read-only switch — reported in words an admin
 * understands. What it learns (PATCH, Bulk, filter, ETag) is cached on the target.
 */
import type { Env } from '../env';
import { testTargetConnection } from './target-client';
import { loadTargetSecret, saveCapabilities } from './targets';

export async function testTarget(env: Env, targetId: string, existingUserName?: string, fetchImpl?: typeof fetch) {
  const secret = await loadTargetSecret(env, targetId);
  if (!secret) return null;
  const result = await testTargetConnection(
    { target: secret.target, token: secret.token, ...(fetchImpl ? { fetch: fetchImpl } : {}) },
    existingUserName ? { existingUserName } : {},
  );
  if (result.capabilities) await saveCapabilities(env, secret.target.id, result.capabilities);
  return result;
}
