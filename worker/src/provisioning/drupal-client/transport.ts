/**
 * One request to a Drupal site's JSON:API: the account's credentials (HTTP Basic through core
 * `basic_auth`, or a bearer token), the JSON:API media type, a timeout, no redirects, and a
 * classified outcome. Like the SCIM transport, nothing here throws for a network or HTTP problem
 * and nothing that leaves carries the credentials: messages are built without them, Drupal's own
 * words are quoted as they are (a password `admin` must not turn "Site administrators …
 * /admin/config" into "[secret]istrators"), and only a site quoting the credentials back has its
 * words withheld (withholdQuoted).
 */
import type { DrupalTargetOptions } from '../../../../shared/src/drupal-target';
import { exchange, globalFetch } from '../http-exchange';
import { withholdQuoted } from '../scim-client/classify';
import { DEFAULT_TIMEOUT_MS, type Reader } from '../scim-client/transport';
import type { ClientHooks, Result } from '../scim-client/types';
import { classifyDrupal } from './classify';
import { JSONAPI_MEDIA_TYPE } from './schemas';

export interface DrupalConnection {
  /** the site's address, e.g. https://www.example.com (JSON:API under options.jsonapiPath) */
  baseUrl: string;
  /** "username:password" for Basic, else the bearer token */
  token: string;
  options: Pick<DrupalTargetOptions, 'auth' | 'jsonapiPath'>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
}

export interface DrupalSendOptions {
  body?: unknown;
  /** the JSON:API entry point: a 404 means no JSON:API at this address */
  discovery?: boolean;
  /** a user create: "already taken" is a conflict */
  creating?: boolean;
  /** a read that checks an account is gone: its 404 is the answer hoped for, not a failure to log */
  expectGone?: boolean;
}

export type DrupalSend = <T>(method: string, path: string, read: Reader<T>, opts?: DrupalSendOptions) => Promise<Result<T>>;

/** RFC 7617: Basic credentials are base64 of "user:pass" in UTF-8. */
function basic(credentials: string): string {
  const bytes = new TextEncoder().encode(credentials);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

export function createDrupalTransport(conn: DrupalConnection, hooks: ClientHooks = {}): DrupalSend {
  const base = conn.baseUrl.replace(/\/+$/, '') + conn.options.jsonapiPath;
  const doFetch = conn.fetch ?? globalFetch;
  const timeoutMs = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = conn.now ?? Date.now;
  const authorization = conn.options.auth === 'basic' ? basic(conn.token) : `Bearer ${conn.token}`;
  const password = conn.options.auth === 'basic' ? conn.token.slice(conn.token.indexOf(':') + 1) : conn.token;

  return async function send<T>(method: string, path: string, read: Reader<T>, opts: DrupalSendOptions = {}): Promise<Result<T>> {
    const started = Date.now();
    const done = (result: Result<T>, status?: number): Result<T> => {
      const failure = result.ok || (opts.expectGone && status === 404) ? undefined : result.failure;
      hooks.onRequest?.({ method, path, durationMs: Date.now() - started, ...(status === undefined ? {} : { status }), ...(failure ? { failure } : {}) });
      return result;
    };
    const headers: Record<string, string> = { authorization, accept: JSONAPI_MEDIA_TYPE };
    // JSON:API §5.1: a request with a document must say so, without media type parameters.
    if (opts.body !== undefined) headers['content-type'] = JSONAPI_MEDIA_TYPE;
    const sent = await exchange(doFetch, base + path, { method, headers, body: opts.body, timeoutMs });
    if (!sent.ok) return done({ ok: false, failure: sent.failure });
    const { status, headers: resHeaders, text } = sent.raw;
    if (status < 200 || status > 299) {
      const opt = { discovery: opts.discovery ?? false, creating: opts.creating ?? false, now };
      const failure = withholdQuoted(classifyDrupal(status, resHeaders, text, opt), password, () => classifyDrupal(status, resHeaders, '', opt));
      return done({ ok: false, failure }, status);
    }
    const value = read({ status, headers: resHeaders, text });
    return done(value.ok ? { ok: true, value: value.value, status } : { ok: false, failure: value.failure }, status);
  };
}
