import type { PageUser } from '../../../../shared/src/page-user';
import type { CurrentUserResponse } from '../../lib/messages';

/** What the popup sends for a page user the directory does not have: only what the page shows. */
export function pageUserOf(u: NonNullable<CurrentUserResponse>): PageUser {
  return {
    userName: u.name,
    ...(u.mail ? { email: u.mail } : {}),
    ...(u.status ? { active: u.status === 'active' } : {}),
    ...(u.displayName && u.displayName !== u.name ? { displayName: u.displayName } : {}),
  };
}
