/**
 * Joomla 4/5's Users manager in the Atum admin template: the list
 * (`administrator/index.php?option=com_users&view=users`) and the editor (`…&view=user&layout=edit&id=N`),
 * from the stock 5.2.3 captures (test/fixtures/joomla-real/README.md "Admin HTML"). The list's
 * cells carry no classes, so a row is read by position and cross-checked: the checkbox's value
 * (`cid[]`) is the id, and the last cell repeats it. Joomla's real disabled flag is `block`: the
 * Enabled cell's action says which (`users.block` on an enabled account, `users.unblock` on a blocked one).
 */
import {
  cleanText,
  isChecked,
  listRowDataSchema,
  pageUserSchema,
  type ListRow,
  type PageAdapter,
  type PageLocation,
  type PageUser,
  type PeopleListPage,
  type UserPage,
} from './page-adapter';

/** The site's base URL: everything before `/administrator/` (sub-directory installs keep their path). */
export function joomlaSite(location: PageLocation): string | null {
  const at = location.pathname.indexOf('/administrator/');
  return at < 0 ? null : `${location.origin}${location.pathname.slice(0, at)}`;
}

const isUsersManager = (doc: Document, view: string) => {
  const body = doc.body?.classList;
  return !!body && body.contains('admin') && body.contains('com_users') && body.contains(`view-${view}`);
};

/** The group titles of a row: 1–2 are separated by <br>, 3 or more are a list (README). */
function groupTitles(cell: Element): string[] {
  const items = [...cell.querySelectorAll('li')].map(cleanText).filter(Boolean);
  if (items.length > 0) return items;
  const copy = cell.cloneNode(true) as Element;
  // The "Permissions" button sits in the same cell.
  copy.querySelectorAll('a').forEach((a) => a.remove());
  copy.querySelectorAll('br').forEach((br) => br.replaceWith('\n'));
  return (copy.textContent ?? '')
    .split('\n')
    .map((t) => t.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

function readRow(tr: HTMLTableRowElement): ListRow | null {
  const checkbox = tr.querySelector<HTMLInputElement>('input[type="checkbox"][name="cid[]"]');
  const uid = checkbox?.value;
  const cells = [...tr.children];
  const nameCell = tr.querySelector(':scope > th[scope="row"]');
  const link = nameCell?.querySelector('.name a[href*="task=user.edit"]');
  if (!uid || !nameCell || !link || cleanText(cells[cells.length - 1]) !== uid) return null;
  const at = cells.indexOf(nameCell);
  const login = cleanText(cells[at + 1]);
  const enabled = tr.querySelector('[data-item-task="users.block"], [data-item-task="users.unblock"]')?.getAttribute('data-item-task');
  const groupsCell = tr.querySelector('a[href*="view=debuguser"]')?.closest('td');
  const mailCell = groupsCell?.nextElementSibling;
  const parsed = listRowDataSchema.safeParse({
    uid,
    displayName: cleanText(link),
    truncated: false,
    name: login || undefined,
    mail: cleanText(mailCell) || undefined,
    status: enabled === 'users.block' ? 'active' : enabled === 'users.unblock' ? 'blocked' : undefined,
    roles: groupsCell ? groupTitles(groupsCell) : [],
  });
  if (!parsed.success) return null;
  return { data: parsed.data, row: tr, chipAnchor: nameCell.querySelector('.name') ?? nameCell, checkbox };
}

export const joomlaUsersAdapter: PageAdapter = {
  id: 'joomla-users',
  detect(doc: Document, location: PageLocation): PeopleListPage | null {
    const site = joomlaSite(location);
    const table = doc.querySelector('form#adminForm table#userList');
    if (!site || !table || !isUsersManager(doc, 'users')) return null;
    return {
      kind: 'people-list',
      cms: 'joomla',
      site,
      theme: 'atum',
      container: () => doc.querySelector('table#userList')?.parentElement ?? doc.body,
      readRows: () => [...doc.querySelectorAll<HTMLTableRowElement>('table#userList > tbody > tr')].map(readRow).filter((r): r is ListRow => r !== null),
    };
  },
};

/** The toolbar tasks that store the account (Save, Save & Close, Save & New); Cancel and Help submit nothing to keep. */
export const JOOMLA_SAVE_TASKS = ['user.apply', 'user.save', 'user.save2new'];

/** Reads the user from the edit form as it is now (also right before it is submitted). */
export function readJoomlaUserForm(form: HTMLFormElement): PageUser | null {
  const value = (name: string) => form.querySelector<HTMLInputElement>(`input[name="jform[${name}]"]`)?.value.trim() ?? '';
  const block = [...form.querySelectorAll<HTMLInputElement>('input[type="radio"][name="jform[block]"]')].find(isChecked)?.value;
  const groups = [...form.querySelectorAll<HTMLInputElement>('input[type="checkbox"][name="jform[groups][]"]')].filter(isChecked).map((i) => i.value);
  const parsed = pageUserSchema.safeParse({
    uid: value('id'),
    name: value('username'),
    nameIsAccountName: true,
    displayName: value('name') || undefined,
    mail: value('email') || undefined,
    status: block === '0' ? 'active' : block === '1' ? 'blocked' : undefined,
    roles: groups,
  });
  return parsed.success ? parsed.data : null;
}

export const joomlaUserEditAdapter: PageAdapter = {
  id: 'joomla-user-edit',
  detect(doc: Document, location: PageLocation): UserPage | null {
    const site = joomlaSite(location);
    const form = doc.querySelector<HTMLFormElement>('form#user-form[name="adminForm"]');
    // A new account (id 0) has no uid yet: nothing to show until it is saved.
    if (!site || !form || !isUsersManager(doc, 'user')) return null;
    const user = readJoomlaUserForm(form);
    if (!user) return null;
    // Atum's Save buttons live in the toolbar outside the form: Joomla.submitbutton() sets
    // `task` and submits the form, so the admin's click there is the gesture that saves.
    const saveControls = [...doc.querySelectorAll('joomla-toolbar-button[task]')].filter((b) => JOOMLA_SAVE_TASKS.includes(b.getAttribute('task') ?? ''));
    const isSave = (f: HTMLFormElement) => JOOMLA_SAVE_TASKS.includes(f.querySelector<HTMLInputElement>('input[name="task"]')?.value ?? '');
    return { kind: 'user', cms: 'joomla', site, theme: 'atum', user, form, panelBefore: form, saveControls, isSave };
  },
};
