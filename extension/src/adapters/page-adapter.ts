/**
 * One interface for every CMS admin UI the overlay understands (Drupal, WordPress, Joomla): an adapter recognises a page and reads the users it shows. What it reads is
 * parsed with the schemas below before the rest of the extension sees it (STYLE: parse at the
 * edges), so a theme that renders something unexpected yields "not recognised", not a bad chip.
 */
import { z } from 'zod';

export const CMS_KINDS = ['drupal', 'wordpress', 'joomla'] as const;
export const cmsSchema = z.enum(CMS_KINDS);
export type Cms = z.infer<typeof cmsSchema>;

export const pageUserStatusSchema = z.enum(['active', 'blocked']);

/** The CMS's own user id: Drupal's uid, WordPress's user ID, Joomla's user id. */
export const uidSchema = z.string().regex(/^[1-9]\d{0,18}$/, 'a positive integer id');

const text = z.string().trim().min(1).max(512);

/** One row of a People list. */
export const listRowDataSchema = z.object({
  uid: uidSchema,
  /** What the row shows as the user's name: Drupal's display name (may be truncated), WordPress's login. */
  displayName: text,
  /** True when the CMS shortened the display name (Drupal cuts names over 20 characters). */
  truncated: z.boolean(),
  /** The account name, where the page shows it (WordPress login); Drupal's list shows only the display name. */
  name: text.optional(),
  mail: text.optional(),
  /** Absent where the CMS has no such flag (WordPress). */
  status: pageUserStatusSchema.optional(),
  /** Role labels as shown (translated), not machine names. */
  roles: z.array(text),
});
export type ListRowData = z.infer<typeof listRowDataSchema>;

/** The user a user page (view or edit) is about — never the logged-in admin. */
export const pageUserSchema = z.object({
  uid: uidSchema,
  /** The account name from the edit form, or the page title where there is no form. */
  name: text,
  /** True when `name` is the account name read from a form field (not a display name). */
  nameIsAccountName: z.boolean(),
  displayName: text.optional(),
  mail: text.optional(),
  status: pageUserStatusSchema.optional(),
  /** Role machine names from the form, or labels where only those are shown. */
  roles: z.array(text),
});
export type PageUser = z.infer<typeof pageUserSchema>;

/** A parsed row and the elements the overlay attaches to. */
export interface ListRow {
  data: ListRowData;
  row: HTMLTableRowElement;
  /** Where the status chips go (the name cell). */
  chipAnchor: Element;
  /** The page's own bulk-selection checkbox for the row, if the list has one. */
  checkbox: HTMLInputElement | null;
}

interface PageBase {
  cms: Cms;
  /** The site's base URL: origin plus the CMS's base path, no trailing slash (e.g. `https://example.org/drupal`). */
  site: string;
  /** The admin theme or UI variant (claro, gin, olivero, wp-admin …), for diagnostics. */
  theme: string;
}

export interface PeopleListPage extends PageBase {
  kind: 'people-list';
  /** The element to observe for changes (filters, paging and AJAX replace what is inside it). */
  container(): Element;
  /** The rows currently shown; rows that do not parse are left out. */
  readRows(): ListRow[];
}

export interface UserPage extends PageBase {
  kind: 'user';
  user: PageUser;
  /** The edit form, whose submission means "this user was just saved". */
  form: HTMLFormElement | null;
  /** Where the panel goes: before this element. */
  panelBefore: Element;
  /**
   * Controls outside the form whose click submits it (Joomla's toolbar): an admin's trusted click
   * there counts as the gesture behind the save, like one inside the form.
   */
  saveControls?: Element[];
  /** Whether a submit of the form stores the account (Joomla's Cancel submits the form too). */
  isSave?: (form: HTMLFormElement) => boolean;
}

export type DetectedPage = PeopleListPage | UserPage;

/** The part of `Location` an adapter needs (a test passes a URL). */
export interface PageLocation {
  origin: string;
  pathname: string;
  search: string;
}

export interface PageAdapter {
  id: string;
  detect(doc: Document, location: PageLocation): DetectedPage | null;
}

/** Collapses whitespace: cell text in CMS templates is full of indentation. */
export function cleanText(node: Node | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Whether a checkbox or radio is checked now (the live state, which is what a save submits).
 * DOMs without form state (linkedom, which the adapter tests use) fall back to the attribute.
 */
export function isChecked(input: HTMLInputElement): boolean {
  return (input.checked as boolean | undefined) ?? input.hasAttribute('checked');
}
