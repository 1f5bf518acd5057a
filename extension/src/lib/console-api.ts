import { z } from 'zod';
import { browser } from 'wxt/browser';

/**
 * The console's one message: an admin API call that the background performs with the token.
 * Pages (options, popup) name a method and a path under /api/v1; they never see the token and
 * cannot reach anything but the configured relay's /api/v1 (see console-proxy.ts).
 */
export const API_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

// A path under /api/v1 with an optional query: no scheme, no host, no dot segments, no fragment.
const apiPath = z
  .string()
  .max(2048)
  .regex(/^\/[A-Za-z0-9._~%\-/]*(\?[^#\s]*)?$/, 'must be a path under /api/v1')
  .refine(
    (p) =>
      !p
        .split('?')[0]!
        .split('/')
        .some((s) => s === '.' || s === '..' || /%2e/i.test(s)),
    'must not contain dot segments',
  )
  .refine((p) => !p.split('?')[0]!.includes('//'), 'must not contain empty segments');

export const consoleRequestSchema = z.object({
  type: z.literal('console:api'),
  method: z.enum(API_METHODS),
  path: apiPath,
  body: z.unknown().optional(),
});
export type ConsoleRequest = z.infer<typeof consoleRequestSchema>;

/** An HTTP answer from the relay (any status), or why there was none. */
export const consoleResponseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('http'), status: z.number().int(), body: z.unknown() }),
  z.object({ kind: z.literal('unreachable'), error: z.string() }),
]);
export type ConsoleResponse = z.infer<typeof consoleResponseSchema>;

/** The admin API's error body (worker/src/api/validate.ts): zod issues carry dotted key paths. */
const apiErrorBodySchema = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export interface ApiIssue {
  path: string;
  message: string;
}

/** A failed call, in words an admin can act on, with the issues by key path when the API gave them. */
export class ApiProblem extends Error {
  readonly status: number | null;
  readonly issues: ApiIssue[];

  constructor(message: string, status: number | null, issues: ApiIssue[] = []) {
    super(message);
    this.name = 'ApiProblem';
    this.status = status;
    this.issues = issues;
  }
}

export function describeStatus(status: number): string {
  if (status === 401) return 'The relay refused the token (401). Check the admin token under Connect.';
  if (status === 403) return 'The token lacks the admin scope (403).';
  if (status === 404) return 'Not found on the relay (404).';
  if (status >= 500) return `The relay failed (HTTP ${status}).`;
  return `The relay answered HTTP ${status}.`;
}

/** Turns a console response into the parsed body, or throws an ApiProblem. */
export function readResponse<T>(response: ConsoleResponse, schema: z.ZodType<T>): T {
  if (response.kind === 'unreachable') throw new ApiProblem(response.error, null);
  const { status, body } = response;
  if (status < 200 || status >= 300) {
    const error = apiErrorBodySchema.safeParse(body);
    if (error.success && status !== 401 && status !== 403) throw new ApiProblem(error.data.message, status, error.data.issues ?? []);
    throw new ApiProblem(error.success ? `${describeStatus(status)} ${error.data.message}` : describeStatus(status), status);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ApiProblem(
      `The relay's answer was not what this extension expects (${parsed.error.issues[0]?.message ?? 'bad shape'}). Is the relay up to date?`,
      status,
    );
  return parsed.data;
}

/** Calls the admin API through the background and parses the answer with `schema`. */
export async function callApi<T>(schema: z.ZodType<T>, method: ConsoleRequest['method'], path: string, body?: unknown): Promise<T> {
  const request: ConsoleRequest = { type: 'console:api', method, path, ...(body === undefined ? {} : { body }) };
  let raw: unknown;
  try {
    raw = await browser.runtime.sendMessage(request);
  } catch {
    throw new ApiProblem('The extension background did not answer. Reload the extension.', null);
  }
  const response = consoleResponseSchema.safeParse(raw);
  if (!response.success) throw new ApiProblem('The extension background did not answer. Reload the extension.', null);
  return readResponse(response.data, schema);
}

/** For calls whose success has no body (204). */
export const noBody = z.unknown();

/** Builds `?a=1&b=2` from the defined values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text ? `?${text}` : '';
}
