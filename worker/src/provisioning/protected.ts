/**
 * Protected accounts (issue #9): the relay never updates, deactivates or deletes the account its
 * own credentials belong to on a target, the site's first administrator, nor the accounts the
 * admin lists (`protectedAccounts`: userNames or remote ids). One place decides for every kind,
 * so plan, audit and chips say `protected` the same way:
 * - Drupal: the Basic user name, and uid 1 always — a directory user called "admin" imported from
 *   one site would otherwise be matched by name to the target's own admin;
 * - WordPress: the Application Password's user name, and user 1 unless `options.allowUserOne`;
 * - Joomla: the account the API token belongs to (the token names it), and Super Users unless
 *   `options.allowSuperUsers` — known only by reading the account, so the connector reports them
 *   as it reads (`learnProtected`);
 * - SCIM: a bearer token does not say whose it is, so only the list applies.
 */
import type { Target } from '../../../shared/src/targets';
import type { LinkUpdate } from '../db/links';
import { tokenUserId } from './joomla-client/transport';

export interface Protection {
  /** lower-cased userName → why */
  names: Map<string, string>;
  /** remote id or second key (Drupal uuid or uid, WordPress or Joomla id) → why */
  ids: Map<string, string>;
}

/** The first account a Drupal or WordPress installer creates: the site's owner. */
const FIRST_ACCOUNT = '1';
const OWN_LOGIN = "the relay's own login on this site";

export function protectionOf(target: Pick<Target, 'kind' | 'protectedAccounts' | 'options'>, token: string): Protection {
  // A Target from before protectedAccounts existed (a stored shape, a test's literal) lists none.
  const listed = target.protectedAccounts ?? [];
  const names = new Map(listed.map((a) => [a.toLowerCase(), `protected account "${a}" (listed in protectedAccounts)`]));
  const ids = new Map(listed.map((a) => [a, `protected account ${a} (listed in protectedAccounts)`]));
  const options = (target.options ?? {}) as { auth?: string; allowUserOne?: boolean };
  // Basic auth and Application Passwords: the token is "username:password" (the kinds' schemas check the shape).
  const login = token.split(':')[0]?.toLowerCase();
  switch (target.kind) {
    case 'drupal-jsonapi':
      ids.set(FIRST_ACCOUNT, "the site's first account (uid 1)");
      if (options.auth === 'basic' && login) names.set(login, OWN_LOGIN);
      break;
    case 'wordpress-rest':
      if (!options.allowUserOne) ids.set(FIRST_ACCOUNT, "user 1, the site's first administrator (allow it with options.allowUserOne)");
      if (login) names.set(login, OWN_LOGIN);
      break;
    case 'joomla-webservices': {
      const self = tokenUserId(token);
      if (self) ids.set(self, 'the account the API token belongs to');
      break;
    }
  }
  return { names, ids };
}

/** A protected account the connector saw while reading the target (a Joomla Super User). */
export function learnProtected(p: Protection, remoteId: string, reason: string): void {
  p.ids.set(remoteId, reason);
}

export interface AccountRef {
  userName?: unknown;
  remoteId?: string | null;
  remoteKey?: string | null;
}

/** Why the account is protected, or null when the relay may write it. */
export function protectedReason(p: Protection, a: AccountRef): string | null {
  const byKey = a.remoteKey ? p.ids.get(a.remoteKey) : undefined;
  if (byKey) return byKey;
  const byId = a.remoteId ? p.ids.get(a.remoteId) : undefined;
  if (byId) return byId;
  const byName = typeof a.userName === 'string' ? p.names.get(a.userName.toLowerCase()) : undefined;
  return byName ?? null;
}

/** How a connector's refusal of a protected account starts (its second line of defence). */
export const PROTECTED_REFUSAL = 'Skipped as protected:';

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
