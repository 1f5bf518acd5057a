/**
 * What one provisioning pass for one target needs: the target, its client, the operations the
 * mode allows, and collectors for the step trace and the audit log. Every outbound request is
 * recorded through the client's hook, labelled with the operation in progress.
 */
import type { Operations, Step, Target } from '../../../shared/src';
import type { AuditEvent } from '../db/audit';
import type { ScimClient } from './scim-client';
import { learnProtected, protectedReason, protectionOf, PROTECTED_PREFIX, type Protection } from './protected';
import { createTargetClient } from './target-client';
import type { SqlFragment } from '../directory/types';
import { scopeCondition } from './scope';

export interface SyncContext {
  db: D1Database;
  target: Target;
  client: ScimClient;
  operations: Operations;
  dryRun: boolean;
  runId: string | null;
  now: () => Date;
  steps: Step[];
  audit: AuditEvent[];
  /** outbound requests made through this context (the invocation's subrequest budget) */
  requests: number;
  /** remote id → the second key the target gave for it (Drupal's uid), stored on the link */
  remoteKeys: Map<string, string>;
  /** accounts never written on this target (protected.ts) */
  protection: Protection;
  /** the target's scope and overrides as a condition over `users.id` (scope.ts) */
  scope: SqlFragment;
  /** the operation the next request belongs to, for its audit event */
  label: { operation: string; resourceType: 'User' | 'Group' | null; resourceId: string | null };
}

export interface SyncContextInput {
  db: D1Database;
  target: Target;
  token: string;
  operations: Operations;
  runId: string | null;
  fetch?: typeof fetch;
  now?: () => Date;
}

export function createSyncContext(input: SyncContextInput): SyncContext {
  const now = input.now ?? (() => new Date());
  const ctx: SyncContext = {
    db: input.db,
    target: input.target,
    operations: input.operations,
    dryRun: input.target.dryRun,
    runId: input.runId,
    now,
    steps: [],
    audit: [],
    requests: 0,
    remoteKeys: new Map(),
    protection: protectionOf(input.target, input.token),
    // per-user and per-batch checks: a few ids each
    scope: scopeCondition(input.target.scope, input.target.id, 'users.id', 'probe'),
    label: { operation: 'read', resourceType: null, resourceId: null },
    client: undefined as unknown as ScimClient,
  };
  ctx.client = createTargetClient(
    { target: input.target, token: input.token, db: input.db, ...(input.fetch ? { fetch: input.fetch } : {}) },
    {
      onRemoteKey(remoteId, remoteKey) {
        ctx.remoteKeys.set(remoteId, remoteKey);
      },
      protectedReason: (remoteId) => protectedReason(ctx.protection, { remoteId, remoteKey: ctx.remoteKeys.get(remoteId) ?? null }),
      onProtected(remoteId, reason) {
        learnProtected(ctx.protection, remoteId, reason);
      },
      onRequest(r) {
        ctx.requests++;
        ctx.audit.push(
          labelledEvent(ctx, {
            operation: ctx.label.operation,
            method: r.method,
            path: r.path,
            httpStatus: r.status ?? null,
            durationMs: Math.round(r.durationMs),
            outcome: r.failure ? r.failure.kind : 'ok',
            error: r.failure?.message ?? null,
            attributesChanged: null,
            dryRun: false,
          }),
        );
      },
    },
  );
  return ctx;
}

/** An audit event about the resource the context is working on now (its label). */
function labelledEvent(ctx: SyncContext, event: Omit<AuditEvent, 'at' | 'targetId' | 'runId' | 'resourceType' | 'resourceId'>): AuditEvent {
  return {
    at: ctx.now().toISOString(),
    targetId: ctx.target.id,
    runId: ctx.runId,
    resourceType: ctx.label.resourceType,
    resourceId: ctx.label.resourceId,
    ...event,
  };
}

/** A write not sent because the target is in dry-run: recorded as what would have been sent. */
export function recordDryRun(ctx: SyncContext, operation: string, method: string, path: string, attributes: string[]): void {
  ctx.audit.push(
    labelledEvent(ctx, {
      operation,
      method,
      path: ctx.client.requestPath?.(path) ?? path,
      httpStatus: null,
      durationMs: 0,
      outcome: 'dry_run',
      error: null,
      attributesChanged: attributes,
      dryRun: true,
    }),
  );
}

export function step(ctx: SyncContext, s: Step): void {
  ctx.steps.push(s);
}

/**
 * A write not sent because the account is protected: recorded with outcome `protected`, and
 * the step trace says so. Answers the detail every outcome carries ("protected: …").
 */
export function recordProtected(ctx: SyncContext, reason: string): string {
  ctx.audit.push(
    labelledEvent(ctx, {
      operation: 'skip',
      method: null,
      path: null,
      httpStatus: null,
      durationMs: 0,
      outcome: 'protected',
      error: `Not written: ${reason}.`,
      attributesChanged: null,
      dryRun: ctx.dryRun,
    }),
  );
  step(ctx, { step: 'action', ok: true, detail: `Not written: ${reason} is protected on this target.` });
  return `${PROTECTED_PREFIX}${reason}`;
}
