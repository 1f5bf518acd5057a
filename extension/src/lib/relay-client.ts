/**
 * The background's typed client for the relay's admin API, for what the page overlay needs:
 * lookups for a whole page, provisioning, a user's status, a re-import by uid. Every answer is
 * parsed with the admin API's own schemas (shared/); every failure becomes a named RelayError
 * whose message the overlay shows as it is.
 */
import { z } from 'zod';
import { type lookupBodySchema, lookupHitSchema, lookupResponseSchema, userStatusSchema } from '../../../shared/src/api';
import { provisionResultSchema } from '../../../shared/src/provisioning';
import type { Override } from '../../../shared/src/scope';
import { siteRoleSchema, type PageError } from './page-messages';
import { fetchRelay } from './relay-fetch';

export class RelayError extends Error {
  constructor(
    readonly code: PageError['code'],
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * The lookup answer with the per-site parts (`uids`, `site`) optional: a relay without them still
 * answers by userName and email, and the overlay says the site is not known to it.
 */
export const siteLookupResponseSchema = lookupResponseSchema.extend({
  uids: z.record(z.string(), lookupHitSchema.nullable()).optional(),
  site: siteRoleSchema.optional(),
});
export type SiteLookupResponse = z.infer<typeof siteLookupResponseSchema>;

/** What the extension sends to POST /users/lookup: the route's own body schema, before its transforms. */
export type SiteLookupRequest = z.input<typeof lookupBodySchema>;

export const provisionResponseSchema = z.object({ userId: z.string(), results: z.array(provisionResultSchema) });

export interface RelayClientDeps {
  relayUrl: string;
  token: string;
  fetch: typeof fetch;
  timeoutMs?: number;
}

export type RelayClient = ReturnType<typeof createRelayClient>;

export function createRelayClient({ relayUrl, token, fetch, timeoutMs = 30_000 }: RelayClientDeps) {
  async function call<T>(method: 'GET' | 'POST' | 'PUT', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const sent = await fetchRelay(fetch, `${relayUrl}/api/v1${path}`, { method, token, ...(body === undefined ? {} : { body }), timeoutMs });
    if ('unreachable' in sent) throw new RelayError('unreachable', sent.unreachable);
    const { response } = sent;
    const text = await response.text();
    if (!response.ok) throw errorForStatus(response.status, text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RelayError('bad_response', `The relay answered ${method} ${path} with something that is not JSON.`, response.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new RelayError(
        'bad_response',
        `The relay's answer to ${method} ${path} did not match the admin API (${parsed.error.issues[0]?.path.join('.') ?? 'body'}).`,
        response.status,
      );
    return parsed.data;
  }

  return {
    lookup: (body: SiteLookupRequest) => call('POST', '/users/lookup', siteLookupResponseSchema, body),
    provision: (userId: string, targetIds?: string[]) =>
      call('POST', `/users/${encodeURIComponent(userId)}/provision`, provisionResponseSchema, targetIds ? { targetIds } : {}),
    status: (userId: string) => call('GET', `/users/${encodeURIComponent(userId)}/status`, userStatusSchema),
    resumeTarget: (targetId: string) => call('POST', `/targets/${encodeURIComponent(targetId)}/resume`, z.object({ id: z.string(), status: z.string() }), {}),
    setOverride: (targetId: string, userId: string, override: Override | null) =>
      call('PUT', `/targets/${encodeURIComponent(targetId)}/overrides/${encodeURIComponent(userId)}`, z.unknown(), { override }),
    importUid: (sourceId: string, uid: string) => call('POST', `/sources/${encodeURIComponent(sourceId)}/users/${encodeURIComponent(uid)}/import`, z.unknown()),
  };
}

/** The admin API's error body is `{ error, message, issues? }` (worker/src/api/validate.ts): show the message. */
function errorForStatus(status: number, text: string): RelayError {
  let detail = '';
  try {
    const body = JSON.parse(text) as { message?: unknown };
    const found = body.message;
    if (typeof found === 'string') detail = `: ${found.slice(0, 300)}`;
  } catch {
    // not JSON: the status says enough
  }
  if (status === 401) return new RelayError('unauthorized', 'The relay refused the admin token (401): check it in the extension options.', status);
  if (status === 403) return new RelayError('forbidden', 'The token lacks the admin scope (403).', status);
  if (status === 404) return new RelayError('not_found', `Not found on the relay (404)${detail}.`, status);
  if (status === 400) return new RelayError('bad_request', `The relay refused the request (400)${detail}.`, status);
  return new RelayError('http', `The relay answered HTTP ${status}${detail}.`, status);
}
