import { describe, expect, it } from 'vitest';
import { detectPage } from '../../../extension/src/adapters/detect-page';
import { readDrupalUserForm } from '../../../extension/src/adapters/drupal-user';
import type { UserPage } from '../../../extension/src/adapters/page-adapter';
import { parsePage } from './parse-page';

function userPage(name: string, url: string): UserPage {
  const { document, location } = parsePage(name, url);
  const page = detectPage(document, location);
  expect(page?.kind).toBe('user');
  return page as UserPage;
}

describe('Drupal user page adapter', () => {
  it('reads the real Drupal 10.2 edit form: account name, mail, status, role machine names', () => {
    const page = userPage('drupal10-real-user-2-edit.html', 'https://example.org/user/2/edit');
    expect(page.site).toBe('https://example.org');
    expect(page.user).toMatchObject({
      uid: '2',
      name: 'alice.johnson',
      nameIsAccountName: true,
      mail: 'alice.johnson@example.com',
      status: 'active',
      roles: ['content_editor'],
    });
    expect(page.form?.id).toBe('user-form');
    expect(page.panelBefore).toBe(page.form);
  });

  it('takes the viewed user from currentPath, not drupalSettings.user.uid (the admin)', () => {
    const page = userPage('drupal-claro-user-edit.html', 'https://example.org/user/5/edit');
    expect(page.user.uid).toBe('5');
    expect(page.user.nameIsAccountName).toBe(true);
  });

  it('reads the form as it is when saved: a status switched to Blocked is read as blocked', () => {
    const page = userPage('drupal10-real-user-2-edit.html', 'https://example.org/user/2/edit');
    const form = page.form!;
    form.querySelector<HTMLInputElement>('#edit-status-1')!.removeAttribute('checked');
    form.querySelector<HTMLInputElement>('#edit-status-0')!.setAttribute('checked', 'checked');
    expect(readDrupalUserForm(form, '2', 'alice.johnson')?.status).toBe('blocked');
  });

  it('reads the Olivero profile (no form): uid from the path, name from the title, nothing invented', () => {
    const page = userPage('drupal-olivero-user-view.html', 'https://example.org/user/5');
    expect(page.theme).toBe('olivero');
    expect(page.form).toBeNull();
    expect(page.user).toEqual({ uid: '5', name: 'jane.doe', nameIsAccountName: false, displayName: 'jane.doe', roles: [] });
  });

  it('reads the Claro profile the same way', () => {
    const page = userPage('drupal-claro-user-view.html', 'https://example.org/user/5');
    expect(page.user).toMatchObject({ uid: '5', name: 'jane.doe', nameIsAccountName: false });
  });

  it('recognises nothing on a People list or a WordPress page', () => {
    for (const [name, url] of [
      ['drupal-claro-admin-people.html', 'https://example.org/admin/people'],
      ['joomla-users.html', 'https://example.org/administrator/index.php'],
    ] as const) {
      const { document, location } = parsePage(name, url);
      expect(detectPage(document, location)?.kind).not.toBe('user');
    }
  });
});
