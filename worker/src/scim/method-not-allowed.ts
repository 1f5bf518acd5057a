/**
 * RFC 9110 §15.5.6: a path the server knows, asked with a method it does not support, is 405
 * with an `Allow` header listing the methods it does support — not 404, which says the path does
 * not exist. Registered after a path's real handlers with `.all(path, allowOnly(...))`.
 */
import type { Context } from 'hono';
import { ScimError } from './errors';
import { scimErrorResponse } from './http';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export function allowOnly(...methods: Method[]) {
  // hono answers HEAD with the GET handler.
  const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
  return function methodNotAllowed(c: Context) {
    return scimErrorResponse(new ScimError(405, `${c.req.method} is not supported on ${c.req.path}; use ${allow}.`), { allow });
  };
}

/** RFC 7644 §3.11: a service provider that does not support /Me answers 501 Not Implemented. */
export function meNotImplemented() {
  return scimErrorResponse(
    new ScimError(501, 'The /Me endpoint is not implemented: this service provider does not map a bearer token to a user (RFC 7644 §3.11).'),
  );
}
