/**
 * "Save and test": a real round trip to the target — its ServiceProviderConfig, the matching
 * filter on a user that cannot exist (and on a known one, if given) — reported in words an
 * admin understands. What it learns (PATCH, Bulk, filter, ETag) is cached on the target.
 */
import type { Env } from '../env';
import { createScimClient, testConnection } from './scim-client';
import { loadTargetSecret, saveCapabilities } from './targets';

export async function testTarget(env: Env, targetId: string, existingUserName?: string) {
  const secret = await loadTargetSecret(env, targetId);
  if (!secret) return null;
  const client = createScimClient({ baseUrl: secret.target.baseUrl, token: secret.token });
  const result = await testConnection(client, secret.target.matching, existingUserName ? { existingUserName } : {});
  if (result.capabilities) await saveCapabilities(env, secret.target.id, result.capabilities);
  return result;
}
