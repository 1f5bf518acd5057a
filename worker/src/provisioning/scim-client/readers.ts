/**
 * Readers for 2xx bodies. A success whose body is not the SCIM document we asked for is
 * `transient`: in practice it is a proxy, a load balancer or a maintenance page answering for
 * the target (HTML with a 200), which clears up by itself; and since every write is preceded by
 * a read, a retry after a create whose answer we could not read finds and links the account
 * instead of creating it twice. `rejected` would strand the row for a fault that is not the data's.
 */
import type { z } from 'zod';
import { isObject, type JsonObject } from '../../scim/schema/normalize';
import type { Failure } from '../failure';
import { parseJson } from './classify';
import { describeIssues, listResponseSchema, scimResourceSchema, type ScimResource } from './schemas';
import type { RawResponse, Reader } from './transport';

export function malformed(status: number, what: string, why: string): Failure {
  return {
    kind: 'transient',
    status,
    message: `The target answered ${status} but its body is not a SCIM ${what} (${why}); a proxy or error page may be answering for it.`,
  };
}

/** A JSON body checked against `schema`. */
export function readAs<S extends z.ZodType>(schema: S, what: string): Reader<z.infer<S>> {
  return (res: RawResponse) => {
    const json = parseJson(res.text);
    if (json === undefined) return { ok: false, failure: malformed(res.status, what, res.text.trim() === '' ? 'empty' : 'not JSON') };
    const parsed = schema.safeParse(json);
    if (!parsed.success) return { ok: false, failure: malformed(res.status, what, describeIssues(parsed.error)) };
    return { ok: true, value: parsed.data };
  };
}

export const readResource: Reader<ScimResource> = (res) => {
  const r = readAs(scimResourceSchema, 'resource')(res);
  return r.ok ? { ok: true, value: r.value as ScimResource } : r;
};

export const readList: Reader<ScimResource[]> = (res) => {
  const r = readAs(listResponseSchema, 'ListResponse')(res);
  return r.ok ? { ok: true, value: (r.value.Resources ?? []) as ScimResource[] } : r;
};

/**
 * PATCH answers 200 with the resource or 204 (RFC 7644 §3.5.2); the engine does not need the
 * body, so any JSON is accepted (the resource when it is one). Only a non-JSON body, an error
 * page with a 200, is a failure.
 */
export const readOptionalResource: Reader<ScimResource | undefined> = (res) => {
  if (res.text.trim() === '') return { ok: true, value: undefined };
  const json = parseJson(res.text);
  if (json === undefined) return { ok: false, failure: malformed(res.status, 'resource', 'not JSON') };
  const parsed = scimResourceSchema.safeParse(json);
  return { ok: true, value: parsed.success && isObject(json) ? (parsed.data as ScimResource) : undefined };
};

/** DELETE answers 204 (RFC 7644 §3.6); whatever else comes back is ignored. */
export const readNothing: Reader<undefined> = () => ({ ok: true, value: undefined });

export type { JsonObject };
