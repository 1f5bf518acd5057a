/**
 * The WordPress and Joomla readers' boundaries, on answers shaped like the real captures
 * (test/fixtures/wordpress-real, test/fixtures/joomla-real): who is active, which groups, where
 * the listing ends, what counts as cut short, and which 404 means deleted. `SourceHttp` is
 * stubbed with the answers in order (faults a fake site does not produce: a short page mid-list).
 */
import { describe, expect, it } from 'vitest';
import type { SourceHttp } from '../../../worker/src/sources/http';
import { joomlaListUrl, readJoomlaPage, recheckJoomlaUser } from '../../../worker/src/sources/joomla-reader';
import { SourceError } from '../../../worker/src/sources/remote';
import { readWordpressPage, recheckWordpressUser, wpListUrl } from '../../../worker/src/sources/wordpress-reader';

type Answer = { status?: number; body: unknown; headers?: Record<string, string> };
const answers = (...list: Answer[]): SourceHttp & { urls: string[] } => {
  const urls: string[] = [];
  return {
    urls,
    meter: { requests: 0 },
    get: async (url) => {
      urls.push(url);
      const a = list.shift()!;
      return { status: a.status ?? 200, body: a.body, headers: new Headers(a.headers ?? {}), json: typeof a.body === 'object' };
    },
  };
};
const WP = 'https://wp.example';
const JO = 'https://joomla.example';
const wpUser = (id: number, roles: string[]) => ({ id, username: `u${id}`, email: `u${id}@x.test`, roles, name: `U ${id}` });
const joRow = (id: number, block: number, groups: string) => ({
  type: 'users',
  id: String(id),
  attributes: { id, name: `U ${id}`, username: `u${id}`, email: `u${id}@x.test`, block, group_names: groups },
});

describe('readWordpressPage', () => {
  it('reads the edit view: roles are groups, a user without roles is inactive, and the next page follows X-WP-TotalPages', async () => {
    const page = await readWordpressPage(
      answers({ body: [wpUser(2, ['editor', 'author']), wpUser(3, [])], headers: { 'X-WP-Total': '102', 'X-WP-TotalPages': '2' } }),
      wpListUrl(WP).replace('per_page=100', 'per_page=2'),
    );
    expect(page.users).toEqual([
      { remoteId: '2', uid: '2', name: 'u2', email: 'u2@x.test', active: true, roles: ['editor', 'author'], changed: null },
      { remoteId: '3', uid: '3', name: 'u3', email: 'u3@x.test', active: false, roles: [], changed: null },
    ]);
    expect(new URL(page.next!).searchParams.get('page')).toBe('2');
  });

  it('the public view (no username, no roles) is hidden, never imported as someone without roles', async () => {
    const page = await readWordpressPage(
      answers({ body: [{ id: 1, name: 'admin', slug: 'admin' }], headers: { 'X-WP-Total': '1', 'X-WP-TotalPages': '1' } }),
      wpListUrl(WP),
    );
    expect(page).toEqual({ users: [], next: null, hidden: 1 });
  });

  it('a page short of per_page before the last, or an answer without the totals, is a transient failure', async () => {
    const short = await readWordpressPage(
      answers({ body: [wpUser(2, ['editor'])], headers: { 'X-WP-Total': '150', 'X-WP-TotalPages': '2' } }),
      wpListUrl(WP),
    ).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(SourceError);
    expect((short as SourceError).message).toContain('cut short');
    expect((short as SourceError).fatal).toBe(false);
    await expect(readWordpressPage(answers({ body: [wpUser(2, ['editor'])] }), wpListUrl(WP))).rejects.toThrow(/X-WP-Total/);
  });

  it('401 is the anonymous fallback in words, and pauses (fatal)', async () => {
    const err = (await readWordpressPage(
      answers({ status: 401, body: { code: 'rest_forbidden_context', message: 'Sorry, you are not allowed to list users.', data: { status: 401 } } }),
      wpListUrl(WP),
    ).catch((e: unknown) => e)) as SourceError;
    expect(err.fatal).toBe(true);
    expect(err.message).toContain('anonymous visitor');
  });
});

