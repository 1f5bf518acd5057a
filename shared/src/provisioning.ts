/** Sync state, step traces and outbox rows as the admin API reports them. */
import { z } from 'zod';
import { overrideSchema } from './scope';

/**
 * `out_of_scope` (issue #13): the user is not in the target's scope (or is overridden "never"),
 * so the target should not hold an active account for them: distinct from `never` (in scope, not
 * provisioned yet).
 */
export const LINK_STATES = ['in_sync', 'pending', 'failed', 'never', 'out_of_scope'] as const;
export const linkStateSchema = z.enum(LINK_STATES);

/** What happened to one target for one resource: the trace the extension shows. */
export const stepSchema = z.object({
  step: z.enum(['test_connection', 'read', 'match', 'action', 'result']),
  ok: z.boolean(),
  detail: z.string(),
  httpStatus: z.number().int().optional(),
  durationMs: z.number().optional(),
});
export type Step = z.infer<typeof stepSchema>;

export const ACTIONS = ['create', 'update', 'deactivate', 'delete', 'link', 'skip', 'none'] as const;
export const actionSchema = z.enum(ACTIONS);
export type Action = z.infer<typeof actionSchema>;

export const FAILURE_KINDS = ['transient', 'not_found', 'conflict', 'precondition_failed', 'rejected', 'fatal'] as const;
export const failureKindSchema = z.enum(FAILURE_KINDS);
export type FailureKind = z.infer<typeof failureKindSchema>;

/**
 * What really happened, in one word (issue #9): `unchanged` when nothing needed sending,
 * `skipped` when something differs but the mode's operations do not allow it, `blocked` when a
 * Drupal site's cancel method kept the account blocked instead of deleting it, `held` by the
 * deletion threshold, `protected` when the account is never written (the relay's own login,
 * uid 1, or listed), `failed` with the reason in `error`.
 */
export const OUTCOMES = ['created', 'updated', 'linked', 'unchanged', 'deactivated', 'deleted', 'blocked', 'held', 'protected', 'skipped', 'failed'] as const;
export const outcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof outcomeSchema>;

export const provisionResultSchema = z.object({
  targetId: z.string(),
  targetName: z.string(),
  ok: z.boolean(),
  action: actionSchema,
  remoteId: z.string().nullable(),
  attributesChanged: z.array(z.string()),
  dryRun: z.boolean(),
  error: z.string().nullable(),
  failure: failureKindSchema.nullable(),
  steps: z.array(stepSchema),
  /** what happened, truthfully: "Provision selected" counts `created`/`updated`/`linked` as provisioned */
  outcome: outcomeSchema.optional(),
});
export type ProvisionResult = z.infer<typeof provisionResultSchema>;

export const LINK_DRIFT = ['attributes', 'roles', 'memberships', 'missing'] as const;
export const linkDriftSchema = z.enum(LINK_DRIFT);
export type LinkDrift = z.infer<typeof linkDriftSchema>;

export const linkSchema = z.object({
  targetId: z.string(),
  targetName: z.string(),
  state: linkStateSchema,
  remoteId: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** what the relay last did to the remote account: active, deactivated (blocked) or deleted */
  remoteState: z.string().nullable().optional(),
  /** a per-user override for this target (issue #13): "always" / "never" provision, over the scope */
  override: overrideSchema.nullable().optional(),
  /**
   * Drift the last reconcile found on the target that no repair has landed since (issue #9): the
   * account edited there (`attributes`) or gone (`missing`), a mapped role (Drupal) or a group
   * membership missing. While any is known, the state is never `in_sync`.
   */
  drift: z.array(linkDriftSchema).nullable().optional(),
});
export type Link = z.infer<typeof linkSchema>;

export const outboxStateSchema = z.enum(['pending', 'leased', 'failed', 'dead', 'held']);
