/**
 * API tokens as the admin API lists and creates them. The secret exists only in the create
 * response (shown once); the relay stores its SHA-256.
 */
import { z } from 'zod';

export const TOKEN_SCOPES = ['scim:read', 'scim:write', 'admin'] as const;
export const tokenScopeSchema = z.enum(TOKEN_SCOPES);

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  created: z.string(),
  lastUsed: z.string().nullable(),
  revoked: z.string().nullable(),
});
export type ApiToken = z.infer<typeof tokenSchema>;

export const tokenCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  scopes: z
    .array(tokenScopeSchema)
    .min(1, 'choose at least one scope')
    .transform((s) => [...new Set(s)]),
});
export type TokenCreate = z.infer<typeof tokenCreateSchema>;

/** The create response: the only time the secret is ever returned. */
export const tokenCreatedSchema = z.object({ token: tokenSchema, secret: z.string() });
