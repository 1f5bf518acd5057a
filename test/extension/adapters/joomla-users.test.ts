/**
 * The Joomla adapters on the real Joomla 5.2.3 Atum admin pages (test/fixtures/joomla-real/
 * admin_html, README "Admin HTML"): the Users list and the user editor.
 */
import { describe, expect, it } from 'vitest';
import { detectPage } from '../../../extension/src/adapters/detect-page';
import type { PeopleListPage, UserPage } from '../../../extension/src/adapters/page-adapter';
import { parsePage } from './parse-page';

const SITE = 'http://127.0.0.1:8892';
const ADMIN = '/administrator/index.php';
const page = (file: string, search: string) => parsePage(`joomla-real/admin_html/${file}`, `${SITE}${ADMIN}${search}`);

describe('Joomla adapters on the real 5.2 Atum captures', () => {
  it('reads every row of the Users list: id from cid[], name, login, email, group titles, enabled or blocked', () => {
    const { document, location } = page('users.html', '?option=com_users&view=users');
    const list = detectPage(document, location) as PeopleListPage;
    expect(list).toMatchObject({ kind: 'people-list', cms: 'joomla', site: SITE, theme: 'atum' });
    const rows = list.readRows();
    expect(rows).toHaveLength(10);
    expect(rows[0]?.data).toEqual({
      uid: '573',
      displayName: 'Alice A. Anders',
      truncated: false,
      name: 'alice.editor',
      mail: 'alice.new@example.test',
      status: 'active',
      roles: ['Editor'],
    });
    expect(rows[0]?.checkbox?.value).toBe('573');
    expect(rows.find((r) => r.data.name === 'admin')?.data).toMatchObject({ uid: '560', roles: ['Super Users'] });
    expect(rows.filter((r) => r.data.status === 'blocked').map((r) => r.data.name)).toEqual(['blocked.user']);
  });

  it('reads a blocked-only filter and a second page the same way', () => {
    const blocked = page('users_filter_blocked.html', '?option=com_users&view=users');
    const rows = (detectPage(blocked.document, blocked.location) as PeopleListPage).readRows();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.data.status === 'blocked')).toBe(true);
    const second = page('users_limit_5_page_2.html', '?option=com_users&view=users&limitstart=5');
    expect((detectPage(second.document, second.location) as PeopleListPage).readRows()).toHaveLength(5);
  });

  it('reads the user editor from the form: id, login, name, email, block and the checked group ids', () => {
    const { document, location } = page('user_edit_id_573_alice.html', '?option=com_users&view=user&layout=edit&id=573');
    const edit = detectPage(document, location) as UserPage;
    expect(edit).toMatchObject({ kind: 'user', cms: 'joomla', site: SITE, theme: 'atum' });
    expect(edit.user).toEqual({
      uid: '573',
      name: 'alice.editor',
      nameIsAccountName: true,
      displayName: 'Alice A. Anders',
      mail: 'alice.new@example.test',
      status: 'active',
      roles: ['4'],
    });
    expect(edit.form?.id).toBe('user-form');
  });

  it('counts only the toolbar’s Save, Save & Close and Save & New as saving, not Cancel', () => {
    const { document, location } = page('user_edit_id_573_alice.html', '?option=com_users&view=user&layout=edit&id=573');
    const edit = detectPage(document, location) as UserPage;
    expect(edit.saveControls?.map((c) => c.getAttribute('task'))).toEqual(['user.apply', 'user.save', 'user.save2new']);
    const task = edit.form!.querySelector<HTMLInputElement>('input[name="task"]')!;
    task.value = 'user.cancel';
    expect(edit.isSave?.(edit.form!)).toBe(false);
    task.value = 'user.apply';
    expect(edit.isSave?.(edit.form!)).toBe(true);
  });

  it('reads a blocked account as blocked, and recognises nothing on the new-user form', () => {
    const blocked = page('user_edit_id_580_blocked.html', '?option=com_users&view=user&layout=edit&id=580');
    expect((detectPage(blocked.document, blocked.location) as UserPage).user).toMatchObject({ uid: '580', status: 'blocked' });
    const fresh = page('user_new.html', '?option=com_users&view=user&layout=edit');
    expect(detectPage(fresh.document, fresh.location)).toBeNull();
  });
});
