/**
 * WordPress REST errors (`{code, message, data}`) as the engine's named failures: the one place
 * the WordPress connector decides what a response means (fixtures/wordpress-real README).
 * Branch on `code`, not the status: a duplicate username or email on create is a **500** with
 * `existing_user_login` / `existing_user_email` (wp_insert_user's WP_Error has no status), which
 * is the account existing already (conflict: re-read and link), not a server fault; the other
 * wp_insert_user codes are the data's fault (rejected). A wrong Application Password is not an
 * error at all: the request runs as anonymous, so a 401 `rest_not_logged_in` /
 * `rest_forbidden_context` is what "wrong credentials" looks like.
 */
import type { Failure } from '../failure';
import { classify, clip, parseJson, type ClassifyOptions } from '../scim-client/classify';
import { wpErrorSchema, type WpError } from './schemas';

export const APP_PASSWORDS_HELP =
  'Create an Application Password for an administrator (Users → Profile → Application Passwords) and enter "username:application password" as the token. Application Passwords exist only on https sites (or where WP_ENVIRONMENT_TYPE is "local").';

export interface WordpressClassifyOptions extends ClassifyOptions {
  /** the request created a user: existing_user_login / existing_user_email mean the account exists */
  creating?: boolean;
}

/** wp_insert_user's WP_Errors: no status, so REST answers 500 — the data, not the server. */
const INSERT_USER_CODES = new Set([
  'existing_user_login',
  'existing_user_email',
  'user_login_too_long',
  'user_nicename_too_long',
  'invalid_username',
  'empty_user_login',
  'existing_user_nicename',
]);

export function wpError(bodyText: string): WpError | undefined {
  const parsed = wpErrorSchema.safeParse(parseJson(bodyText.trim()));
  return parsed.success ? parsed.data : undefined;
}

/** The message and, for a 400 rest_invalid_param, each parameter's reason. */
function said(e: WpError | undefined): string {
  if (!e) return '';
  const params = Object.entries(e.data?.details ?? {}).map(([k, v]) => `${k}: ${v.message ?? v.code ?? 'invalid'}`);
  const text = [e.message ?? '', ...params].filter((s) => s !== '').join('; ');
  return `: ${clip(`${text} (${e.code})`)}`;
}

export function classifyWordpress(status: number, headers: Headers, bodyText: string, opts: WordpressClassifyOptions = {}): Failure {
  const e = wpError(bodyText);
  const code = e?.code ?? '';
  if (status === 500 && INSERT_USER_CODES.has(code)) {
    if (opts.creating && (code === 'existing_user_login' || code === 'existing_user_email')) {
      return { kind: 'conflict', status, message: `The account already exists on the WordPress site${said(e)}.` };
    }
    return { kind: 'rejected', status, message: `The WordPress site rejected the user${said(e)}.` };
  }
  if (status === 401) {
    return {
      kind: 'fatal',
      status,
      message: `The WordPress site treated the relay as an anonymous visitor (401)${said(e)}: the Application Password is wrong, revoked or not accepted. ${APP_PASSWORDS_HELP}`,
    };
  }
  if (status === 403 && code !== 'rest_user_invalid_role') {
    return {
      kind: 'fatal',
      status,
      message: `The WordPress site refused access (403)${said(e)}: the account needs the administrator's capabilities (list_users, create_users, edit_users, delete_users, promote_users).`,
    };
  }
  if (status === 404 && code === 'rest_no_route') {
    return {
      kind: 'fatal',
      status,
      message: `The WordPress site has no such REST route (404)${said(e)}: check the base URL, and choose the "/?rest_route=" REST path if the site has no pretty permalinks.`,
    };
  }
  if (status === 404 && opts.discovery) {
    return {
      kind: 'fatal',
      status,
      message:
        "The address has no WordPress REST API (404): check the base URL (the site's address) and the REST path (/wp-json, or /?rest_route= without pretty permalinks).",
    };
  }
  if (status === 404) return { kind: 'not_found', status, message: `The WordPress site has no such account (404)${said(e)}.` };
  if (status === 400 && code === 'rest_user_invalid_email') {
    // On update a taken address is a 400 "Invalid email address." (api/68), not a conflict to link.
    return { kind: 'rejected', status, message: `The WordPress site refused the email address (400)${said(e)}: another account may use it already.` };
  }
  if (status === 400 || status === 403 || status === 501)
    return { kind: 'rejected', status, message: `The WordPress site rejected the request (${status})${said(e)}.` };
  return classify(status, headers, e ? JSON.stringify({ detail: `${e.message ?? ''} (${e.code})` }) : bodyText, opts);
}
