/**
 * The Drupal reader against recorded JSON:API answers (test/fixtures): the real Drupal 10
 * capture, the admin collection with links.next, and a limited account's collection (hidden
 * fields, label-only anonymous, meta.omitted). `SourceHttp` is stubbed with the recorded body.
 */
import { describe, expect, it } from 'vitest';
import realUsers from '../../fixtures/drupal10-real-jsonapi-users.json';
import adminUsers from '../../fixtures/drupal-jsonapi-users.json';
import limitedUsers from '../../fixtures/drupal-jsonapi-users-limited.json';
import oneUser from '../../fixtures/drupal-jsonapi-user.json';
import { createBody, diffOperations, inScope } from '../../../worker/src/sources/apply-page';
import { incrementalUrl, readDrupalPage, recheckDrupalUser, toRemoteUser } from '../../../worker/src/sources/drupal-reader';
import type { SourceHttp } from '../../../worker/src/sources/http';
import { SourceError } from '../../../worker/src/sources/remote';
import { sourceSettingsSchema } from '../../../shared/src/sources';

const recorded = (body: unknown, status = 200): SourceHttp => ({
  meter: { requests: 0 },
  get: async () => ({ status, body, headers: new Headers(), json: typeof body === 'object' }),
});
const defaults = sourceSettingsSchema.parse({});

describe('readDrupalPage on recorded answers', () => {
  it('the real Drupal 10 capture: 9 accounts, uid 0 hidden (label only), blocked ones inactive, roles by machine name', async () => {
    const page = await readDrupalPage(recorded(realUsers), 'http://127.0.0.1:8888', 'http://127.0.0.1:8888/jsonapi/user/user');
    expect(page.users).toHaveLength(9);
    expect(page.hidden).toBe(1);
    expect(page.next).toBeNull();
    expect(page.users.find((u) => u.name === 'dave.brown')).toMatchObject({ uid: '5', active: false, roles: [] });
    expect(page.users[0]).toMatchObject({
      remoteId: 'ab4c8bad-aa6f-4043-a2a3-f7c02028edd1',
      uid: '1',
      name: 'admin',
      email: 'admin@example.com',
      active: true,
      roles: ['administrator'],
      changed: String(Date.parse('2026-11-22T06:00:20+00:00') / 1000),
    });
  });

  it('follows links.next of the same origin and refuses one elsewhere', async () => {
    const page = await readDrupalPage(recorded(adminUsers), 'https://example.com', 'https://example.com/jsonapi/user/user?x');
    expect(page.next).toContain('page%5Boffset%5D=4');
    await expect(readDrupalPage(recorded(adminUsers), 'https://other.example', 'https://other.example/jsonapi/user/user')).rejects.toThrow(/another origin/);
  });

  it("a limited account's answer: no mail or status (left undefined, not false), omitted blocked users counted as hidden", async () => {
    const page = await readDrupalPage(recorded(limitedUsers), 'https://example.com', 'https://example.com/jsonapi/user/user');
    expect(page.users.map((u) => u.name)).toEqual(['admin', 'anna.schmidt', 'mkowalski']);
    expect(page.users[0]).toMatchObject({ email: undefined, active: undefined, roles: undefined });
    // anna's own account shows her mail; mkowalski's does not
    expect(page.users[1]!.email).toBe('anna.schmidt@example.com');
    expect(page.hidden).toBe(2);
  });

  it('errors say what to fix; a body that is not a collection is a failure, not an empty page', async () => {
    await expect(readDrupalPage(recorded({ errors: [{ detail: 'no' }] }, 403), 'https://x.org', 'https://x.org/jsonapi/user/user')).rejects.toThrow(
      /administer users/,
    );
    await expect(readDrupalPage(recorded('<html>', 404), 'https://x.org', 'https://x.org/jsonapi/user/user')).rejects.toThrow(/JSON:API module/);
    const cut = readDrupalPage(recorded('{"data":[{"type":"user--us'), 'https://x.org', 'https://x.org/jsonapi/user/user');
    await expect(cut).rejects.toBeInstanceOf(SourceError);
  });
});

