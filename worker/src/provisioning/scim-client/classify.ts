/**
 * The one place where an outbound response or network error becomes a named failure
 * (DESIGN.md "Every failure has a name and a policy"); `POLICY` in ../failure.ts says what the
 * dispatcher does with each. Messages are for admins and are built without secrets: they quote
 * the target's own SCIM `detail` where it gave one (JSON only: the body of any other answer — an
 * internal page, a stack trace — is never quoted, only its status and content type), a URL
 * without userinfo or query, and a runtime's error with its URLs redacted. The transports add
 * the one case only they can judge: a detail quoting the credentials (`withholdQuoted`).
 */
import { redactUrlsIn } from '../../outbound/redact';
import type { Failure } from '../failure';

export interface ClassifyOptions {
  /** the request was the base-URL discovery (ServiceProviderConfig): a 404 means a wrong base URL */
  discovery?: boolean;
  /** for Retry-After given as an HTTP-date */
  now?: () => number;
}

const MAX_DETAIL = 300;

/** A non-2xx response as a failure. */
export function classify(status: number, headers: Headers, bodyText: string, opts: ClassifyOptions = {}): Failure {
  const detail = targetDetail(bodyText);
  const said = detail ? `: ${detail}` : unquoted(headers, bodyText);
  if (status >= 300 && status < 400) {
    // Redirects are not followed: a bearer token must not travel to wherever Location points.
    const to = redirectTarget(headers.get('location'));
    return { kind: 'fatal', status, message: `The target redirected the request (${status})${to ? ` to ${to}` : ''}: check the base URL.` };
  }
  if (status === 401) return { kind: 'fatal', status, message: `The target refused the token (401): check the bearer token${said}.` };
  if (status === 403) return { kind: 'fatal', status, message: `The target refused access (403): the token lacks the permission for this operation${said}.` };
  if (status === 404 && opts.discovery) {
    return {
      kind: 'fatal',
      status,
      message: 'The target has no SCIM service at this base URL (404 on /ServiceProviderConfig): check the base URL, which usually ends in /scim/v2.',
    };
  }
  if (status === 404) return { kind: 'not_found', status, message: `The target has no such resource (404)${said}.` };
  // RFC 7644 §3.14: If-Match named a version the resource has moved past; the engine re-reads it.
  if (status === 412) return { kind: 'precondition_failed', status, message: `The account changed on the target since the relay last read it (412)${said}.` };
  if (status === 409) return { kind: 'conflict', status, message: `The target reports a conflict (409)${said || ': the resource already exists'}.` };
  if (status === 408 || status === 429 || status >= 500) return transient(status, headers, detail ?? unquotedNote(headers, bodyText), opts);
  if (status >= 400) return { kind: 'rejected', status, message: `The target rejected the request (${status}${scimType(bodyText)})${said}.` };
  return { kind: 'transient', status, message: `The target answered with an unexpected status ${status}.` };
}

/** Cloudflare's own 52x/530 statuses name the network fault between the edge and the origin. */
const EDGE_FAULTS: Record<number, string> = {
  521: 'The target refused the connection (521): is its server running?',
  522: 'The connection to the target timed out (522).',
  523: 'The target cannot be reached (523): check the host name.',
  524: 'The target accepted the connection but did not answer in time (524).',
  525: 'TLS handshake failed (525) — check the certificate.',
  526: 'The target presented an invalid TLS certificate (526) — check the certificate.',
  530: 'The target could not be reached (530): check that its host name resolves (DNS).',
};

function transient(status: number, headers: Headers, detail: string | undefined, opts: ClassifyOptions): Failure {
  const retryAfterSeconds = parseRetryAfter(headers.get('retry-after'), opts.now ?? Date.now);
  const base =
    status === 429
      ? 'The target is rate limiting requests (429)'
      : status === 408
        ? 'The target timed out waiting for the request (408)'
        : (EDGE_FAULTS[status]?.replace(/\.$/, '') ?? `The target failed (${status})`);
  const after = retryAfterSeconds === undefined ? '' : `; retrying after ${retryAfterSeconds} s`;
  return {
    kind: 'transient',
    status,
    message: `${base}${detail ? `: ${detail}` : ''}${after}.`,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
}

/** The longest wait a target can ask for: a row is tried again within a day whatever it says. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 60 * 60;
/** Beyond ten years a delay is not a plan but a broken header (`99999999999999999`): ignored. */
const ABSURD_RETRY_AFTER_SECONDS = 10 * 365 * 24 * 60 * 60;

/**
 * RFC 9110 §10.2.3: Retry-After is delay-seconds or an HTTP-date. Waits are capped at 24 h;
 * an unparseable or absurd value is treated as absent (the backoff applies), never thrown on.
 */
export function parseRetryAfter(value: string | null, now: () => number = Date.now): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  // An HTTP-date starts with a day name (IMF-fixdate, RFC 850, asctime); Date.parse alone would take "-5".
  const seconds = /^\d{1,16}$/.test(v) ? Number(v) : /^[A-Za-z]{3}/.test(v) ? (Date.parse(v) - now()) / 1000 : NaN;
  if (!Number.isFinite(seconds) || seconds > ABSURD_RETRY_AFTER_SECONDS) return undefined;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil(seconds)));
}

