/**
 * Request validation for the admin API. Each factory checks its schema once and returns a named
 * middleware; bad input answers 400 with every zod issue's key path (`modes.scheduled.intervalMinutes`),
 * so a client can point at the field. Validated values reach handlers through `c.req.valid()`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { readJsonBody } from './read-json-body';

export interface ApiIssue {
  /** dotted key path into the body or query; '' for the value as a whole */
  path: string;
  message: string;
}

export const apiErrorSchema = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

const issuePath = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** zod's issues with dotted paths; an unknown key is named by its own path, so a form can point at it. */
export function toIssues(error: z.ZodError): ApiIssue[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: issuePath([...i.path, k]), message: `Unrecognized key: "${k}"` }))
      : [{ path: issuePath(i.path), message: i.message }],
  );
}

export function invalidRequest(c: Context, message: string, issues?: ApiIssue[]): Response {
  const body: ApiError = issues ? { error: 'invalid_request', message, issues } : { error: 'invalid_request', message };
  return c.json(body, 400);
}

export function describe(where: string, issues: ApiIssue[]): string {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `Invalid ${where}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`;
}

/**
 * A merge patch's first check: any JSON object, passed on as parsed (its members are checked
 * once merged; a copy would turn a "__proto__" key into a prototype instead of refusing it).
 */
export const jsonObjectSchema = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'must be a JSON object');

type Validated<T extends 'json' | 'query', S extends z.ZodType> = {
  in: { [K in T]: z.input<S> };
  out: { [K in T]: z.output<S> };
};

/**
 * Parses the body as JSON (whatever the content type: scripts forget it, and PATCH takes
 * application/merge-patch+json too) and validates it. An empty body is `{}`, so endpoints whose
 * fields are all optional accept a bare POST. The size is capped before this (app.ts, hono/body-limit).
 */
export function validateJson<S extends z.ZodType>(schema: S): MiddlewareHandler<any, string, Validated<'json', S>> {
  return async function validateJsonMiddleware(c, next) {
    const read = await readJsonBody(c);
    if (!read.ok) return invalidRequest(c, read.message);
    const value = read.value;
    const result = await schema.safeParseAsync(value);
    if (!result.success) {
      const issues = toIssues(result.error);
      return invalidRequest(c, describe('request body', issues), issues);
    }
    c.req.addValidatedData('json', result.data as object);
    await next();
  };
}

/**
 * Validates the query string. A repeated parameter arrives as a list, so a schema that wants one
 * string refuses it by name (`?filter=a&filter=b`) instead of taking either value silently.
 */
export function validateQuery<S extends z.ZodType>(schema: S): MiddlewareHandler<any, string, Validated<'query', S>> {
  return async function validateQueryMiddleware(c, next) {
    const query = Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
    const result = await schema.safeParseAsync(query);
    if (!result.success) {
      const issues = toIssues(result.error);
      return invalidRequest(c, describe('query', issues), issues);
    }
    c.req.addValidatedData('query', result.data as object);
    await next();
  };
}

/** A 404 in the admin API's error format. */
export function notFound(c: Context, what: string): Response {
  const body: ApiError = { error: 'not_found', message: `${what} does not exist.` };
  return c.json(body, 404);
}

export function conflict(c: Context, message: string): Response {
  const body: ApiError = { error: 'conflict', message };
  return c.json(body, 409);
}
