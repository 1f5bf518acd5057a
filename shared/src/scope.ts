/**
 * Who goes where (issue #13): a target's provisioning scope, the mass-creation guard and per-user
 * overrides, as the admin API and the extension see them. A target's desired state is the
 * directory ∩ its scope: users in scope are created or re-activated, users leaving it are
 * deactivated (deleted where the mode allows) under the deletion threshold.
 */
import { z } from 'zod';

/**
 * `all`: every directory user (the behaviour before scopes, and the default);
 * `groups`: members of the chosen directory groups (nested: members of their member groups too);
 * `filter`: users matching a SCIM filter over the directory (`userType eq "Employee" and active eq true`).
 */
export const scopeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({
    kind: z.literal('groups'),
    groupIds: z.array(z.string().trim().min(1).max(200)).min(1).max(50),
    nested: z.boolean().default(true),
  }),
  z.strictObject({ kind: z.literal('filter'), filter: z.string().trim().min(1).max(2000) }),
]);
export type Scope = z.infer<typeof scopeSchema>;
export const ALL_SCOPE: Scope = { kind: 'all' };

/** "always provision to X" / "never provision to X": wins over the scope. */
export const OVERRIDES = ['always', 'never'] as const;
export const overrideSchema = z.enum(OVERRIDES);
export type Override = z.infer<typeof overrideSchema>;

/** PUT /api/v1/targets/{id}/overrides/{userId}: null clears the override. */
export const overrideUpdateSchema = z.strictObject({ override: overrideSchema.nullable() });

/** Why a user is (not) in a target's scope. */
export const scopeStatusSchema = z.object({
  inScope: z.boolean(),
  override: overrideSchema.nullable(),
});
export type ScopeStatus = z.infer<typeof scopeStatusSchema>;

/** A user named in a scope preview. */
export const scopeUserSchema = z.object({ id: z.string(), userName: z.string(), remoteId: z.string().nullable().optional() });

/**
 * POST /api/v1/targets/{id}/scope/preview {scope}: what applying that scope would do, before it
 * applies (PATCH /targets/{id} {scope} applies it). `create`: in the new scope and not on the target
 * (or deactivated there: re-activated); `deactivate`: linked and active on the target, leaving scope.
 * Lists are capped at `limit`; the counts are exact.
 */
export const scopePreviewSchema = z.object({
  scope: scopeSchema,
  counts: z.object({ inScope: z.number().int(), create: z.number().int(), deactivate: z.number().int(), unchanged: z.number().int() }),
  create: z.array(scopeUserSchema),
  deactivate: z.array(scopeUserSchema),
  /** the creations exceed the target's creation threshold: applying waits for approval */
  needsApproval: z.boolean(),
});
export type ScopePreview = z.infer<typeof scopePreviewSchema>;

/** POST /api/v1/targets/{id}/scope/preview: the scope to try (nothing is saved). */
export const scopePreviewRequestSchema = z.strictObject({ scope: scopeSchema });

/** The preview's lists hold at most `limit` users each (default 100, up to 1000); the counts are always exact. */
export const scopePreviewQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

/** GET /api/v1/targets/{id}/overrides: one item per overridden user (userName null once the user left the directory). */
export const overrideItemSchema = z.object({ userId: z.string(), userName: z.string().nullable(), override: overrideSchema, updated: z.string() });
export type OverrideItem = z.infer<typeof overrideItemSchema>;
