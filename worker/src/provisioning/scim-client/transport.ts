/**
 * One request to a target: bearer token, SCIM media type, a timeout, no redirects, and a
 * classified outcome. Nothing here throws for a network or HTTP problem, and nothing that
 * leaves (a failure message, the request record) carries the token: messages are built without
 * it (classify.ts), and a target quoting it back has its words withheld.
 */
import type { Failure } from '../failure';
import { exchange, globalFetch, type RawResponse } from '../http-exchange';
import { classify, withholdQuoted } from './classify';
import type { ClientHooks, Result } from './types';

export const SCIM_MEDIA_TYPE = 'application/scim+json';
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface ScimConnection {
  /** e.g. https://app.example.com/scim/v2 (a trailing slash is ignored) */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** per request, including reading the body; default 10 s */
  timeoutMs?: number;
  /** for Retry-After HTTP-dates */
  now?: () => number;
}

export type { RawResponse } from '../http-exchange';

/** Turns a 2xx response into the method's value, or a failure when the body is unusable. */
export type Reader<T> = (res: RawResponse) => { ok: true; value: T } | { ok: false; failure: Failure };

export interface SendOptions {
  body?: unknown;
  /** base-URL discovery: a 404 means the base URL is wrong (fatal), not a missing resource */
  discovery?: boolean;
  /** RFC 7644 §3.14, RFC 9110 §13.1.1: apply only while the resource is at this version */
  ifMatch?: string;
}

export type Send = <T>(method: string, path: string, read: Reader<T>, opts?: SendOptions) => Promise<Result<T>>;

export function createTransport(conn: ScimConnection, hooks: ClientHooks = {}): Send {
  const base = conn.baseUrl.replace(/\/+$/, '');
  const doFetch = conn.fetch ?? globalFetch;
  const timeoutMs = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = conn.now ?? Date.now;

  return async function send<T>(method: string, path: string, read: Reader<T>, opts: SendOptions = {}): Promise<Result<T>> {
    const started = Date.now();
    const done = (result: Result<T>, status?: number): Result<T> => {
      const failure = result.ok ? undefined : result.failure;
      hooks.onRequest?.({ method, path, durationMs: Date.now() - started, ...(status === undefined ? {} : { status }), ...(failure ? { failure } : {}) });
      return result;
    };
    const headers: Record<string, string> = { authorization: `Bearer ${conn.token}`, accept: `${SCIM_MEDIA_TYPE}, application/json;q=0.9` };
    if (opts.body !== undefined) headers['content-type'] = SCIM_MEDIA_TYPE;
    if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
    const sent = await exchange(doFetch, base + path, { method, headers, body: opts.body, timeoutMs });
    if (!sent.ok) return done({ ok: false, failure: sent.failure });
    const raw: RawResponse = sent.raw;
    if (raw.status < 200 || raw.status > 299) {
      const opt = { discovery: opts.discovery ?? false, now };
      const failure = withholdQuoted(classify(raw.status, raw.headers, raw.text, opt), conn.token, () => classify(raw.status, raw.headers, '', opt));
      return done({ ok: false, failure }, raw.status);
    }
    const value = read(raw);
    const etag = raw.headers.get('etag') ?? undefined;
    return done(value.ok ? { ok: true, value: value.value, status: raw.status, ...(etag ? { etag } : {}) } : { ok: false, failure: value.failure }, raw.status);
  };
}
