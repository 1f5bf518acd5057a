/**
 * The roles (Drupal, WordPress) or user groups (Joomla) a CMS target's site offers, for the
 * console's role-map picker: read from the site with the target's credentials, never created.
 */
import { isCmsKind, type TargetRoles } from '../../../shared/src/target-kinds';
import type { Env } from '../env';
import { listTargetRoles } from './target-client';
import { loadTargetSecret } from './targets';

const WORDPRESS_NOTE = 'WordPress core publishes no list of roles over REST: these are the five core roles and every role an account on the site holds.';

/** null: no such target; 'not-cms': a SCIM target, which has no roles to map to. */
export async function targetRoles(env: Env, targetId: string, fetchImpl?: typeof fetch): Promise<TargetRoles | 'not-cms' | null> {
  const secret = await loadTargetSecret(env, targetId);
  if (!secret) return null;
  const kind = secret.target.kind;
  if (!isCmsKind(kind)) return 'not-cms';
  const listed = await listTargetRoles({ target: secret.target, token: secret.token, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  if (!listed || !listed.ok) return { kind, items: [], note: listed ? `The site did not list its roles: ${listed.failure.message}` : null };
  return { kind, items: listed.value, note: kind === 'wordpress-rest' ? WORDPRESS_NOTE : null };
}
