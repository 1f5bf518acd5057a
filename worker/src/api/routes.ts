/**
 * The admin API's route table: the one list the sub-apps register from and the OpenAPI document
 * is generated from (openapi.ts), so the two cannot drift. A test checks that every route the
 * app serves is in this table and the other way round.
 */
import { z } from 'zod';
import { linkSchema, provisionResultSchema, stepSchema } from '../../../shared/src/provisioning';
import { capabilitiesSchema } from '../../../shared/src/targets';
import { mappingRuleSchema, targetCreateSchema, targetSchema, targetUpdateSchema } from '../../../shared/src/targets';
import { targetRolesSchema } from '../../../shared/src/target-kinds';
import {
  auditEventSchema,
  auditQuerySchema,
  countSchema,
  deadLetterQuerySchema,
  emptyBodySchema,
  healthSchema,
  lookupBodySchema,
  lookupResponseSchema,
  mappingBodySchema,
  outboxItemSchema,
  outboxQuerySchema,
  pageSchema,
  planResponseSchema,
  retryBodySchema,
  runSchema,
  runsQuerySchema,
  targetSyncSchema,
  userSearchQuerySchema,
  userStatusSchema,
  userSummarySchema,
} from '../../../shared/src/api';
import { groupListSchema, groupSearchQuerySchema } from '../../../shared/src/groups';
import { pageUserSchema } from '../../../shared/src/page-user';
import { reconcileScheduleSchema, reconcileStartSchema, reconcileStatusSchema } from '../../../shared/src/reconcile';
import {
  importRunSchema,
  runImportBodySchema,
  singleImportResultSchema,
  sourceCreateSchema,
  sourceSchema,
  sourceTestResultSchema,
  sourceUpdateSchema,
} from '../../../shared/src/sources';
import { overrideItemSchema, overrideUpdateSchema, scopePreviewQuerySchema, scopePreviewRequestSchema, scopePreviewSchema } from '../../../shared/src/scope';
import { tokenCreateSchema, tokenCreatedSchema, tokenSchema } from '../../../shared/src/tokens';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec {
  method: Method;
  /** hono path under /api/v1 (`:id` for path parameters) */
  path: string;
  tag: 'meta' | 'targets' | 'outbox' | 'logs' | 'users' | 'tokens' | 'sources';
  summary: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** the body is a JSON merge patch (RFC 7396) of `body`, merged into the stored resource (merge-patch.ts) */
  mergePatch?: true;
  /** the success status and its body (none for 204) */
  status: 200 | 201 | 204;
  response?: z.ZodType;
}

const mappingSchema = z.object({ mapping: z.array(mappingRuleSchema) });

/** What an admin page shows, as a strict request (the extension parses pages with the loose one). */
const pageUserRequestSchema = pageUserSchema.strict().extend({ name: z.strictObject(pageUserSchema.shape.name.unwrap().shape).optional() });
const anyJson = z.record(z.string(), z.unknown());
/** What running an import (or approving its held reconciliation) answers: the run's state. */
const importSummarySchema = importRunSchema
  .pick({ sourceId: true, status: true, counts: true, error: true })
  .extend({ runId: z.string(), kind: z.enum(['incremental', 'full']) });

