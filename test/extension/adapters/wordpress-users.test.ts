import { describe, expect, it } from 'vitest';
import { detectPage } from '../../../extension/src/adapters/detect-page';
import type { PeopleListPage, UserPage } from '../../../extension/src/adapters/page-adapter';
import { parsePage } from './parse-page';

describe('WordPress adapters', () => {
  it('reads users.php rows by tr#user-ID: login, email, roles, no status', () => {
    const { document, location } = parsePage('wordpress-users.html', 'https://example.com/blog/wp-admin/users.php');
    const page = detectPage(document, location) as PeopleListPage;
    expect(page).toMatchObject({ kind: 'people-list', cms: 'wordpress', site: 'https://example.com/blog' });
    const rows = page.readRows().map((r) => r.data);
    expect(rows).toHaveLength(8);
    expect(rows.find((r) => r.uid === '6')).toEqual({
      uid: '6',
      displayName: 'li.wei',
      truncated: false,
      name: 'li.wei',
      mail: 'li.wei@example.com',
      roles: ['Author', 'Editor'],
    });
    expect(rows.find((r) => r.uid === '7')?.roles).toEqual([]);
    expect(rows.every((r) => r.status === undefined)).toBe(true);
    expect(page.readRows()[0]?.checkbox?.value).toBe('1');
  });

  it('reads user-edit.php from input#user_id, not checkuser_id (the admin)', () => {
    const { document, location } = parsePage('wordpress-user-edit.html', 'https://example.com/wp-admin/user-edit.php?user_id=5');
    const page = detectPage(document, location) as UserPage;
    expect(page).toMatchObject({ kind: 'user', cms: 'wordpress', site: 'https://example.com' });
    expect(page.user).toMatchObject({ uid: '5', name: 'jane.doe', mail: 'jane.doe@example.com', nameIsAccountName: true });
  });

  it('recognises nothing outside wp-admin', () => {
    const { document, location } = parsePage('wordpress-users.html', 'https://example.com/users.php');
    expect(detectPage(document, location)).toBeNull();
  });
});
