/**
 * Protected accounts (issue #9): the relay never updates, deactivates or deletes the account its
 * own credentials belong to on a target, nor the accounts the admin lists (`protectedAccounts`:
 * userNames or remote ids). On a Drupal site that is the Basic user name, and uid 1 — the site's
 * first admin — always: a directory user called "admin" imported from one site would otherwise
 * be matched by name to the target's own admin, and the relay would rewrite its mail (422) or
 * block it. A SCIM bearer token does not say whose it is, so there only the list applies.
 */
import type { Target } from '../../../shared/src/targets';
import type { LinkUpdate } from '../db/links';

export interface Protection {
  /** lower-cased userNames */
  names: Set<string>;
  /** remote ids and second keys (Drupal uuid or uid) */
  ids: Set<string>;
}

/** Drupal's first account, created by the installer: the site's owner. */
const DRUPAL_FIRST_UID = '1';

export function protectionOf(target: Pick<Target, 'kind' | 'protectedAccounts' | 'options'>, token: string): Protection {
  // A Target from before protectedAccounts existed (a stored shape, a test's literal) lists none.
  const listed = target.protectedAccounts ?? [];
  const names = new Set(listed.map((a) => a.toLowerCase()));
  const ids = new Set(listed);
  if (target.kind === 'drupal-jsonapi') {
    ids.add(DRUPAL_FIRST_UID);
    // Basic auth: the token is "username:password" (drupal-target.ts checks the shape).
    const options = target.options as { auth?: string } | null;
    const user = options?.auth === 'basic' ? token.split(':')[0] : undefined;
    if (user) names.add(user.toLowerCase());
  }
  return { names, ids };
}

export interface AccountRef {
  userName?: unknown;
  remoteId?: string | null;
  remoteKey?: string | null;
}

/** Why the account is protected, or null when the relay may write it. */
export function protectedReason(p: Protection, a: AccountRef): string | null {
  if (a.remoteKey && p.ids.has(a.remoteKey)) return a.remoteKey === DRUPAL_FIRST_UID ? "the site's first account (uid 1)" : `protected account ${a.remoteKey}`;
  if (a.remoteId && p.ids.has(a.remoteId)) return `protected account ${a.remoteId}`;
  if (typeof a.userName === 'string' && p.names.has(a.userName.toLowerCase()))
    return `protected account "${a.userName}" (the relay's own login or listed in protectedAccounts)`;
  return null;
}

export const isProtectedSkip = (detail: string) => detail.startsWith(PROTECTED_PREFIX);
export const PROTECTED_PREFIX = 'protected: ';

/**
 * The link of a protected account: linked (its remote id is kept, so it is never matched again)
 * but 'never' provisioned — the relay does not manage it — with the reason for the chip.
 */
export const protectedLink = (reason: string, userName: unknown): LinkUpdate => ({
  state: 'never',
  success: false,
  error: `Protected on this target: ${reason}; the relay never writes it.`,
  // The name is kept so the account is still known as protected once the directory user is gone.
  ...(typeof userName === 'string' ? { payload: JSON.stringify({ userName }), payloadHash: null } : {}),
});
