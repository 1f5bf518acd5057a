/**
 * JSON:API error documents (`errors[].detail`, JSON:API §7.2) as the engine's named failures.
 * The statuses mean what they mean for SCIM (../scim-client/classify.ts decides those), with the
 * Drupal cases an admin needs explained: 405 is the site's read-only switch (fatal, with where to
 * flip it), 403 a missing permission (fatal), 422 Drupal's validation message (rejected), and a
 * 422 "is already taken" on create is the account existing already (conflict: re-read and link).
 */
import type { Failure } from '../failure';
import { classify, clip, parseJson, type ClassifyOptions } from '../scim-client/classify';
import { errorDocumentSchema } from './schemas';

export const READ_ONLY_HELP =
  'JSON:API on this site accepts only read operations: in Drupal, open Configuration → Web services → JSON:API (admin/config/services/jsonapi), choose "Accept all JSON:API create, read, update, and delete operations." instead of "Accept only JSON:API read operations." and save.';

export interface DrupalClassifyOptions extends ClassifyOptions {
  /** the request that failed created a user: "already taken" then means the account exists */
  creating?: boolean;
}

/** The errors' `detail`s joined (HTML-free: Drupal puts links in some of them). */
export function jsonApiDetail(bodyText: string): string | undefined {
  const parsed = errorDocumentSchema.safeParse(parseJson(bodyText.trim()));
  if (!parsed.success) return undefined;
  const text = parsed.data.errors
    .map((e) => (e.detail ?? e.title ?? '').replace(/<[^>]*>/g, '').trim())
    .filter((d) => d !== '')
    .join('; ');
  return text === '' ? undefined : clip(text);
}

export function classifyDrupal(status: number, headers: Headers, bodyText: string, opts: DrupalClassifyOptions = {}): Failure {
  const detail = jsonApiDetail(bodyText);
  const said = detail ? `: ${detail}` : '';
  if (status === 405) {
    // Drupal's ReadOnlyModeMethodFilter answers every write with 405 while read_only is on.
    return { kind: 'fatal', status, message: `The Drupal site refused the write (405)${said}. ${READ_ONLY_HELP}` };
  }
  if (status === 401)
    return {
      kind: 'fatal',
      status,
      message: `The Drupal site refused the credentials (401): check the user name and password (core basic_auth must be enabled) or the token${said}.`,
    };
  if (status === 403) {
    return {
      kind: 'fatal',
      status,
      message: `The Drupal site refused access (403): the account needs the "Administer users" permission (and "Administer permissions" for roles)${said}.`,
    };
  }
  if (status === 404 && opts.discovery) {
    return {
      kind: 'fatal',
      status,
      message:
        "The site has no JSON:API at this address (404): check the base URL (the site's address, without /jsonapi) and that the core JSON:API module is enabled.",
    };
  }
  if (status === 422 && opts.creating && detail && /already taken/i.test(detail)) {
    return { kind: 'conflict', status, message: `The account already exists on the Drupal site (422)${said}.` };
  }
  if (status === 422) return { kind: 'rejected', status, message: `The Drupal site rejected the user (422)${said}.` };
  // Everything else as for any HTTP target, quoting Drupal's detail where it gave one.
  return classify(status, headers, detail ? JSON.stringify({ detail }) : bodyText, opts);
}