describe('the shape of an answer, parsed at the boundary', () => {
  const page = (data: unknown[], extra: object = {}) => ({ data, links: {}, ...extra });
  const user = (over: object = {}) => ({
    type: 'user--user',
    id: 'u-1',
    attributes: { drupal_internal__uid: 7, name: 'kim', mail: 'kim@example.com', status: true, changed: '2026-01-01T00:00:00+00:00' },
    ...over,
  });
  const read = (body: unknown) => readDrupalPage(recorded(body), 'https://x.org', 'https://x.org/jsonapi/user/user?sort=drupal_internal__uid');

  it('a role reference of null is a transient SourceError naming the key path and the URL path', async () => {
    const err = await read(page([user(), user({ relationships: { roles: { data: [null] } } })])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toMatch(/^The answer to \/jsonapi\/user\/user has an unexpected shape at data\.1\.relationships\.roles\.data\.0: /);
    expect((err as SourceError).fatal).toBe(false);
    expect((err as SourceError).status).toBe(200);
  });

  it('a present field of the wrong type is refused; unknown keys, nulls and missing fields pass as before', async () => {
    await expect(read(page([user({ attributes: { drupal_internal__uid: 7, name: 42 } })]))).rejects.toThrow(/at data\.0\.attributes\.name: /);
    await expect(read(page([user()], { links: { next: { href: 5 } } }))).rejects.toThrow(/at links\.next\.href: /);
    const ok = await read(
      page(
        [
          user({
            extra: { anything: true },
            attributes: { drupal_internal__uid: '7', name: 'kim', mail: null, status: null, changed: null },
            relationships: { roles: { data: null } },
          }),
        ],
        { links: { next: null }, meta: { omitted: { links: { help: {}, 'item--a': {} } } } },
      ),
    );
    expect(ok).toEqual({
      users: [{ remoteId: 'u-1', uid: '7', name: 'kim', email: null, active: undefined, roles: undefined, changed: null }],
      next: null,
      hidden: 1,
    });
  });

  it('the recheck reader parses the single resource too', async () => {
    const one = (body: unknown) => recheckDrupalUser(recorded(body), 'https://x.org', 'u-1');
    await expect(one({ data: user() })).resolves.toMatchObject({ user: { uid: '7', name: 'kim' } });
    await expect(one({ data: null })).resolves.toBe('hidden');
    await expect(one({ data: { type: 'user--user', id: 'u-1', attributes: { display_name: 'Anonymous' } } })).resolves.toBe('hidden');
    const err = await one({ data: user({ relationships: { roles: { data: [null] } } }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toContain('/jsonapi/user/user/u-1 has an unexpected shape at data.relationships.roles.data.0');
    expect((err as SourceError).fatal).toBe(false);
  });
});

describe('mapping', () => {
  const jane = toRemoteUser(oneUser.data)!;

  it('defaults: name → userName, mail → work email, status → active, UUID → externalId', () => {
    expect(createBody(jane, defaults)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'jane.doe',
      active: true,
      externalId: 'c4b7e2a9-6f1d-4e3b-a8c5-1d2e3f4a5b6c',
      emails: [{ value: 'jane.doe@example.com', type: 'work', primary: true }],
    });
  });

  it('only what differs is replaced; hidden values are left alone', () => {
    const stored = createBody(jane, defaults);
    expect(diffOperations(stored, jane, defaults)).toEqual([]);
    expect(diffOperations(stored, { ...jane, active: false, email: 'new@example.com' }, defaults).map((o) => o.path)).toEqual(['emails', 'active']);
    expect(diffOperations(stored, { ...jane, active: undefined, email: undefined }, defaults)).toEqual([]);
  });

  it('include filter: active only, by role, unknown when roles are hidden', () => {
    const s = sourceSettingsSchema.parse({ include: { roles: ['content_editor'], activeOnly: true } });
    expect(inScope(jane, s)).toBe(true);
    expect(inScope({ ...jane, active: false }, s)).toBe(false);
    expect(inScope({ ...jane, roles: ['administrator'] }, s)).toBe(false);
    expect(inScope({ ...jane, roles: undefined }, s)).toBeUndefined();
  });

  it('the incremental URL filters changed >= watermark in seconds, sorted, 50 a page', () => {
    const q = new URL(incrementalUrl('https://x.org/drupal', '1735689600')).searchParams;
    expect(Object.fromEntries(q)).toEqual({
      'filter[changed][condition][path]': 'changed',
      'filter[changed][condition][operator]': '>=',
      'filter[changed][condition][value]': '1735689600',
      sort: 'changed,drupal_internal__uid',
      'page[limit]': '50',
    });
  });
});
