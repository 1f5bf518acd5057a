/**
 * GETs against a source with its credentials: a time limit per request, the body read whole
 * (a truncated body is a failed request, not an empty page) but never more than a ceiling
 * (../outbound/read-limited.ts), and each failure described — without the credentials: the
 * Authorization header is never part of a message, and URLs in a runtime's error are redacted.
 */
import type { SourceCredentials } from '../../../shared/src/sources';
import { bodyLimitFor, formatBytes, readLimited } from '../outbound/read-limited';
import { redactUrlsIn } from '../outbound/redact';
import { SourceError, type RequestMeter } from './remote';

const TIMEOUT_MS = 15_000;

export function authorization(credentials: SourceCredentials): string {
  if (credentials.type === 'bearer') return `Bearer ${credentials.token}`;
  const bytes = new TextEncoder().encode(`${credentials.username}:${credentials.password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

export interface SourceHttp {
  /** `body`: parsed JSON, else the text; `json` false when the answer was not JSON (its text is never shown) */
  get(url: string, accept: string): Promise<{ status: number; body: unknown; headers: Headers; json: boolean }>;
  meter: RequestMeter;
}

export function sourceHttp(credentials: SourceCredentials, fetcher: typeof fetch = (i, init) => fetch(i, init)): SourceHttp {
  const meter: RequestMeter = { requests: 0 };
  const auth = authorization(credentials);
  return {
    meter,
    async get(url, accept) {
      meter.requests++;
      let res: Response;
      let read: Awaited<ReturnType<typeof readLimited>>;
      try {
        res = await fetcher(url, { headers: { authorization: auth, accept }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
        read = await readLimited(res, bodyLimitFor(res.status));
      } catch (err) {
        const timeout = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
        throw new SourceError(
          timeout
            ? `No answer within ${TIMEOUT_MS / 1000} s from ${new URL(url).origin}.`
            : `The connection to ${new URL(url).origin} failed: ${redactUrlsIn((err as Error).message)}`,
          null,
          false,
        );
      }
      if (!read.ok) {
        // An error answer is judged by its status alone; a page too large to read is a failed request.
        if (res.status < 200 || res.status > 299) return { status: res.status, body: undefined, headers: res.headers, json: false };
        throw new SourceError(
          `${new URL(url).origin} answered ${res.status} with a body larger than ${formatBytes(read.limitBytes)}, more than the relay reads from one answer; the import continues at the next cron.`,
          res.status,
          false,
        );
      }
      const text = read.text;
      let body: unknown;
      let json = false;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
          json = true;
        } catch {
          body = text;
        }
      }
      return { status: res.status, body, headers: res.headers, json };
    },
  };
}

/** The first JSON:API / SCIM error detail in a body, cut short: never more than a line of remote text. */
export function remoteDetail(body: unknown): string {
  const b = body as { errors?: { detail?: unknown; title?: unknown }[]; detail?: unknown } | undefined;
  const raw = b?.errors?.[0]?.detail ?? b?.errors?.[0]?.title ?? b?.detail;
  if (typeof raw !== 'string') return '';
  // Drupal's messages carry HTML (<a href>); keep the words only.
  const plain = raw
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 300 ? `${plain.slice(0, 297)}…` : plain;
}
