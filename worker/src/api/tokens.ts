/**
 * /api/v1/tokens: the console's token management (what `npm run token` does locally). A new
 * token's secret is in the create response only; the relay keeps its SHA-256.
 */
import { Hono } from 'hono';
import type { ApiToken } from '../../../shared/src/tokens';
import { tokenCache } from '../auth/token-cache';
import { generateTokenSecret, parseScopes, sha256Hex } from '../auth/tokens';
import { insertTokenRow, listTokenRows, revokeTokenRow, type TokenRow } from '../db/tokens';
import { ROUTES } from './routes';
import type { ApiEnv } from './types';
import { notFound, validateJson } from './validate';

export const tokensApp = new Hono<ApiEnv>();

const toToken = (row: TokenRow): ApiToken => ({ ...row, scopes: parseScopes(row.scopes) });

tokensApp.get(ROUTES.listTokens.path, async (c) => c.json({ items: (await listTokenRows(c.env.DB)).map(toToken) }));

tokensApp.post(ROUTES.createToken.path, validateJson(ROUTES.createToken.body), async (c) => {
  const { name, scopes } = c.req.valid('json');
  const secret = generateTokenSecret();
  const row = await insertTokenRow(c.env.DB, { id: crypto.randomUUID(), name, hash: await sha256Hex(secret), scopes: scopes.join(' ') });
  return c.json({ token: toToken(row), secret }, 201);
});

tokensApp.delete(ROUTES.revokeToken.path, async (c) => {
  const row = await revokeTokenRow(c.env.DB, c.req.param('id'), new Date().toISOString());
  // Other isolates forget it within TOKEN_CACHE_TTL_MS; this one at once.
  tokenCache.forget(c.req.param('id'));
  return row ? c.json(toToken(row)) : notFound(c, 'The token');
});