/** A network error or timeout (fetch threw) as a failure; all are transient. */
export function classifyNetworkError(err: unknown, timeoutMs: number): Failure {
  const name = err instanceof Error ? err.name : '';
  const text = errorText(err);
  if (name === 'TimeoutError' || /timed? ?out|ETIMEDOUT/i.test(text)) {
    return { kind: 'transient', message: `The target did not answer within ${formatSeconds(timeoutMs)}.` };
  }
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|dns|resolve/i.test(text)) {
    return { kind: 'transient', message: "The target's host name does not resolve (DNS): check the base URL." };
  }
  if (/certificate|CERT_|SSL|TLS|handshake/i.test(text)) return { kind: 'transient', message: 'TLS handshake failed — check the certificate.' };
  if (/ECONNREFUSED|refused/i.test(text)) return { kind: 'transient', message: 'The target refused the connection: is its server running?' };
  return { kind: 'transient', message: `The target could not be reached (${text.slice(0, MAX_DETAIL) || 'network error'}).` };
}

/** A runtime's own words (they may name the URL, with whatever it carried): URLs redacted. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return redactUrlsIn(String(err));
  const cause = err.cause instanceof Error ? ` ${err.cause.message} ${(err.cause as { code?: string }).code ?? ''}` : '';
  return redactUrlsIn(`${err.message}${cause}`.trim());
}

const formatSeconds = (ms: number) => (ms < 1000 ? `${ms} ms` : ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

/**
 * The target's SCIM Error `detail` (RFC 7644 §3.12). Only from a JSON body: any other body —
 * an HTML error page, a proxy's or an internal service's page, a stack trace — is never quoted,
 * since it may hold what the admin's readers should not see (`unquoted` names its type instead).
 */
export function targetDetail(bodyText: string): string | undefined {
  const json = parseJson(bodyText.trim());
  const d = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).detail : undefined;
  return typeof d === 'string' && d.trim() !== '' ? clip(d.trim()) : undefined;
}

/** A body that is there but not JSON, by its content type only ("text/html", not its contents). */
function unquotedNote(headers: Headers, bodyText: string): string | undefined {
  if (bodyText.trim() === '' || parseJson(bodyText.trim()) !== undefined) return undefined;
  const type = headers.get('content-type')?.split(';')[0]?.trim();
  return `a ${type || 'non-JSON'} body, not shown`;
}

const unquoted = (headers: Headers, bodyText: string): string => {
  const note = unquotedNote(headers, bodyText);
  return note ? ` (${note})` : '';
};

/**
 * Credentials shorter than this cannot be told from ordinary words ("admin" is in every Drupal
 * admin URL), so only longer ones — tokens, real passwords — are looked for in a remote's words.
 */
const MIN_QUOTABLE_SECRET = 8;

/**
 * A remote that quotes the credentials back ("invalid token abc…") has its words withheld — the
 * whole detail, decided where the message is built — rather than a substring replaced.
 */
export function withholdQuoted(failure: Failure, secret: string, rebuild: () => Failure): Failure {
  if (secret.length < MIN_QUOTABLE_SECRET || !failure.message.includes(secret)) return failure;
  const bare = rebuild();
  return { ...bare, message: `${bare.message.replace(/\.$/, '')} (the target's message quoted the credentials, so it is not shown).` };
}

function scimType(bodyText: string): string {
  const json = parseJson(bodyText.trim());
  const t = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).scimType : undefined;
  return typeof t === 'string' && /^[A-Za-z]{1,40}$/.test(t) ? ` ${t}` : '';
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not JSON is an answer here, not an error: callers treat it as "no SCIM body"
  }
}

/** A target's own words, cut to what an admin reads in a log line. */
export const clip = (s: string) => (s.length > MAX_DETAIL ? `${s.slice(0, MAX_DETAIL)}…` : s);

/** Scheme, host and path of a redirect, without query or credentials. */
function redirectTarget(location: string | null): string | undefined {
  if (!location) return undefined;
  try {
    const u = new URL(location);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return undefined; // a relative or malformed Location: the message simply omits it
  }
}
