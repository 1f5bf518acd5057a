/**
 * WordPress's Users screen (`wp-admin/users.php`) and user editor (`wp-admin/user-edit.php`,
 * `profile.php`). Rows are keyed by `tr#user-{ID}`; cells are found by class, not tag, because
 * trunk swaps `th`/`td` for the check and primary columns (fixtures README §2). WordPress has no
 * blocked flag, so rows carry no status.
 */
import {
  cleanText,
  listRowDataSchema,
  pageUserSchema,
  type ListRow,
  type PageAdapter,
  type PageLocation,
  type PeopleListPage,
  type UserPage,
} from './page-adapter';

/** The site's base URL: everything before `/wp-admin/` (sub-directory installs keep their path). */
export function wordpressSite(location: PageLocation): string | null {
  const at = location.pathname.indexOf('/wp-admin/');
  return at < 0 ? null : `${location.origin}${location.pathname.slice(0, at)}`;
}

function readRow(tr: HTMLTableRowElement): ListRow | null {
  const uid = /^user-(\d+)$/.exec(tr.id)?.[1];
  const cell = tr.querySelector('.column-username');
  if (!cell) return null;
  const login = cleanText(cell.querySelector('strong'));
  const mail = cleanText(tr.querySelector('.column-email a[href^="mailto:"]'));
  const roles = cleanText(tr.querySelector('.column-role'));
  const parsed = listRowDataSchema.safeParse({
    uid,
    displayName: login,
    truncated: false,
    name: login || undefined,
    mail: mail || undefined,
    roles: roles === '' || roles === 'None' ? [] : roles.split(',').map((r) => r.trim()),
  });
  if (!parsed.success) return null;
  return {
    data: parsed.data,
    row: tr,
    chipAnchor: cell.querySelector('strong') ?? cell,
    checkbox: tr.querySelector<HTMLInputElement>('.check-column input[type="checkbox"][name="users[]"]'),
  };
}

export const wordpressUsersAdapter: PageAdapter = {
  id: 'wordpress-users',
  detect(doc: Document, location: PageLocation): PeopleListPage | null {
    const site = wordpressSite(location);
    if (!site || !doc.body?.classList.contains('users-php') || !doc.querySelector('table.wp-list-table.users')) return null;
    return {
      kind: 'people-list',
      cms: 'wordpress',
      site,
      theme: 'wp-admin',
      container: () => doc.querySelector('table.wp-list-table.users')?.parentElement ?? doc.body,
      readRows: () => [...doc.querySelectorAll<HTMLTableRowElement>('#the-list > tr[id^="user-"]')].map(readRow).filter((r): r is ListRow => r !== null),
    };
  },
};

export const wordpressUserEditAdapter: PageAdapter = {
  id: 'wordpress-user-edit',
  detect(doc: Document, location: PageLocation): UserPage | null {
    const site = wordpressSite(location);
    const body = doc.body;
    if (!site || !body || !(body.classList.contains('user-edit-php') || body.classList.contains('profile-php'))) return null;
    const form = doc.querySelector<HTMLFormElement>('form#your-profile');
    // input#user_id is the edited user even on profile.php; checkuser_id is the admin (README §2.2).
    const uid = form?.querySelector<HTMLInputElement>('input#user_id')?.value;
    if (!form || !uid) return null;
    const login = form.querySelector<HTMLInputElement>('#user_login')?.value.trim() ?? '';
    const mail = form.querySelector<HTMLInputElement>('#email')?.value.trim() ?? '';
    const role = form.querySelector<HTMLSelectElement>('select#role')?.value ?? '';
    // The chosen "Display name publicly as" option (the REST `name`); DOMs without form state read the attribute.
    const displaySelect = form.querySelector<HTMLSelectElement>('select#display_name');
    const display = cleanText(displaySelect?.selectedOptions?.[0] ?? displaySelect?.querySelector('option[selected]'));
    const parsed = pageUserSchema.safeParse({
      uid,
      name: login,
      nameIsAccountName: true,
      displayName: display || undefined,
      mail: mail || undefined,
      roles: role ? [role] : [],
    });
    if (!parsed.success) return null;
    return { kind: 'user', cms: 'wordpress', site, theme: 'wp-admin', user: parsed.data, form, panelBefore: form };
  },
};
