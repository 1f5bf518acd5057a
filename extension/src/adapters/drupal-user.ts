/**
 * Drupal user pages: the edit form (`user/{uid}/edit`, admin theme) and the profile
 * (`user/{uid}`, front-end theme such as Olivero, or Claro). The uid comes from
 * `drupalSettings.path.currentPath` — never `drupalSettings.user.uid`, which is the logged-in
 * admin. Name, mail, status and roles come from the form where there is one (fixtures README §1.2).
 */
import { drupalSite, drupalTheme, readDrupalSettings } from './drupal-settings';
import { cleanText, isChecked, pageUserSchema, type PageAdapter, type PageLocation, type PageUser, type UserPage } from './page-adapter';

const USER_PATH = /^user\/(\d+)(\/edit)?$/;

/** Reads the user from the edit form as it is now (also right before it is submitted). */
export function readDrupalUserForm(form: HTMLFormElement, uid: string, title: string): PageUser | null {
  const name = form.querySelector<HTMLInputElement>('input[name="name"]')?.value.trim() ?? '';
  const mail = form.querySelector<HTMLInputElement>('input[name="mail"]')?.value.trim() ?? '';
  const statusInput = [...form.querySelectorAll<HTMLInputElement>('input[type="radio"][name="status"]')].find(isChecked);
  const roles = [...form.querySelectorAll<HTMLInputElement>('input[type="checkbox"][name^="roles["]')]
    .filter((i) => isChecked(i) && i.value !== 'authenticated')
    .map((i) => i.value);
  const parsed = pageUserSchema.safeParse({
    uid,
    name: name || title,
    nameIsAccountName: name !== '',
    displayName: title || undefined,
    mail: mail || undefined,
    status: statusInput?.value === '1' ? 'active' : statusInput?.value === '0' ? 'blocked' : undefined,
    roles,
  });
  return parsed.success ? parsed.data : null;
}

function pageTitle(doc: Document): string {
  return cleanText(doc.querySelector('h1.page-title') ?? doc.querySelector('h1'));
}

export const drupalUserAdapter: PageAdapter = {
  id: 'drupal-user',
  detect(doc: Document, location: PageLocation): UserPage | null {
    const settings = readDrupalSettings(doc);
    const match = settings ? USER_PATH.exec(settings.path.currentPath) : null;
    if (!settings || !match?.[1]) return null;
    const uid = match[1];
    const title = pageTitle(doc);
    const form = match[2] ? doc.querySelector<HTMLFormElement>('form#user-form, form[data-drupal-selector="user-form"]') : null;
    const user = form
      ? readDrupalUserForm(form, uid, title)
      : (pageUserSchema.safeParse({ uid, name: title, nameIsAccountName: false, displayName: title || undefined, roles: [] }).data ?? null);
    if (!user) return null;
    const titleBlock = doc.querySelector('h1.page-title')?.closest('.block, .region, header') ?? null;
    const main = doc.querySelector('main, [role="main"], #main-content') ?? doc.body;
    // On a profile the panel opens the main content block, inside it. Not as a sibling of the
    // theme's blocks: Olivero lays its regions out as CSS grids (`grid-full
    // layout--pass--content-medium`) that place each child in the content column, and the panel's
    // host, reset by `:host { all: initial !important }` in its shadow root (which outranks the
    // page's rules), escapes that placement and takes a grid cell beside the main column.
    const mainBlock = doc.querySelector('.block-system-main-block');
    const mainContent = mainBlock?.querySelector(':scope > .block__content') ?? mainBlock;
    // The panel goes before the form, else at the top of the main content, else after the title.
    const panelBefore = form ?? mainContent?.firstElementChild ?? titleBlock?.nextElementSibling ?? main.firstElementChild ?? main;
    return { kind: 'user', cms: 'drupal', site: drupalSite(location.origin, settings), theme: drupalTheme(doc, settings), user, form, panelBefore };
  },
};
