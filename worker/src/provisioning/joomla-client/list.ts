/**
 * Listing a Joomla site's accounts (`GET /v1/users`), for reconcile and for a first sync's batch
 * match. The list has no total count and a fixed order by name that no parameter changes
 * (fixtures/joomla-real README "List"), so it is paged by `page[offset]` and a page boundary is
 * never evidence: a rename during the pass can skip an account or show one twice. Callers take
 * a listing as a sighting, not proof — reconcile re-reads by id whoever it missed, a sync's
 * create that meets an existing account links it — and an offset past a listing that shrank
 * meanwhile (Joomla's 404 there) ends the pass. One account by id is a list filtered by
 * `id:N`: an unknown id is an empty 200, told apart from the plugin being off (a 404).
 */
import { readAs } from '../scim-client/readers';
import type { Result } from '../scim-client/types';
import { joomlaUserCollectionSchema, type JoomlaUser } from './schemas';
import type { JoomlaSend } from './transport';

/** `page[limit]` has no cap (api/042); 100 keeps an answer small. */
export const JOOMLA_LIST_PAGE = 100;

export interface JoomlaListPage {
  users: JoomlaUser[];
  /** the next page's offset, null after the last one */
  next: number | null;
  /** `meta.total-pages` (Infinity where the site leaves it out) */
  pages: number;
}

const readList = readAs(joomlaUserCollectionSchema, 'Joomla user collection');

/** The `limit` accounts from `offset` (a pass keeps one limit). */
export async function listJoomlaUsers(send: JoomlaSend, offset: number, limit = JOOMLA_LIST_PAGE): Promise<Result<JoomlaListPage>> {
  const query = new URLSearchParams({ 'page[limit]': String(limit), 'page[offset]': String(offset) }).toString();
  const res = await send('GET', '/v1/users', readList, { query, expectGone: offset > 0 });
  // Past the end (api/041): the listing shrank during the pass; what it missed is re-read by id.
  if (!res.ok && offset > 0 && res.failure.kind === 'not_found') return { ok: true, status: 404, value: { users: [], next: null, pages: 0 } };
  if (!res.ok && res.failure.kind === 'not_found')
    return {
      ok: false,
      failure: {
        ...res.failure,
        kind: 'fatal',
        message: 'The Joomla site has no users API (404): enable the plugin "Web Services - Users" and check the base URL.',
      },
    };
  if (!res.ok) return res;
  const more = typeof res.value.links?.next === 'string' && res.value.links.next !== '';
  if (more && res.value.data.length < limit)
    return {
      ok: false,
      failure: { kind: 'transient', message: `The Joomla user list at offset ${offset} held ${res.value.data.length} of ${limit} rows: cut short.` },
    };
  const pages = res.value.meta?.['total-pages'] ?? (more ? Number.POSITIVE_INFINITY : 1);
  return { ...res, value: { users: res.value.data, next: more ? offset + res.value.data.length : null, pages } };
}

/** One account by id, as a list row (with `group_names`); a `not_found` failure when the site has none. */
export async function readJoomlaRow(send: JoomlaSend, id: string): Promise<Result<JoomlaUser>> {
  const query = new URLSearchParams({ 'filter[search]': `id:${id.replace(/\D/g, '')}` }).toString();
  const res = await send('GET', '/v1/users', readList, { query });
  if (!res.ok) return res;
  const row = res.value.data.find((u) => u.id === id);
  return row ? { ...res, value: row } : { ok: false, failure: { kind: 'not_found', status: 404, message: `The Joomla site has no account ${id}.` } };
}
