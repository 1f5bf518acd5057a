/** The answer to the popup's `page:current-user`: the user the page shows, or null (a list, an unknown page). */
import type { DetectedPage } from '../adapters/page-adapter';
import { currentUserResponseSchema, type CurrentUserResponse } from '../lib/page-messages';

export function currentUserOf(page: DetectedPage | null): CurrentUserResponse {
  if (page?.kind !== 'user') return null;
  const { user } = page;
  const parsed = currentUserResponseSchema.safeParse({
    site: page.site,
    cms: page.cms,
    uid: user.uid,
    name: user.name,
    ...(user.mail ? { mail: user.mail } : {}),
    ...(user.status ? { status: user.status } : {}),
    ...(user.displayName ? { displayName: user.displayName } : {}),
  });
  return parsed.success ? parsed.data : null;
}
