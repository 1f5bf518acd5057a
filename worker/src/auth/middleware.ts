/**
 * Bearer-token authentication and scope checks for /scim/v2 and /api/v1. A factory checks its
 * options once and returns a named middleware; failures answer in the protocol's own format.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { findActiveTokenByHash, touchToken } from '../db/tokens';
import type { Env } from '../env';
import { tokenCache } from './token-cache';
import { matchesSecret, parseScopes, presentToken, SCOPES, type Scope } from './tokens';

export interface Principal {
  tokenId: string;
  name: string;
  scopes: Scope[];
}

export type AuthVariables = { principal: Principal };

export type AuthFailure = { status: 401 | 403; detail: string };

/** Writes `last_used` at most once a minute per token, off the request's critical path. */
const TOUCH_INTERVAL_MS = 60_000;

export async function authenticate(c: Context<{ Bindings: Env; Variables: AuthVariables }>): Promise<Principal | AuthFailure> {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return { status: 401, detail: 'A bearer token is required (Authorization: Bearer <token>).' };
  const secret = match[1]!;
  const presented = await presentToken(secret);
  const bootstrap = c.env.RELAY_BOOTSTRAP_TOKEN;
  if (bootstrap && (await matchesSecret(presented, bootstrap))) return { tokenId: 'bootstrap', name: 'bootstrap', scopes: [...SCOPES] };
  // A token this isolate verified in the last TOKEN_CACHE_TTL_MS costs no D1 round trip. A hit
  // does not extend its entry: the revocation delay stays bounded for tokens in constant use.
  const cached = tokenCache.get(presented.hash);
  const record = cached ?? (await findActiveTokenByHash(c.env.DB, presented.hash));
  if (!record) return { status: 401, detail: 'The bearer token is not valid or has been revoked.' };
  const now = Date.now();
  if (!record.lastUsed || now - Date.parse(record.lastUsed) > TOUCH_INTERVAL_MS) {
    record.lastUsed = new Date(now).toISOString();
    c.executionCtx.waitUntil(touchToken(c.env.DB, record.id, record.lastUsed).catch(() => undefined));
  }
  if (!cached) tokenCache.set(presented.hash, record);
  return { tokenId: record.id, name: record.name, scopes: parseScopes(record.scopes) };
}

export type FailureRenderer = (c: Context, failure: AuthFailure) => Response;

/** `requireScope('scim:read', renderScimError)` → a middleware named after what it checks. */
export function requireScope(scope: Scope | ((c: Context) => Scope), render: FailureRenderer): MiddlewareHandler<{ Bindings: Env; Variables: AuthVariables }> {
  return async function requireScopeMiddleware(c, next) {
    const result = await authenticate(c);
    if ('status' in result) return render(c, result);
    const needed = typeof scope === 'function' ? scope(c) : scope;
    if (!result.scopes.includes(needed)) return render(c, { status: 403, detail: `This token lacks the "${needed}" scope.` });
    c.set('principal', result);
    await next();
  };
}
