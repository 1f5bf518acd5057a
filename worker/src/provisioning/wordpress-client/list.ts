/**
 * Listing a WordPress site's accounts (`GET /wp/v2/users?context=edit`), for reconcile and for
 * a first sync's batch match: 100 a page (per_page's maximum, api/36), ordered by id so a page
 * boundary moves only when an account before it is deleted (the default order is by name, which
 * an edit moves). `X-WP-TotalPages` says where the listing ends; a page before the last that
 * comes back short is a listing cut short, a transient failure, never the end.
 */
import { readAs } from '../scim-client/readers';
import type { Result } from '../scim-client/types';
import { wpUserListSchema, type WpUser } from './schemas';
import type { WordpressSend } from './transport';

export const WP_LIST_PAGE = 100;

export interface WpListPage {
  users: WpUser[];
  /** the next page's number, null after the last one */
  next: number | null;
  totalPages: number;
}

const pageQuery = (page: number, perPage: number) =>
  new URLSearchParams({ context: 'edit', per_page: String(perPage), page: String(page), orderby: 'id', order: 'asc' }).toString();

/** Page `page` (1-based, of `perPage` accounts: a pass keeps one size) of every account, in the edit context (username, email and roles). */
export async function listWpUsers(send: WordpressSend, page: number, perPage = WP_LIST_PAGE): Promise<Result<WpListPage>> {
  let totalPages: number | null = null;
  const res = await send(
    'GET',
    '/wp/v2/users',
    (raw) => {
      const h = raw.headers.get('x-wp-totalpages');
      totalPages = h !== null && /^\d+$/.test(h.trim()) ? Number(h) : null;
      return readAs(wpUserListSchema, 'WordPress user list')(raw);
    },
    { query: pageQuery(page, perPage) },
  );
  if (!res.ok) return res;
  if (totalPages === null)
    return { ok: false, failure: { kind: 'transient', message: 'The WordPress user list came without X-WP-TotalPages: cut short, or not WordPress.' } };
  const pages: number = totalPages;
  if (page < pages && res.value.length < perPage)
    return {
      ok: false,
      failure: {
        kind: 'transient',
        message: `Page ${page} of ${pages} of the WordPress user list held ${res.value.length} of ${perPage} accounts: cut short.`,
      },
    };
  return { ...res, value: { users: res.value, next: page < pages ? page + 1 : null, totalPages: pages } };
}