export const ROUTES = {
  ping: {
    method: 'get',
    path: '/ping',
    tag: 'meta',
    summary: 'Check the token: answers with its name',
    status: 200,
    response: z.object({ ok: z.literal(true), token: z.string() }),
  },
  health: {
    method: 'get',
    path: '/health',
    tag: 'meta',
    summary: "The limits profile and how full the database is: level ok, filling (a warning) or full (IdPs' writes refused, imports stopped)",
    status: 200,
    response: healthSchema,
  },
  openapi: { method: 'get', path: '/openapi.json', tag: 'meta', summary: 'This document', status: 200, response: anyJson },

  listTargets: { method: 'get', path: '/targets', tag: 'targets', summary: 'List targets', status: 200, response: z.object({ items: z.array(targetSchema) }) },
  createTarget: {
    method: 'post',
    path: '/targets',
    tag: 'targets',
    summary: 'Create a target (the token is stored encrypted, never returned)',
    body: targetCreateSchema,
    status: 201,
    response: targetSchema,
  },
  getTarget: { method: 'get', path: '/targets/:id', tag: 'targets', summary: 'Read a target', status: 200, response: targetSchema },
  updateTarget: {
    method: 'patch',
    path: '/targets/:id',
    tag: 'targets',
    summary:
      'Change a target by JSON merge patch (RFC 7396): nested settings keep what the patch leaves out, null restores a default; status "active" clears pausedReason; resyncSuggested when the change alters what the target should hold (mapping, group push)',
    body: targetUpdateSchema,
    mergePatch: true,
    status: 200,
    response: targetSchema.extend({ resyncSuggested: z.boolean().optional() }),
  },
  deleteTarget: {
    method: 'delete',
    path: '/targets/:id',
    tag: 'targets',
    summary: 'Delete a target with its queue and links (remote accounts are untouched)',
    status: 204,
  },
  pauseTarget: {
    method: 'post',
    path: '/targets/:id/pause',
    tag: 'targets',
    summary: 'Pause provisioning to a target',
    body: emptyBodySchema,
    status: 200,
    response: targetSchema,
  },
  resumeTarget: {
    method: 'post',
    path: '/targets/:id/resume',
    tag: 'targets',
    summary: 'Resume provisioning (clears pausedReason)',
    body: emptyBodySchema,
    status: 200,
    response: targetSchema,
  },
  getMapping: {
    method: 'get',
    path: '/targets/:id/mapping',
    tag: 'targets',
    summary: "Read a target's attribute mapping",
    status: 200,
    response: mappingSchema,
  },
  putMapping: {
    method: 'put',
    path: '/targets/:id/mapping',
    tag: 'targets',
    summary: "Replace a target's attribute mapping",
    body: mappingBodySchema,
    status: 200,
    response: mappingSchema,
  },
  listTargetRoles: {
    method: 'get',
    path: '/targets/:id/roles',
    tag: 'targets',
    summary: "The roles (Drupal, WordPress) or user groups (Joomla) a CMS target's site offers, for the role map",
    status: 200,
    response: targetRolesSchema,
  },
  previewTargetScope: {
    method: 'post',
    path: '/targets/:id/scope/preview',
    tag: 'targets',
    summary:
      'What applying a scope would do (nothing is saved): exact counts, and the users it would create and deactivate (first `limit` of each, by userName); needsApproval when the creations exceed the creation threshold',
    query: scopePreviewQuerySchema,
    body: scopePreviewRequestSchema,
    status: 200,
    response: scopePreviewSchema,
  },
  listTargetOverrides: {
    method: 'get',
    path: '/targets/:id/overrides',
    tag: 'targets',
    summary: 'Per-user overrides of the target\'s scope ("always" / "never" provision), by userName',
    status: 200,
    response: z.object({ items: z.array(overrideItemSchema) }),
  },
  putTargetOverride: {
    method: 'put',
    path: '/targets/:id/overrides/:userId',
    tag: 'targets',
    summary: 'Set ("always" / "never") or clear (null) a user\'s override of the target\'s scope; the user is re-evaluated on the target',
    body: overrideUpdateSchema,
    status: 200,
    response: z.object({ userId: z.string(), override: overrideItemSchema.shape.override.nullable() }),
  },
  approveTarget: {
    method: 'post',
    path: '/targets/:id/approve',
    tag: 'outbox',
    summary: "Approve all of a target's held deletions and creations (the creation guard then stands down for the window and the full pass in progress)",
    body: emptyBodySchema,
    status: 200,
    response: countSchema,
  },

  listOutbox: {
    method: 'get',
    path: '/outbox',
    tag: 'outbox',
    summary: 'List outbox rows, newest first',
    query: outboxQuerySchema,
    status: 200,
    response: pageSchema(outboxItemSchema),
  },
  listDeadLetters: {
    method: 'get',
    path: '/outbox/dead-letters',
    tag: 'outbox',
    summary: 'List work-queue messages set aside in the dead-letter queue, with the error, newest first',
    query: deadLetterQuerySchema,
    status: 200,
    response: pageSchema(auditEventSchema),
  },
  retryOutbox: {
    method: 'post',
    path: '/outbox/retry',
    tag: 'outbox',
    summary: 'Retry failed and dead rows now (optionally one target, one state)',
    body: retryBodySchema,
    status: 200,
    response: countSchema,
  },
  retryOutboxItem: {
    method: 'post',
    path: '/outbox/:id/retry',
    tag: 'outbox',
    summary: 'Retry one failed, dead or waiting row now',
    body: emptyBodySchema,
    status: 200,
    response: outboxItemSchema,
  },
  approveOutboxItem: {
    method: 'post',
    path: '/outbox/:id/approve',
    tag: 'outbox',
    summary: 'Approve one held deletion or creation',
    body: emptyBodySchema,
    status: 200,
    response: outboxItemSchema,
  },

  listRuns: {
    method: 'get',
    path: '/runs',
    tag: 'logs',
    summary: 'List dispatcher runs, newest first',
    query: runsQuerySchema,
    status: 200,
    response: pageSchema(runSchema),
  },
  listAudit: {
    method: 'get',
    path: '/audit',
    tag: 'logs',
    summary: 'List audit events, newest first',
    query: auditQuerySchema,
    status: 200,
    response: pageSchema(auditEventSchema),
  },

  searchUsers: {
    method: 'get',
    path: '/users',
    tag: 'users',
    summary: 'Search the directory by userName, email, externalId or a prefix (q)',
    query: userSearchQuerySchema,
    status: 200,
    response: z.object({ items: z.array(userSummarySchema.extend({ links: z.array(linkSchema) })) }),
  },
  searchGroups: {
    method: 'get',
    path: '/groups',
    tag: 'users',
    summary: 'List directory groups by a displayName prefix or an exact id or externalId (q), with their direct member counts: the scope picker',
    query: groupSearchQuerySchema,
    status: 200,
    response: groupListSchema,
  },
  lookupUsers: {
    method: 'post',
    path: '/users/lookup',
    tag: 'users',
    summary: 'Find many users at once (a whole People page) with their per-target link states',
    body: lookupBodySchema,
    status: 200,
    response: lookupResponseSchema,
  },
  provisionUser: {
    method: 'post',
    path: '/users/:id/provision',
    tag: 'users',
    summary: 'Provision a user now (manual mode), to named targets or every target with manual mode on; a step trace per target',
    body: z.strictObject({ targetIds: z.array(z.string().min(1)).max(50).optional() }),
    status: 200,
    response: z.object({ userId: z.string(), results: z.array(provisionResultSchema) }),
  },
  testTarget: {
    method: 'post',
    path: '/targets/:id/test',
    tag: 'targets',
    summary: "Save and test: read the target's ServiceProviderConfig, try the matching filter; capabilities are cached",
    body: z.strictObject({ existingUserName: z.string().min(1).optional() }),
    status: 200,
    response: z.object({ ok: z.boolean(), steps: z.array(stepSchema), capabilities: capabilitiesSchema.optional(), problems: z.array(z.string()) }),
  },
  previewTarget: {
    method: 'post',
    path: '/targets/:id/preview',
    tag: 'targets',
    summary: 'The exact payload the target would get for a user',
    // An inline `user` (what an admin page shows) previews what the popup would send for a user
    // the directory does not have yet.
    body: z
      .strictObject({
        userId: z.string().min(1).optional(),
        user: pageUserRequestSchema.optional(),
        phase: z.enum(['create', 'update']).default('create'),
        /** preview an edited mapping before saving it (the console's live preview) */
        mapping: z.array(mappingRuleSchema).max(200).optional(),
      })
      .refine((b) => (b.userId === undefined) !== (b.user === undefined), {
        message: 'give either userId or user',
        path: ['userId'],
        // reported beside the other fields' issues, not only once they all parse
        when: (p) => typeof p.value === 'object' && p.value !== null,
      }),
    status: 200,
    // `site`: what a CMS target's site receives (its connector's translation), null for a SCIM target
    response: z.object({
      payload: anyJson,
      cleared: z.array(z.string()),
      site: z.object({ method: z.enum(['POST', 'PATCH']), path: z.string(), body: anyJson }).nullable(),
    }),
  },
  syncTarget: {
    method: 'post',
    path: '/targets/:id/sync',
    tag: 'targets',
    summary: '"Sync all": a full pass over the directory (every user, and every group with group push); the target\'s runs carry it out',
    status: 200,
    response: targetSyncSchema,
  },
  getTargetSync: {
    method: 'get',
    path: '/targets/:id/sync',
    tag: 'targets',
    summary:
      "Where the target stands: its full pass (done / total, ETA), its watermark against the change feed, the deletion threshold's window and held count",
    status: 200,
    response: targetSyncSchema,
  },
  planTarget: {
    method: 'get',
    path: '/targets/:id/plan',
    tag: 'targets',
    summary: "The operations the target's next run would do, sending nothing: the next 200 waiting rows (50 on the Free plan)",
    query: z.strictObject({ mode: z.enum(['automatic', 'scheduled']).default('scheduled') }),
    status: 200,
    response: planResponseSchema,
  },
  runTarget: {
    method: 'post',
    path: '/targets/:id/run',
    tag: 'targets',
    summary: "Run the target's queue now, whatever its schedule",
    body: z.strictObject({ mode: z.enum(['automatic', 'scheduled']).default('scheduled') }),
    status: 200,
    response: z.object({
      runId: z.string().nullable(),
      targetId: z.string(),
      counts: z.record(z.string(), z.number()),
      drained: z.boolean(),
      caughtUp: z.boolean().optional(),
    }),
  },
  startReconcile: {
    method: 'post',
    path: '/targets/:id/reconcile',
    tag: 'targets',
    summary: 'Start (or continue) a reconcile: read the target, record drift, queue its repair; the cron continues a run that needs more than one invocation',
    body: reconcileStartSchema,
    status: 200,
    response: reconcileStatusSchema,
  },
  getReconcile: {
    method: 'get',
    path: '/targets/:id/reconcile',
    tag: 'targets',
    summary: "A target's reconcile: progress, the last report (drift found, fixed, unrepaired per kind) and the schedule",
    status: 200,
    response: reconcileStatusSchema,
  },
  putReconcileSchedule: {
    method: 'put',
    path: '/targets/:id/reconcile/schedule',
    tag: 'targets',
    summary: 'Set the minutes between scheduled reconcile runs (default 1440; 0 turns the schedule off)',
    body: reconcileScheduleSchema,
    status: 200,
    response: reconcileStatusSchema,
  },
  upsertUser: {
    method: 'post',
    path: '/users',
    tag: 'users',
    summary: 'Create or update the directory user of this userName from what an admin page shows (changes are provisioned like any other)',
    body: pageUserRequestSchema,
    status: 200,
    response: z.object({ outcome: z.enum(['created', 'updated', 'unchanged']), user: userSummarySchema }),
  },
  listTokens: {
    method: 'get',
    path: '/tokens',
    tag: 'tokens',
    summary: 'List API tokens (never their secrets)',
    status: 200,
    response: z.object({ items: z.array(tokenSchema) }),
  },
  createToken: {
    method: 'post',
    path: '/tokens',
    tag: 'tokens',
    summary: 'Create a token; its secret is in this response only',
    body: tokenCreateSchema,
    status: 201,
    response: tokenCreatedSchema,
  },
  revokeToken: {
    method: 'delete',
    path: '/tokens/:id',
    tag: 'tokens',
    summary: 'Revoke a token (effective on its next request)',
    status: 200,
    response: tokenSchema,
  },
  userStatus: {
    method: 'get',
    path: '/users/:id/status',
    tag: 'users',
    summary: "A user's link state on every target and latest audit events",
    status: 200,
    response: userStatusSchema,
  },

  listSources: {
    method: 'get',
    path: '/sources',
    tag: 'sources',
    summary: 'List sources (systems people are imported from)',
    status: 200,
    response: z.object({ items: z.array(sourceSchema) }),
  },
  createSource: {
    method: 'post',
    path: '/sources',
    tag: 'sources',
    summary: 'Create a source (credentials are stored encrypted, never returned)',
    body: sourceCreateSchema,
    status: 201,
    response: sourceSchema,
  },
  getSource: { method: 'get', path: '/sources/:id', tag: 'sources', summary: 'Read a source', status: 200, response: sourceSchema },
  updateSource: {
    method: 'patch',
    path: '/sources/:id',
    tag: 'sources',
    summary:
      'Change a source by JSON merge patch (RFC 7396): settings keep what the patch leaves out, null restores a default; a new base URL or credentials start the import over; status "active" clears pausedReason',
    body: sourceUpdateSchema,
    mergePatch: true,
    status: 200,
    response: sourceSchema,
  },
  deleteSource: {
    method: 'delete',
    path: '/sources/:id',
    tag: 'sources',
    summary: 'Delete a source with its links and runs (directory users stay)',
    status: 204,
  },
  testSource: {
    method: 'post',
    path: '/sources/:id/test',
    tag: 'sources',
    summary: 'Save and test: reachable, JSON:API on, the account sees mail, blocked users and roles; what to fix',
    body: emptyBodySchema,
    status: 200,
    response: sourceTestResultSchema,
  },
  runSource: {
    method: 'post',
    path: '/sources/:id/run',
    tag: 'sources',
    summary: 'Run an import now (or continue the one in progress) within one invocation budget; the cron continues it',
    body: runImportBodySchema,
    status: 200,
    response: importSummarySchema,
  },
  listImportRuns: {
    method: 'get',
    path: '/sources/:id/runs',
    tag: 'sources',
    summary: "A source's import runs, newest first",
    status: 200,
    response: z.object({ items: z.array(importRunSchema) }),
  },
  approveImportRun: {
    method: 'post',
    path: '/sources/:id/runs/:runId/approve',
    tag: 'sources',
    summary: 'Approve a held reconciliation: deactivate (or delete) the users gone from the source',
    body: emptyBodySchema,
    status: 200,
    response: importSummarySchema,
  },
  importSourceUser: {
    method: 'post',
    path: '/sources/:id/users/:uid/import',
    tag: 'sources',
    summary: 'Re-import one account now (Drupal uid, or SCIM id): the directory user and what changed',
    body: emptyBodySchema,
    status: 200,
    response: singleImportResultSchema,
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;
