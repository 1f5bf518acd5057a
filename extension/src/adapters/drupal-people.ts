/**
 * Drupal's People list (`/admin/people`, view `user_admin_people`) in Claro, Gin and other
 * admin themes. Rows are keyed by the uid inside the bulk-form checkbox value — base64 of
 * `["langcode","uid"]` (Views BulkForm::calculateEntityBulkFormKey) — which survives aliased
 * profile links; the profile and edit links are the fallback. Fixtures README §1.1.
 */
import { drupalSite, drupalTheme, readDrupalSettings } from './drupal-settings';
import { cleanText, listRowDataSchema, type ListRow, type PageAdapter, type PageLocation, type PeopleListPage } from './page-adapter';

const VIEW = '.view-id-user_admin_people';

/** The uid in a bulk-form key, or null when the value is not one. */
export function uidFromBulkKey(value: string): string | null {
  try {
    const decoded: unknown = JSON.parse(atob(value));
    if (Array.isArray(decoded) && typeof decoded[1] === 'string' && /^\d+$/.test(decoded[1])) return decoded[1];
    if (Array.isArray(decoded) && typeof decoded[1] === 'number') return String(decoded[1]);
  } catch {
    // not base64 JSON: fall back to links
  }
  return null;
}

function uidFromLinks(row: Element): string | null {
  const profile = row.querySelector('td.views-field-name a.username[href]')?.getAttribute('href') ?? '';
  const edit = row.querySelector('td.views-field-operations a[href*="/edit"]')?.getAttribute('href') ?? '';
  return /\/user\/(\d+)$/.exec(profile.split('?')[0] ?? '')?.[1] ?? /\/user\/(\d+)\/edit/.exec(edit)?.[1] ?? null;
}

/** "Active" / "Blocked" are view labels (translatable): a heuristic, so unknown text means unknown status. */
function statusOf(row: Element): 'active' | 'blocked' | undefined {
  const label = cleanText(row.querySelector('td.views-field-status')).toLowerCase();
  if (label === 'active') return 'active';
  if (label === 'blocked') return 'blocked';
  return undefined;
}

function readRow(tr: HTMLTableRowElement): ListRow | null {
  if (tr.querySelector('td.views-empty')) return null;
  const checkbox = tr.querySelector<HTMLInputElement>('td.views-field-user-bulk-form input[type="checkbox"][name^="user_bulk_form["]');
  const uid = (checkbox ? uidFromBulkKey(checkbox.value) : null) ?? uidFromLinks(tr);
  const nameCell = tr.querySelector('td.views-field-name');
  if (!nameCell) return null;
  const displayName = cleanText(nameCell.querySelector('a.username') ?? nameCell);
  const parsed = listRowDataSchema.safeParse({
    uid,
    displayName,
    // template_preprocess_username() cuts names over 20 characters to 15 and an ellipsis.
    truncated: displayName.endsWith('…'),
    status: statusOf(tr),
    roles: [...tr.querySelectorAll('td.views-field-roles-target-id li')].map((li) => cleanText(li)).filter((r) => r !== ''),
  });
  if (!parsed.success) return null;
  return { data: parsed.data, row: tr, chipAnchor: nameCell, checkbox };
}

function findView(doc: Document): Element | null {
  return doc.querySelector(VIEW) ?? doc.querySelector('form#views-form-user-admin-people-page-1');
}

export const drupalPeopleAdapter: PageAdapter = {
  id: 'drupal-people',
  detect(doc: Document, location: PageLocation): PeopleListPage | null {
    const settings = readDrupalSettings(doc);
    if (!settings || settings.path.currentPath !== 'admin/people') return null;
    if (!findView(doc)) return null;
    return {
      kind: 'people-list',
      cms: 'drupal',
      site: drupalSite(location.origin, settings),
      theme: drupalTheme(doc, settings),
      // A view with AJAX on replaces its `js-view-dom-id-*` wrapper: observe what holds it.
      container: () => findView(doc)?.parentElement ?? doc.body,
      readRows: () => {
        // Gin may add a sticky-header clone table (hidden): only the view's own `table.views-table` rows.
        const rows = doc.querySelectorAll<HTMLTableRowElement>(`${VIEW} table.views-table:not(.gin--sticky-table-header) > tbody > tr`);
        return [...rows].map(readRow).filter((r): r is ListRow => r !== null);
      },
    };
  },
};
