/**
 * A first sync's batch match against a CMS site by listing instead of searching. Neither
 * WordPress nor Joomla can look many logins or addresses up in one request (filter.ts: one
 * substring search per value, more than one page where values share a prefix), so a batch of
 * new users cost about three reads each (bench:cms). Instead the site's accounts are listed once
 * per client — one dispatch run — and every batch of that run is answered from the listing: a
 * site of N accounts costs N/100 reads in all, and each new user then costs its create.
 *
 * The listing is read only where it is cheaper: its first page says how many pages there are,
 * and the rest is read once the run has asked for at least as many values as pages remain;
 * until then each value is searched as before. A listing is a snapshot, which the engine
 * already survives: an account made after it is met by the create (a conflict, re-read live and
 * linked), an account deleted after it by the update (404, matched again). Joomla reuses this.
 */
import type { Result } from '../scim-client/types';
import type { Lookup } from './filter';

export interface ListedAccount<T> {
  username: string | undefined;
  email: string | undefined;
  account: T;
}

export interface IndexPage<T> {
  accounts: ListedAccount<T>[];
  /** the next page's cursor, null after the last one */
  next: number | null;
  /** how many pages the listing has (Infinity where the site does not say) */
  pages: number;
}

export interface SiteIndex<T> {
  /** the accounts with one of the lookup's values; undefined: search value by value instead */
  lookup(lookup: Lookup): Promise<Result<T[]> | undefined>;
}

export function createSiteIndex<T>(listPage: (cursor: number | null) => Promise<Result<IndexPage<T>>>): SiteIndex<T> {
  let asked = 0;
  let first: Promise<Result<IndexPage<T>>> | undefined;
  let full: Promise<Result<ListedAccount<T>[]>> | undefined;

  async function readRest(page: IndexPage<T>): Promise<Result<ListedAccount<T>[]>> {
    const all = [...page.accounts];
    for (let cursor = page.next; cursor !== null; ) {
      const next = await listPage(cursor);
      if (!next.ok) return next;
      all.push(...next.value.accounts);
      cursor = next.value.next;
    }
    return { ok: true, value: all, status: 200 };
  }
  // A failed read is not kept: the next batch tries again.
  const retryable = <R>(p: Promise<Result<R>>, clear: () => void) =>
    p.then((r) => {
      if (!r.ok) clear();
      return r;
    });

  return {
    async lookup(lookup) {
      // One value is the per-user match (and a 409's re-read): always a live search.
      if (lookup.values.length < 2) return undefined;
      asked += lookup.values.length;
      if (!full) {
        first ??= retryable(listPage(null), () => (first = undefined));
        const page = await first;
        if (!page.ok) return page;
        if (page.value.pages - 1 > asked) return undefined;
        full ??= retryable(readRest(page.value), () => (full = undefined));
      }
      const all = await full;
      if (!all.ok) return all;
      const wanted = new Set(lookup.values.map((v) => v.toLowerCase()));
      const hits = all.value.filter((a) => {
        const v = lookup.attribute === 'email' ? a.email : a.username;
        return v !== undefined && wanted.has(v.toLowerCase());
      });
      return { ok: true, value: hits.map((a) => a.account), status: 200 };
    },
  };
}
