/**
 * One request to a Joomla site's Web Services API: the API token as `X-Joomla-Token`, the
 * `Accept: application/vnd.api+json` Joomla insists on (anything else, or none, is a 406:
 * api/006-008), flat JSON bodies as `application/json` (a JSON:API envelope is not understood,
 * api/035), a timeout, no redirects, and a classified outcome. Nothing here throws for a network
 * or HTTP problem, and nothing that leaves carries the token.
 */
import type { JoomlaTargetOptions } from '../../../../shared/src/joomla-target';
import { withholdQuoted } from '../scim-client/classify';
import { exchange, globalFetch } from '../http-exchange';
import { DEFAULT_TIMEOUT_MS, type Reader } from '../scim-client/transport';
import type { ClientHooks, Result } from '../scim-client/types';
import { classifyJoomla } from './classify';
import { JOOMLA_MEDIA_TYPE } from './schemas';

export interface JoomlaConnection {
  /** the site's address, e.g. https://www.example.com */
  baseUrl: string;
  /** the Super User's API token */
  token: string;
  options: Pick<JoomlaTargetOptions, 'apiPath'>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
}

export interface JoomlaSendOptions {
  body?: unknown;
  query?: string;
  discovery?: boolean;
  creating?: boolean;
  deleting?: boolean;
  /** a read whose 404 is the answer hoped for, not a failure to log */
  expectGone?: boolean;
}

/** `route` below the API path (`/v1/users/573`). */
export type JoomlaSend = <T>(method: string, route: string, read: Reader<T>, opts?: JoomlaSendOptions) => Promise<Result<T>>;

export function createJoomlaTransport(conn: JoomlaConnection, hooks: ClientHooks = {}): JoomlaSend {
  const base = conn.baseUrl.replace(/\/+$/, '') + conn.options.apiPath;
  const doFetch = conn.fetch ?? globalFetch;
  const timeoutMs = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = conn.now ?? Date.now;

  return async function send<T>(method: string, route: string, read: Reader<T>, opts: JoomlaSendOptions = {}): Promise<Result<T>> {
    const path = `${route}${opts.query ? `?${opts.query}` : ''}`;
    const started = Date.now();
    const done = (result: Result<T>, status?: number): Result<T> => {
      const failure = result.ok || (opts.expectGone && status === 404) ? undefined : result.failure;
      hooks.onRequest?.({ method, path, durationMs: Date.now() - started, ...(status === undefined ? {} : { status }), ...(failure ? { failure } : {}) });
      return result;
    };
    const headers: Record<string, string> = { 'x-joomla-token': conn.token, accept: JOOMLA_MEDIA_TYPE };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const sent = await exchange(doFetch, base + path, { method, headers, body: opts.body, timeoutMs });
    if (!sent.ok) return done({ ok: false, failure: sent.failure });
    const { status, headers: resHeaders, text } = sent.raw;
    if (status < 200 || status > 299) {
      const opt = { discovery: opts.discovery ?? false, creating: opts.creating ?? false, deleting: opts.deleting ?? false, now };
      // Messages are built without the token; a site quoting it back has its words withheld, never partly replaced.
      const failure = withholdQuoted(classifyJoomla(status, resHeaders, text, opt), conn.token, () => classifyJoomla(status, resHeaders, '', opt));
      return done({ ok: false, failure }, status);
    }
    const value = read({ status, headers: resHeaders, text });
    return done(value.ok ? { ok: true, value: value.value, status } : { ok: false, failure: value.failure }, status);
  };
}

/**
 * The account a token belongs to: Joomla's token is base64 of "sha256:<user id>:<hmac>"
 * (plg_user_token), so the relay knows whom it signs in as without a request. Undefined for a
 * token of another shape.
 */
export function tokenUserId(token: string): string | undefined {
  try {
    const m = /^[a-z0-9]+:(\d+):[0-9a-f]+$/i.exec(atob(token.trim()));
    return m?.[1];
  } catch {
    return undefined;
  }
}
