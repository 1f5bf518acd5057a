/** Sync state, step traces and outbox rows as the admin API reports them. */
import { z } from 'zod';

export const LINK_STATES = ['in_sync', 'pending', 'failed', 'never'] as const;
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
});
export type ProvisionResult = z.infer<typeof provisionResultSchema>;

export const linkSchema = z.object({
  targetId: z.string(),
  targetName: z.string(),
  state: linkStateSchema,
  remoteId: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
});
export type Link = z.infer<typeof linkSchema>;

export const outboxStateSchema = z.enum(['pending', 'leased', 'failed', 'dead', 'held']);
