import { describe, expect, it } from 'vitest';
import { drupalPeopleAdapter, uidFromBulkKey } from '../../../extension/src/adapters/drupal-people';
import { detectPage } from '../../../extension/src/adapters/detect-page';
import type { PeopleListPage } from '../../../extension/src/adapters/page-adapter';
import { parsePage } from './parse-page';

function listOf(name: string, url = 'https://example.org/admin/people'): PeopleListPage {
  const { document, location } = parsePage(name, url);
  const page = detectPage(document, location);
  expect(page?.kind).toBe('people-list');
  return page as PeopleListPage;
}

describe('Drupal People list adapter', () => {
  it('reads every row of the real Drupal 10.2 capture: uid from the bulk key, name, status, roles', () => {
    const page = listOf('drupal10-real-admin-people.html');
    expect(page).toMatchObject({ cms: 'drupal', site: 'https://example.org', theme: 'claro' });
    const rows = page.readRows().map((r) => r.data);
    expect(rows).toHaveLength(9);
    expect(rows[0]).toEqual({ uid: '9', displayName: 'heidi.wilson', truncated: false, status: 'active', roles: [] });
    expect(rows.find((r) => r.uid === '8')).toMatchObject({ displayName: 'grace.lee', status: 'blocked' });
    expect(rows.find((r) => r.uid === '4')?.roles).toEqual(['Administrator']);
    expect(rows.filter((r) => r.status === 'blocked').map((r) => r.uid)).toEqual(['8', '5']);
  });

  it("anchors chips in the name cell and finds the page's own bulk checkbox", () => {
    const [row] = listOf('drupal10-real-admin-people.html').readRows();
    expect(row?.chipAnchor.classList.contains('views-field-name')).toBe(true);
    expect(row?.checkbox?.name).toBe('user_bulk_form[0]');
  });

  it('reads the Claro fixture, flagging the truncated name and keeping the unicode one', () => {
    const rows = listOf('drupal-claro-admin-people.html')
      .readRows()
      .map((r) => r.data);
    expect(rows).toHaveLength(9);
    const truncated = rows.filter((r) => r.truncated);
    expect(truncated).toHaveLength(1);
    expect(truncated[0]?.displayName.endsWith('…')).toBe(true);
    expect(rows.some((r) => /[^\x00-\x7f]/.test(r.displayName))).toBe(true);
    expect(rows.filter((r) => r.status === 'blocked')).toHaveLength(2);
  });

  it('reads the Gin fixture, whose status sits inside span.marker', () => {
    const page = listOf('drupal-gin-admin-people.html');
    expect(page.theme).toBe('gin');
    const rows = page.readRows().map((r) => r.data);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.status === 'active' || r.status === 'blocked')).toBe(true);
  });

  it('takes the site from drupalSettings.path.baseUrl, so a sub-directory install keeps its path', () => {
    const { document, location } = parsePage('drupal10-real-admin-people.html', 'https://example.org/admin/people');
    const settings = document.querySelector('script[data-drupal-selector="drupal-settings-json"]')!;
    settings.textContent = settings.textContent!.replace('"baseUrl":"\\/"', '"baseUrl":"\\/drupal\\/"');
    expect(drupalPeopleAdapter.detect(document, location)?.site).toBe('https://example.org/drupal');
  });

  it('falls back to the profile link when the view has no bulk field', () => {
    const { document, location } = parsePage('drupal10-real-admin-people.html', 'https://example.org/admin/people');
    document.querySelectorAll('td.views-field-user-bulk-form').forEach((td) => td.remove());
    const rows = (drupalPeopleAdapter.detect(document, location) as PeopleListPage).readRows();
    expect(rows.map((r) => r.data.uid)).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1']);
    expect(rows.every((r) => r.checkbox === null)).toBe(true);
  });

  it('does not claim a page whose currentPath is not admin/people, even with the view on it', () => {
    const { document, location } = parsePage('drupal10-real-admin-people.html', 'https://example.org/admin/people');
    const settings = document.querySelector('script[data-drupal-selector="drupal-settings-json"]')!;
    settings.textContent = settings.textContent!.replace('"currentPath":"admin\\/people"', '"currentPath":"admin\\/content"');
    expect(drupalPeopleAdapter.detect(document, location)).toBeNull();
  });

  it('decodes bulk-form keys and refuses what is not one', () => {
    expect(uidFromBulkKey(btoa('["en","42"]'))).toBe('42');
    expect(uidFromBulkKey('not base64!')).toBeNull();
    expect(uidFromBulkKey(btoa('{"a":1}'))).toBeNull();
  });
});

describe('People pages generated from the real capture (benchmark pages)', () => {
  it('keeps every generated row readable by the adapter', async () => {
    const { parseHTML } = await import('linkedom');
    const { benchUsers, peoplePage } = await import('../support/people-page.ts');
    const users = benchUsers(200);
    const { document } = parseHTML(peoplePage(users, true));
    const page = drupalPeopleAdapter.detect(document as unknown as Document, {
      origin: 'http://127.0.0.1:1',
      pathname: '/admin/people',
      search: '',
    }) as PeopleListPage;
    const rows = page.readRows().map((r) => r.data);
    expect(rows.map((r) => r.uid)).toEqual(users.map((u) => u.uid));
    expect(rows[199]?.displayName).toBe('bench.user.0200');
  });
});