describe('recheckWordpressUser', () => {
  it('only rest_user_invalid_id means deleted; another 404 is a failed request', async () => {
    expect(
      await recheckWordpressUser(answers({ status: 404, body: { code: 'rest_user_invalid_id', message: 'Invalid user ID.', data: { status: 404 } } }), WP, '5'),
    ).toBe('gone');
    await expect(recheckWordpressUser(answers({ status: 404, body: '<html>Not found</html>' }), WP, '5')).rejects.toBeInstanceOf(SourceError);
    expect(await recheckWordpressUser(answers({ body: wpUser(5, ['subscriber']) }), WP, '5')).toMatchObject({ user: { uid: '5', active: true } });
  });
});

describe('readJoomlaPage', () => {
  it('block is active, group_names (one a line) are groups, and the next page is built on the site by offset', async () => {
    const http = answers({
      body: {
        data: [joRow(573, 0, 'Editor\nAuthor'), joRow(580, 1, 'Registered')],
        links: { next: 'https://elsewhere.example/api/index.php/v1/users?page%5Boffset%5D=2' },
        meta: { 'total-pages': 2 },
      },
    });
    const page = await readJoomlaPage(http, JO, joomlaListUrl(JO).replace('page%5Blimit%5D=100', 'page%5Blimit%5D=2'));
    expect(page.users.map((u) => [u.uid, u.active, u.roles])).toEqual([
      ['573', true, ['Editor', 'Author']],
      ['580', false, ['Registered']],
    ]);
    const next = new URL(page.next!);
    expect(next.origin).toBe(JO);
    expect(next.searchParams.get('page[offset]')).toBe('2');
  });

  it('a short page that still has a next link, or a last page before total-pages, is cut short', async () => {
    await expect(
      readJoomlaPage(answers({ body: { data: [joRow(1, 0, 'Registered')], links: { next: `${JO}/x` }, meta: { 'total-pages': 3 } } }), JO, joomlaListUrl(JO)),
    ).rejects.toThrow(/cut short/);
    await expect(
      readJoomlaPage(answers({ body: { data: [joRow(1, 0, 'Registered')], links: {}, meta: { 'total-pages': 3 } } }), JO, joomlaListUrl(JO)),
    ).rejects.toThrow(/cut short/);
  });

  it("an offset past the end is the listing's end when the first row still answers, and the plugin's absence when it does not", async () => {
    const notFound = { status: 404, body: { errors: [{ title: 'Resource not found' }] } };
    const ended = answers(notFound, { body: { data: [joRow(1, 0, 'Registered')], links: {} } });
    expect(await readJoomlaPage(ended, JO, joomlaListUrl(JO, 100))).toEqual({ users: [], next: null, hidden: 0 });
    expect(ended.urls[1]).toContain('page%5Boffset%5D=0');
    const off = await readJoomlaPage(answers(notFound, notFound), JO, joomlaListUrl(JO, 100)).catch((e: unknown) => e);
    expect((off as SourceError).fatal).toBe(true);
    expect((off as SourceError).message).toContain('Web Services - Users');
  });

  it('406 names the Accept header', async () => {
    await expect(readJoomlaPage(answers({ status: 406, body: 'Could not match accept header' }), JO, joomlaListUrl(JO))).rejects.toThrow(/Accept header/);
  });
});

describe('recheckJoomlaUser', () => {
  it('an empty filtered listing means deleted; a 404 (the plugin off) is a failed request', async () => {
    expect(await recheckJoomlaUser(answers({ body: { data: [], links: {} } }), JO, '575')).toBe('gone');
    await expect(recheckJoomlaUser(answers({ status: 404, body: { errors: [{ title: 'Resource not found' }] } }), JO, '575')).rejects.toBeInstanceOf(
      SourceError,
    );
    expect(await recheckJoomlaUser(answers({ body: { data: [joRow(575, 1, 'Publisher')], links: {} } }), JO, '575')).toMatchObject({
      user: { uid: '575', active: false, roles: ['Publisher'] },
    });
  });
});
