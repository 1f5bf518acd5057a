/**
 * The batch match's listing (site-index.ts), with its page reader injected: it lists only where
 * that is the cheaper read, once per client, answers exactly (case-insensitively), leaves a
 * single value to the live search, and keeps no failed read.
 */
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../worker/src/provisioning/scim-client/types';
import { createSiteIndex, type IndexPage } from '../../../worker/src/provisioning/wordpress-client/site-index';

interface Account {
  id: number;
  username: string;
  email: string;
}

/** A site of `n` accounts in pages of 100, counting the pages read; `fail` pages answer a transient failure once. */
function site(n: number, fail: number[] = []) {
  const accounts: Account[] = Array.from({ length: n }, (_, i) => ({ id: i + 1, username: `user${i + 1}`, email: `user${i + 1}@example.test` }));
  const pages = Math.max(1, Math.ceil(n / 100));
  const read: number[] = [];
  const failing = new Set(fail);
  const listPage = async (cursor: number | null): Promise<Result<IndexPage<Account>>> => {
    const page = cursor ?? 1;
    read.push(page);
    if (failing.delete(page)) return { ok: false, failure: { kind: 'transient', message: 'cut short' } };
    const slice = accounts.slice((page - 1) * 100, page * 100);
    return {
      ok: true,
      status: 200,
      value: { accounts: slice.map((a) => ({ username: a.username, email: a.email, account: a })), next: page < pages ? page + 1 : null, pages },
    };
  };
  return { listPage, read };
}

const values = (attribute: 'username' | 'email', ...v: string[]) => ({ attribute, values: v });

describe('the site index of a batch match', () => {
  it('lists a small site once and answers every batch of the run from it, exactly and ignoring case', async () => {
    const s = site(150);
    const index = createSiteIndex(s.listPage);
    const first = await index.lookup(values('username', 'USER7', 'user150', 'user1500', 'user'));
    expect(first).toMatchObject({ ok: true, value: [{ id: 7 }, { id: 150 }] });
    const second = await index.lookup(values('email', 'user9@example.test', 'nobody@example.test'));
    expect(second).toMatchObject({ ok: true, value: [{ id: 9 }] });
    expect(s.read).toEqual([1, 2]);
  });

  it('leaves one value to the live search (a single match, a conflict’s re-read)', async () => {
    const s = site(10);
    expect(await createSiteIndex(s.listPage).lookup(values('username', 'user1'))).toBeUndefined();
    expect(s.read).toEqual([]);
  });

  it('searches instead while the listing would cost more than the values asked, and lists once they add up', async () => {
    const s = site(450);
    const index = createSiteIndex(s.listPage);
    // Five pages, four left after the first: two values do not pay for them.
    expect(await index.lookup(values('username', 'user1', 'user2'))).toBeUndefined();
    expect(await index.lookup(values('username', 'user3'))).toBeUndefined();
    expect(s.read).toEqual([1]);
    const enough = await index.lookup(values('username', 'user401', 'user402'));
    expect(enough).toMatchObject({ ok: true, value: [{ id: 401 }, { id: 402 }] });
    expect(s.read).toEqual([1, 2, 3, 4, 5]);
  });

  it('reports a failed page, and reads the listing again on the next batch', async () => {
    const s = site(150, [2]);
    const index = createSiteIndex(s.listPage);
    expect(await index.lookup(values('username', 'user1', 'user2'))).toMatchObject({ ok: false, failure: { kind: 'transient' } });
    expect(await index.lookup(values('username', 'user1', 'user120'))).toMatchObject({ ok: true, value: [{ id: 1 }, { id: 120 }] });
    expect(s.read).toEqual([1, 2, 2]);
  });

  it('reads the listing once when the batch’s chunks ask side by side', async () => {
    const s = site(250);
    const index = createSiteIndex(s.listPage);
    const answers = await Promise.all([1, 2, 3].map((c) => index.lookup(values('username', `user${c}`, `user${c + 200}`, 'x', 'y'))));
    expect(answers.map((a) => a?.ok && a.value.length)).toEqual([2, 2, 2]);
    expect(s.read).toEqual([1, 2, 3]);
  });
});
