/**
 * One request to a WordPress site's REST API: the Application Password as HTTP Basic, JSON in
 * and out, a timeout, no redirects, and a classified outcome. The REST path is `/wp-json` or,
 * without pretty permalinks, `/?rest_route=` (then the query joins with `&`). Nothing here throws
 * for a network or HTTP problem, and nothing that leaves carries the password.
 */
import type { WordpressTargetOptions } from '../../../../shared/src/wordpress-target';
import { withholdQuoted } from '../scim-client/classify';
import { exchange, globalFetch } from '../http-exchange';
import { DEFAULT_TIMEOUT_MS, type Reader } from '../scim-client/transport';
import type { ClientHooks, Result } from '../scim-client/types';
import { classifyWordpress } from './classify';

export interface WordpressConnection {
  /** the site's address, e.g. https://www.example.com */
  baseUrl: string;
  /** "username:application password" (the password's spaces are optional) */
  token: string;
  options: Pick<WordpressTargetOptions, 'restPath'>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
}

export interface WordpressSendOptions {
  body?: unknown;
  /** the REST index: a 404 means no REST API at this address */
  discovery?: boolean;
  /** a user create: existing_user_login / existing_user_email are a conflict */
  creating?: boolean;
  /** a read whose 404 is the answer hoped for (an account gone), not a failure to log */
  expectGone?: boolean;
}

/** `route` is the REST route (`/wp/v2/users/5`), `query` its parameters without `?`. */
export type WordpressSend = <T>(method: string, route: string, read: Reader<T>, opts?: WordpressSendOptions & { query?: string }) => Promise<Result<T>>;

/** RFC 7617: Basic credentials are base64 of "user:pass" in UTF-8. */
export function basicAuthorization(credentials: string): string {
  const bytes = new TextEncoder().encode(credentials);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

export function createWordpressTransport(conn: WordpressConnection, hooks: ClientHooks = {}): WordpressSend {
  const site = conn.baseUrl.replace(/\/+$/, '');
  const pretty = conn.options.restPath === '/wp-json';
  const doFetch = conn.fetch ?? globalFetch;
  const timeoutMs = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = conn.now ?? Date.now;
  const authorization = basicAuthorization(conn.token);
  const password = conn.token.slice(conn.token.indexOf(':') + 1);

  return async function send<T>(method: string, route: string, read: Reader<T>, opts: WordpressSendOptions & { query?: string } = {}): Promise<Result<T>> {
    const query = opts.query ?? '';
    // `?rest_route=/wp/v2/users&per_page=1` when the site has no pretty permalinks (api_deactivate/06).
    const url = pretty ? `${site}/wp-json${route}${query ? `?${query}` : ''}` : `${site}/?rest_route=${route}${query ? `&${query}` : ''}`;
    const path = `${route}${query ? `?${query}` : ''}`;
    const started = Date.now();
    const done = (result: Result<T>, status?: number): Result<T> => {
      const failure = result.ok || (opts.expectGone && status === 404) ? undefined : result.failure;
      hooks.onRequest?.({ method, path, durationMs: Date.now() - started, ...(status === undefined ? {} : { status }), ...(failure ? { failure } : {}) });
      return result;
    };
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const sent = await exchange(doFetch, url, { method, headers, body: opts.body, timeoutMs });
    if (!sent.ok) return done({ ok: false, failure: sent.failure });
    const { status, headers: resHeaders, text } = sent.raw;
    if (status < 200 || status > 299) {
      const opt = { discovery: opts.discovery ?? false, creating: opts.creating ?? false, now };
      // Messages are built without the password; a site quoting it back has its words withheld, never partly replaced.
      const failure = withholdQuoted(classifyWordpress(status, resHeaders, text, opt), password, () => classifyWordpress(status, resHeaders, '', opt));
      return done({ ok: false, failure }, status);
    }
    const value = read({ status, headers: resHeaders, text });
    return done(value.ok ? { ok: true, value: value.value, status } : { ok: false, failure: value.failure }, status);
  };
}
