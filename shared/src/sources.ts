/**
 * Sources: systems the relay imports people from (a Drupal site through core JSON:API, a
 * WordPress site through its core REST API, a Joomla 4/5 site through its core Web Services API,
 * or any SCIM 2.0 service provider). Shared by the admin API (validation, OpenAPI) and the extension.
 */
import { z } from 'zod';
import { userSummarySchema } from './api';
import { baseUrlSchema, storedBaseUrlSchema } from './base-url';

export const SOURCE_KINDS = ['drupal-jsonapi', 'scim', 'wordpress-rest', 'joomla-webservices'] as const;
export const sourceKindSchema = z.enum(SOURCE_KINDS);
export type SourceKind = z.infer<typeof sourceKindSchema>;

/** Write-only: stored encrypted, never returned (the API shows `credentials.type` only). */
export const sourceCredentialsSchema = z.discriminatedUnion('type', [
  /** HTTP Basic of an account allowed to administer users (Drupal core basic_auth; WordPress: an administrator's Application Password) */
  z.strictObject({ type: z.literal('basic'), username: z.string().min(1).max(512), password: z.string().min(1).max(8192) }),
  /** a bearer token (Drupal simple_oauth, a Joomla Super User's API token, or a SCIM server's token) */
  z.strictObject({ type: z.literal('bearer'), token: z.string().min(1).max(8192) }),
]);
export type SourceCredentials = z.infer<typeof sourceCredentialsSchema>;

/** Strict, like every request object: a misspelt key is refused by name instead of ignored. */
export const sourceSettingsSchema = z.strictObject({
  /** which accounts become directory users; others (and accounts that stop matching) are deactivated */
  include: z
    .strictObject({
      /** only accounts with at least one of these roles (Drupal machine names / SCIM group names); empty = all */
      roles: z.array(z.string().min(1).max(200)).max(100).default([]),
      /** only active (unblocked) accounts */
      activeOnly: z.boolean().default(false),
    })
    .default({ roles: [], activeOnly: false }),
  /** Drupal → directory. Defaults: name → userName, mail → work email, status → active, UUID → externalId, roles → groups */
  mapping: z
    .strictObject({
      userName: z.enum(['name', 'mail']).default('name'),
      /** the work email from `mail` (off: the directory's emails are left alone) */
      email: z.boolean().default(true),
      externalId: z.enum(['uuid', 'uid', 'none']).default('uuid'),
      /** roles become directory groups (one group per role, named by its machine name or by roleGroups) */
      roles: z.boolean().default(true),
      /** role machine name → group displayName; unlisted roles keep their machine name */
      roleGroups: z.record(z.string().min(1).max(200), z.string().min(1).max(200)).default({}),
    })
    .default({ userName: 'name', email: true, externalId: 'uuid', roles: true, roleGroups: {} }),
  schedule: z
    .strictObject({
      /** incremental import every N minutes (by the cron, whose own schedule is the floor) */
      intervalMinutes: z.number().int().min(1).max(10_080).default(15),
      /** full reconciliation (detects deleted accounts) every N hours */
      fullEveryHours: z.number().int().min(1).max(8_760).default(24),
    })
    .default({ intervalMinutes: 15, fullEveryHours: 24 }),
  /** an account deleted on the source: deactivate its directory user, or delete it */
  onDeleted: z.enum(['deactivate', 'delete']).default('deactivate'),
  /** a reconciliation that would remove more users than this is held for approval */
  deletionThreshold: z.number().int().min(0).max(1_000_000).default(10),
});
export type SourceSettings = z.infer<typeof sourceSettingsSchema>;

const baseUrl = baseUrlSchema;

export const sourceCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: sourceKindSchema,
  /** Drupal, WordPress, Joomla: the site's address (/jsonapi, /wp-json, /api/index.php are below it); SCIM: the base ending in /scim/v2 */
  baseUrl,
  credentials: sourceCredentialsSchema,
  settings: sourceSettingsSchema.default(sourceSettingsSchema.parse({})),
});
export type SourceCreate = z.infer<typeof sourceCreateSchema>;

/** A JSON merge patch (RFC 7396) of these members, merged into the stored source and validated whole. */
export const sourceUpdateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    baseUrl,
    credentials: sourceCredentialsSchema,
    /** merged member by member: what the patch leaves out is kept, null restores a default */
    settings: sourceSettingsSchema,
    /** 'active' clears pausedReason */
    status: z.enum(['active', 'paused']),
  })
  .partial();
export type SourceUpdate = z.infer<typeof sourceUpdateSchema>;

export const sourceSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: sourceKindSchema,
  baseUrl: storedBaseUrlSchema,
  credentials: z.object({ type: z.enum(['basic', 'bearer']) }),
  settings: sourceSettingsSchema,
  status: z.enum(['active', 'paused']),
  pausedReason: z.string().nullable(),
  /** the newest change already imported (Drupal `changed` in Unix seconds; SCIM meta.lastModified; WordPress and Joomla, which stamp no changes: when the last complete read started) */
  watermark: z.string().nullable(),
  /** a run is in progress and continues at the next cron */
  running: z.boolean(),
  /** the run in progress is stopped: the relay's database is nearly full (README "A nearly full database"); absent from older relays */
  stopped: z.boolean().default(false),
  lastRunAt: z.string().nullable(),
  lastFullAt: z.string().nullable(),
  lastError: z.string().nullable(),
  created: z.string(),
  updated: z.string(),
});
export type Source = z.infer<typeof sourceSchema>;

export const importCountsSchema = z.record(z.string(), z.number());

/** stopped: the relay's database is nearly full; the run resumes where it stopped once there is room */
export const IMPORT_RUN_STATUSES = ['running', 'done', 'failed', 'held', 'stopped'] as const;

export const importRunSchema = z.object({
  id: z.string(),
  sourceId: z.string(),
  kind: z.enum(['incremental', 'full', 'single']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: importCountsSchema,
  status: z.enum(IMPORT_RUN_STATUSES),
  error: z.string().nullable(),
});
export type ImportRun = z.infer<typeof importRunSchema>;

export const sourceTestStepSchema = z.object({ step: z.string(), ok: z.boolean(), detail: z.string() });
export const sourceTestResultSchema = z.object({
  ok: z.boolean(),
  steps: z.array(sourceTestStepSchema),
  /** what to fix, in words an admin can act on */
  problems: z.array(z.string()),
});
export type SourceTestResult = z.infer<typeof sourceTestResultSchema>;

export const runImportBodySchema = z.strictObject({ kind: z.enum(['incremental', 'full']).default('incremental') });

export const IMPORT_OUTCOMES = ['created', 'updated', 'unchanged', 'deactivated', 'deleted', 'skipped'] as const;
export const singleImportResultSchema = z.object({
  outcome: z.enum(IMPORT_OUTCOMES),
  /** the directory user after the import (null when deleted or never imported) */
  user: userSummarySchema.nullable(),
  /** directory attributes this import changed, e.g. ["active", "emails", "groups"] */
  changed: z.array(z.string()),
  /** why, when skipped or deactivated */
  detail: z.string().nullable(),
});
export type SingleImportResult = z.infer<typeof singleImportResultSchema>;
