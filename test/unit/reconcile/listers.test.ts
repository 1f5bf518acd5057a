/**
 * The listing readers reconcile uses, against canned answers (a fetch stub: the page shapes and
 * a foreign next link are what is tested, not a server): SCIM index paging ends where RFC 7644
 * §3.4.2.4 says, and a Drupal `links.next` outside the site is refused, not followed; Joomla's
 * group titles become group ids, and neither CMS listing takes a short page for the end.
 */
import { describe, expect, it } from 'vitest';
import { createDrupalLister } from '../../../worker/src/provisioning/drupal-client';
import { createTargetLister } from '../../../worker/src/provisioning/reconcile/target-lister';
import { createScimLister } from '../../../worker/src/provisioning/scim-client';
import type { Target } from '../../../shared/src';
import { jsonapi, user } from '../drupal-client/helpers';

const scimPage = (ids: string[], totalResults?: number) =>
  new Response(
    JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      ...(totalResults === undefined ? {} : { totalResults }),
      Resources: ids.map((id) => ({ id, userName: id })),
    }),
    { status: 200, headers: { 'content-type': 'application/scim+json' } },
  );

describe('the SCIM lister', () => {
  it('asks for one page with the named attributes and says how many there are', async () => {
    const urls: string[] = [];
    const lister = createScimLister({
      baseUrl: 'https://app.example/scim/v2',
      token: 't',
      fetch: async (input) => (urls.push(String(input)), scimPage(['a', 'b'], 5)),
    });
    const page = await lister.list('Users', { startIndex: 3, count: 2, attributes: ['userName', 'emails'] });
    expect(page).toMatchObject({ ok: true, value: { totalResults: 5, resources: [{ id: 'a' }, { id: 'b' }] } });
    expect(urls).toEqual(['https://app.example/scim/v2/Users?startIndex=3&count=2&attributes=userName%2Cemails']);
  });

  it('reads a missing account as not_found', async () => {
    const lister = createScimLister({
      baseUrl: 'https://app.example/scim/v2',
      token: 't',
      fetch: async () => new Response(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' }), { status: 404 }),
    });
    expect(await lister.get('Users', 'gone')).toMatchObject({ ok: false, failure: { kind: 'not_found' } });
  });
});

describe('the Drupal lister', () => {
  const site = 'https://site.example';
  const conn = (fetchImpl: typeof fetch) => ({
    baseUrl: site,
    token: 'admin:pw',
    fetch: fetchImpl,
    options: { auth: 'basic' as const, jsonapiPath: '/jsonapi', roleMap: {}, fields: {} },
  });
  const seed = { uuid: 'u-1', uid: 2, name: 'ada', roles: [{ uuid: 'r-1', id: 'content_editor' }] };

  it('follows links.next below the site and gives each account its role machine names', async () => {
    const lister = createDrupalLister(
      conn(async () => jsonapi(200, { data: [user(seed)], links: { next: { href: `${site}/jsonapi/user/user?page%5Boffset%5D=50&page%5Blimit%5D=50` } } })),
    );
    const page = await lister.list(null);
    expect(page).toMatchObject({
      ok: true,
      value: { next: '/user/user?page%5Boffset%5D=50&page%5Blimit%5D=50', users: [{ resource: { id: 'u-1', userName: 'ada' }, roles: ['content_editor'] }] },
    });
  });

  it('refuses a next link on another origin: the credentials go to the site only', async () => {
    const lister = createDrupalLister(
      conn(async () => jsonapi(200, { data: [user(seed)], links: { next: { href: 'https://elsewhere.example/jsonapi/user/user?page%5Boffset%5D=50' } } })),
    );
    const page = await lister.list(null);
    expect(page).toMatchObject({ ok: false, failure: { kind: 'rejected' } });
    expect(!page.ok && page.failure.message).toContain('https://elsewhere.example');
  });
});

/** A Joomla list document, as the site answers it (fixtures/joomla-real api/040): group titles one a line, no total. */
const joomlaRows = (rows: { id: number; name: string; groups: string[]; block?: number }[], next?: string) =>
  new Response(
    JSON.stringify({
      links: { self: 'x', ...(next ? { next } : {}) },
      data: rows.map((r) => ({
        type: 'users',
        id: String(r.id),
        attributes: { id: r.id, name: r.name, username: r.name, email: `${r.name}@example.test`, block: r.block ?? 0, group_names: r.groups.join('\n') },
      })),
      meta: { 'total-pages': next ? 2 : 1 },
    }),
    { status: 200, headers: { 'content-type': 'application/vnd.api+json' } },
  );
const joomlaGroups = (groups: [number, string][]) =>
  new Response(JSON.stringify({ data: groups.map(([id, title]) => ({ type: 'groups', id: String(id), attributes: { id, title, parent_id: 1 } })) }), {
    status: 200,
    headers: { 'content-type': 'application/vnd.api+json' },
  });
const joomlaError = (status: number) =>
  new Response(JSON.stringify({ errors: [{ title: 'Resource not found' }] }), { status, headers: { 'content-type': 'application/vnd.api+json' } });

function cmsLister(kind: 'joomla-webservices' | 'wordpress-rest', answer: (url: URL) => Response) {
  const urls: URL[] = [];
  const target = { id: 't', kind, baseUrl: 'https://site.example', options: {}, mapping: [] } as unknown as Target;
  const lister = createTargetLister(target, kind === 'wordpress-rest' ? 'admin:pass' : 'c2hhMjU2OjU2MDp4', {}, async (input) => {
    const url = new URL(String(input));
    urls.push(url);
    return answer(url);
  });
  return { lister, urls };
}

describe('the Joomla lister', () => {
  it('pages by offset and gives each account its group ids, from the titles a list row names', async () => {
    const { lister, urls } = cmsLister('joomla-webservices', (url) =>
      url.pathname.endsWith('/groups')
        ? joomlaGroups([
            [2, 'Registered'],
            [4, 'Editor'],
          ])
        : joomlaRows(
            [
              { id: 573, name: 'alice', groups: ['Registered', 'Editor'] },
              { id: 580, name: 'blocked', groups: ['Registered'], block: 1 },
              ...Array.from({ length: 98 }, (_, i) => ({ id: 600 + i, name: `other${i}`, groups: ['Registered'] })),
            ],
            url.searchParams.get('page[offset]') === '0' ? 'https://site.example/api/index.php/v1/users?page[offset]=100' : undefined,
          ),
    );
    const page = await lister.users(null, 100);
    expect(page).toMatchObject({ ok: true, value: { next: '100' } });
    if (!page.ok) return;
    expect(page.value.items.slice(0, 2).map((i) => [i.remoteId, i.roles, i.resource.active])).toEqual([
      ['573', ['2', '4'], true],
      ['580', ['2'], false],
    ]);
    expect(await lister.users('100', 100)).toMatchObject({ ok: true, value: { next: null } });
    // The groups are read once per lister, the users page by page.
    expect(urls.map((u) => `${u.pathname} ${u.searchParams.get('page[offset]')}`)).toEqual([
      '/api/index.php/v1/users 0',
      '/api/index.php/v1/users/groups null',
      '/api/index.php/v1/users 100',
    ]);
  });

  it('reads an account by id when a title it holds belongs to two groups', async () => {
    const { lister, urls } = cmsLister('joomla-webservices', (url) =>
      url.pathname.endsWith('/groups')
        ? joomlaGroups([
            [2, 'Registered'],
            [10, 'Staff'],
            [11, 'Staff'],
          ])
        : url.pathname.endsWith('/573')
          ? new Response(JSON.stringify({ data: { type: 'users', id: '573', attributes: { id: 573, username: 'alice', groups: { 2: 2, 11: 11 } } } }), {
              status: 200,
              headers: { 'content-type': 'application/vnd.api+json' },
            })
          : joomlaRows([{ id: 573, name: 'alice', groups: ['Registered', 'Staff'] }]),
    );
    const page = await lister.users(null, 100);
    expect(page.ok && page.value.items[0]!.roles).toEqual(['2', '11']);
    expect(urls.at(-1)!.pathname).toBe('/api/index.php/v1/users/573');
  });

  it('ends the pass at an offset past a listing that shrank, but calls a 404 on the first page a missing plugin', async () => {
    const past = cmsLister('joomla-webservices', () => joomlaError(404));
    expect(await past.lister.users('200', 100)).toMatchObject({ ok: true, value: { items: [], next: null } });
    expect(await past.lister.users(null, 100)).toMatchObject({
      ok: false,
      failure: { kind: 'fatal', message: expect.stringContaining('Web Services - Users') },
    });
  });

  it('takes a short page before the last as a listing cut short, and an unknown id as gone', async () => {
    const { lister } = cmsLister('joomla-webservices', (url) =>
      url.searchParams.has('filter[search]')
        ? joomlaRows([])
        : joomlaRows([{ id: 1, name: 'a', groups: [] }], 'https://site.example/api/index.php/v1/users?page[offset]=100'),
    );
    expect(await lister.users(null, 100)).toMatchObject({ ok: false, failure: { kind: 'transient' } });
    expect(await lister.getUser('999')).toMatchObject({ ok: false, failure: { kind: 'not_found' } });
  });
});

describe('the WordPress lister', () => {
  const wpUsers = (ids: number[], totalPages: number) =>
    new Response(JSON.stringify(ids.map((id) => ({ id, username: `u${id}`, email: `u${id}@example.test`, roles: id === 3 ? [] : ['subscriber'] }))), {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-wp-total': String(ids.length), 'x-wp-totalpages': String(totalPages) },
    });

  it('reads 100 a page by id, an account without roles as deactivated, and a short page before the last as cut short', async () => {
    const { lister, urls } = cmsLister('wordpress-rest', (url) => (url.searchParams.get('page') === '1' ? wpUsers([2, 3], 1) : wpUsers([4], 3)));
    const page = await lister.users(null, 100);
    expect(page).toMatchObject({ ok: true, value: { next: null } });
    expect(page.ok && page.value.items.map((i) => [i.remoteId, i.roles, i.resource.active])).toEqual([
      ['2', ['subscriber'], true],
      ['3', [], false],
    ]);
    expect(Object.fromEntries(urls[0]!.searchParams)).toMatchObject({ context: 'edit', per_page: '100', page: '1', orderby: 'id', order: 'asc' });
    expect(await lister.users('2', 100)).toMatchObject({ ok: false, failure: { kind: 'transient' } });
  });
});
