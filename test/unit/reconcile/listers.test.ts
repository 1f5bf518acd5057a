/**
 * The listing readers reconcile uses, against canned answers (a fetch stub: the page shapes and
 * a foreign next link are what is tested, not a server): SCIM index paging ends where RFC 7644
 * §3.4.2.4 says, and a Drupal `links.next` outside the site is refused, not followed.
 */
import { describe, expect, it } from 'vitest';
import { createDrupalLister } from '../../../worker/src/provisioning/drupal-client';
import { createScimLister } from '../../../worker/src/provisioning/scim-client';
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
