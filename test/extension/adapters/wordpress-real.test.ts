/**
 * The WordPress adapters on the real WordPress 6.9.7 admin pages (test/fixtures/wordpress-real/
 * admin_html, README "Admin HTML"), beside the hand-made pages of wordpress-users.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { detectPage } from '../../../extension/src/adapters/detect-page';
import type { PeopleListPage, UserPage } from '../../../extension/src/adapters/page-adapter';
import { parsePage } from './parse-page';

const SITE = 'http://127.0.0.1:8891';
const page = (file: string, path: string) => parsePage(`wordpress-real/admin_html/${file}`, `${SITE}${path}`);

describe('WordPress adapters on the real 6.9 captures', () => {
  it('reads every row of users.php: login, email and role labels, the row checkbox, no status', () => {
    const { document, location } = page('users.html', '/wp-admin/users.php');
    const list = detectPage(document, location) as PeopleListPage;
    expect(list).toMatchObject({ kind: 'people-list', cms: 'wordpress', site: SITE, theme: 'wp-admin' });
    const rows = list.readRows();
    expect(rows.map((r) => r.data.uid)).toEqual(['1', '2', '12', '3', '4', '5', '6', '10', '7', '13']);
    expect(rows[1]?.data).toEqual({
      uid: '2',
      displayName: 'alice.editor',
      truncated: false,
      name: 'alice.editor',
      mail: 'alice.new@example.test',
      roles: ['Editor'],
    });
    expect(rows[1]?.checkbox?.value).toBe('2');
    expect(rows[1]?.chipAnchor.tagName).toBe('STRONG');
    expect(rows.every((r) => r.data.status === undefined)).toBe(true);
  });

  it('reads a role-less account (what the relay’s deactivation leaves) as no roles, not the word "None"', () => {
    const { document, location } = page('users_role_none.html', '/wp-admin/users.php?role=none');
    const rows = (detectPage(document, location) as PeopleListPage).readRows();
    expect(rows.map((r) => [r.data.name, r.data.roles])).toEqual([['grace.disabled', []]]);
  });

  it('reads the rows of a searched and a paged list the same way', () => {
    const searched = page('users_search_alice.html', '/wp-admin/users.php?s=alice');
    expect((detectPage(searched.document, searched.location) as PeopleListPage).readRows().map((r) => r.data.name)).toEqual(['alice.editor']);
    const paged = page('users_per_page_5_page_2.html', '/wp-admin/users.php?paged=2');
    expect((detectPage(paged.document, paged.location) as PeopleListPage).readRows()).toHaveLength(5);
  });

  it('reads user-edit.php: the edited user (input#user_id), login, email, role slug and public display name', () => {
    const { document, location } = page('user-edit_user_id_2.html', '/wp-admin/user-edit.php?user_id=2');
    const edit = detectPage(document, location) as UserPage;
    expect(edit).toMatchObject({ kind: 'user', cms: 'wordpress', site: SITE });
    expect(edit.user).toEqual({
      uid: '2',
      name: 'alice.editor',
      nameIsAccountName: true,
      displayName: 'Alice A. Anders',
      mail: 'alice.new@example.test',
      roles: ['editor'],
    });
    expect(edit.form?.id).toBe('your-profile');
  });

  it('reads a role-less account’s editor as no roles, and profile.php as the admin’s own account', () => {
    const none = page('user-edit_user_id_13_no_role.html', '/wp-admin/user-edit.php?user_id=13');
    expect((detectPage(none.document, none.location) as UserPage).user).toMatchObject({ uid: '13', name: 'grace.disabled', roles: [] });
    const profile = page('profile_admin.html', '/wp-admin/profile.php');
    expect((detectPage(profile.document, profile.location) as UserPage).user).toMatchObject({ uid: '1', name: 'admin', mail: 'admin@example.test' });
  });

  it('recognises nothing on user-new.php (no account yet)', () => {
    const { document, location } = page('user-new.html', '/wp-admin/user-new.php');
    expect(detectPage(document, location)).toBeNull();
  });
});
