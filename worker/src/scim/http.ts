/** HTTP plumbing shared by the SCIM routes: JSON in and out, size limits, SCIM errors. */
import type { Context } from 'hono';
import { ScimError, badRequest } from './errors';
import { decodeUtf8, parseJsonBody } from './json-body';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
/** Advertised as bulk.maxPayloadSize and applied to every request body. */
export const MAX_PAYLOAD_BYTES = 1_048_576;

export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': SCIM_CONTENT_TYPE, ...headers } });
}

export function scimErrorResponse(err: ScimError, extra: Record<string, string> = {}): Response {
  return scimJson(err.toJSON(), err.status, { ...err.headers, ...extra });
}

/**
 * Reads a JSON body. application/scim+json and application/json are both accepted (RFC 7644
 * §3.8); clients that send no or another content type are given the benefit of the doubt.
 */
export async function readJson(c: Context<any>): Promise<unknown> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_PAYLOAD_BYTES) throw tooLarge();
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) throw tooLarge();
  const text = decodeUtf8(bytes);
  if (text.trim() === '') throw badRequest('invalidSyntax', 'The request body is empty; a JSON object is required.');
  return parseJsonBody(text);
}

const tooLarge = () => new ScimError(413, `The request body is larger than the maximum of ${MAX_PAYLOAD_BYTES} bytes.`);

export function conditions(c: Context<any>) {
  const ifMatch = c.req.header('if-match');
  const ifNoneMatch = c.req.header('if-none-match');
  return { ...(ifMatch !== undefined ? { ifMatch } : {}), ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}) };
}

/** The SCIM base URL as the client sees it, for meta.location and $ref. */
export function baseUrlOf(c: Context<any>): string {
  const url = new URL(c.req.url);
  return `${url.origin}/scim/v2`;
}
