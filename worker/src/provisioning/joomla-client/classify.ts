/**
 * Joomla Web Services errors (`{"errors":[{title, code}]}`) as the engine's named failures: the
 * one place the Joomla connector decides what a response means (fixtures/joomla-real README).
 * Joomla says little: every auth failure is a 401 "Forbidden" (wrong token, token plugin off, a
 * token user outside Super Users, blocked, or requireReset), a missing or wrong Accept header a
 * plain-text 406, a duplicate username or email a 400 whose title says "in use" (a conflict on
 * create), other validation a 400 (rejected), and every DELETE failure a bare 500 (the client
 * re-reads the account to tell "already gone" from "refused").
 */
import type { Failure } from '../failure';
import { classify, clip, parseJson, type ClassifyOptions } from '../scim-client/classify';
import { joomlaErrorSchema } from './schemas';

export const TOKEN_HELP =
  'In Joomla, open the Super User\'s account (Users → Manage → Edit → Joomla API Token), copy the token, and check that the plugins "API Authentication - Web Services Joomla Token" and "User - Joomla API Token" are enabled; by default only Super Users may use a token, and a blocked account or one that must reset its password is refused.';

export interface JoomlaClassifyOptions extends ClassifyOptions {
  /** the request created a user: "in use" means the account exists */
  creating?: boolean;
  /** the request deleted a user: a 500 is Joomla's only answer for every refusal */
  deleting?: boolean;
}

/** The errors' titles joined (Joomla puts several validation messages in one title with `\n`). */
export function joomlaDetail(bodyText: string): string | undefined {
  const parsed = joomlaErrorSchema.safeParse(parseJson(bodyText.trim()));
  if (!parsed.success) {
    const text = bodyText.trim();
    return text !== '' && text.length < 200 && !text.startsWith('<') ? text : undefined;
  }
  const text = parsed.data.errors
    .map((e) => (e.title ?? '').replace(/\s*\n\s*/g, '; ').trim())
    .filter((t) => t !== '')
    .join('; ');
  return text === '' ? undefined : clip(text);
}

export function classifyJoomla(status: number, headers: Headers, bodyText: string, opts: JoomlaClassifyOptions = {}): Failure {
  const detail = joomlaDetail(bodyText);
  const said = detail ? `: ${detail}` : '';
  if (status === 401 || status === 403) return { kind: 'fatal', status, message: `The Joomla site refused the API token (${status})${said}. ${TOKEN_HELP}` };
  if (status === 406) {
    return {
      kind: 'fatal',
      status,
      message: `The Joomla site refused the request's Accept header (406 "Could not match accept header"): it answers only "Accept: application/vnd.api+json"; a proxy in front of the site may be rewriting the header.`,
    };
  }
  if (status === 404 && opts.discovery) {
    return {
      kind: 'fatal',
      status,
      message: `The address has no Joomla users API (404${said}): check the base URL (the site's address) and the API path (/api/index.php), and that the plugin "Web Services - Users" is enabled.`,
    };
  }
  if (status === 404) return { kind: 'not_found', status, message: `The Joomla site has no such account (404)${said}.` };
  if (status === 400 && opts.creating && detail && /\bin use\b/i.test(detail)) {
    return { kind: 'conflict', status, message: `The account already exists on the Joomla site (400)${said}.` };
  }
  if (status === 400) return { kind: 'rejected', status, message: `The Joomla site rejected the user (400)${said}.` };
  if (status === 500 && opts.deleting) {
    // Joomla answers every refused delete with the same bare 500 (api/096-098): not transient.
    return {
      kind: 'rejected',
      status,
      message:
        "The Joomla site refused to delete the account (500, it gives no reason: the account may be the token's own, or a Super User the token may not remove).",
    };
  }
  return classify(status, headers, detail ? JSON.stringify({ detail }) : bodyText, opts);
}
