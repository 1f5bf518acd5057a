/**
 * Targets (downstream SCIM apps) as the admin API and the extension console see them. The
 * worker validates with these schemas; the extension builds its forms from them.
 */
import { z } from 'zod';
import { baseUrlSchema, storedBaseUrlSchema } from './base-url';
import { ALL_SCOPE, scopeSchema } from './scope';
import { isCmsKind, kindIssues, parseKindOptions, targetOptionsInputSchema, targetOptionsSchema, type TargetOptions } from './target-kinds';

/**
 * `scim`: any SCIM 2.0 service provider; `drupal-jsonapi`: a Drupal site through core JSON:API;
 * `wordpress-rest`: a WordPress site through the core REST API; `joomla-webservices`: a Joomla
 * 4/5 site through the core Web Services API.
 */
export const TARGET_KINDS = ['scim', 'drupal-jsonapi', 'wordpress-rest', 'joomla-webservices'] as const;
export const targetKindSchema = z.enum(TARGET_KINDS);
export type TargetKind = z.infer<typeof targetKindSchema>;

export const OPERATIONS = ['create', 'update', 'deactivate', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * The operations a mode may perform (miniOrange admins enable them one by one). Request objects
 * are strict, here and below: a misspelt key is refused by name instead of ignored.
 */
export const operationsSchema = z.strictObject({
  create: z.boolean().default(true),
  update: z.boolean().default(true),
  deactivate: z.boolean().default(true),
  /** off by default: deactivate, never destroy, unless the admin says so */
  delete: z.boolean().default(false),
});
export type Operations = z.infer<typeof operationsSchema>;

const defaultOps = { create: true, update: true, deactivate: true, delete: false };

export const modeSchema = z.strictObject({ enabled: z.boolean().default(false), operations: operationsSchema.default(defaultOps) });
export const scheduledModeSchema = modeSchema.extend({ intervalMinutes: z.number().int().min(1).max(10_080).default(60) });

export const modesSchema = z.strictObject({
  manual: modeSchema.default({ enabled: true, operations: defaultOps }),
  automatic: modeSchema.default({ enabled: false, operations: defaultOps }),
  scheduled: scheduledModeSchema.default({ enabled: false, operations: defaultOps, intervalMinutes: 60 }),
});
export type Modes = z.infer<typeof modesSchema>;
export type ModeName = keyof Modes;

export const TRANSFORMS = ['lower', 'upper', 'trim'] as const;

/**
 * One attribute of the payload a target receives: from a directory attribute (SCIM path), a
 * constant, or a template like "{name.givenName}.{name.familyName}@example.com".
 */
export const mappingRuleSchema = z
  .strictObject({
    target: z.string().min(1).max(512),
    source: z.string().min(1).max(512).optional(),
    constant: z.union([z.string(), z.number(), z.boolean()]).optional(),
    template: z.string().min(1).max(1024).optional(),
    transforms: z.array(z.enum(TRANSFORMS)).default([]),
    /** used when the source or template yields nothing */
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** "create": only sent when the account is created */
    when: z.enum(['always', 'create']).default('always'),
    /** when the source value is removed, clear it on the target too */
    clearWhenMissing: z.boolean().default(true),
  })
  .refine((r) => [r.source, r.constant, r.template].filter((v) => v !== undefined).length === 1, {
    message: 'a rule takes exactly one of source, constant or template',
  });
export type MappingRule = z.infer<typeof mappingRuleSchema>;

const fields = {
  name: z.string().trim().min(1).max(200),
  baseUrl: baseUrlSchema,
  /** write-only: stored encrypted, never returned */
  token: z.string().min(1).max(8192),
  matching: z.array(z.string().min(1).max(512)).min(1).max(5),
  modes: modesSchema,
  mapping: z.array(mappingRuleSchema).max(200),
  rateLimitPerSecond: z.number().int().min(1).max(1000),
  concurrency: z.number().int().min(1).max(6),
  deletionThreshold: z.number().int().min(0).max(1_000_000),
  dryRun: z.boolean(),
  pushGroups: z.boolean(),
  /** the deletion threshold counts deactivations and deletions over this sliding window */
  deletionWindowMinutes: z.number().int().min(1).max(10_080),
  /** accounts the relay never updates, deactivates or deletes: userNames or remote ids (Drupal: uuid or uid) */
  protectedAccounts: z.array(z.string().trim().min(1).max(512)).max(100),
  /** who the target receives (issue #13): everyone, members of chosen groups, or a SCIM filter */
  scope: scopeSchema,
  /** the mass-creation guard: more creations than this within the window wait for approval; 0 turns it off */
  creationThreshold: z.number().int().min(0).max(1_000_000),
};

export const targetCreateSchema = z
  .strictObject({
    name: fields.name,
    kind: targetKindSchema.default('scim'),
    /** for SCIM the base URL ends in /scim/v2; for Drupal it is the site's address (JSON:API under options.jsonapiPath) */
    baseUrl: fields.baseUrl,
    token: fields.token,
    /** default: ["userName"]; for Drupal ["userName", "emails[type eq \"work\"].value"] (name, then mail) */
    matching: fields.matching.optional(),
    /** settings of the kind (drupal-jsonapi, wordpress-rest, joomla-webservices), parsed by the kind's schema */
    options: targetOptionsInputSchema.optional(),
    modes: fields.modes.default(modesSchema.parse({})),
    mapping: fields.mapping.optional(),
    rateLimitPerSecond: fields.rateLimitPerSecond.default(10),
    concurrency: fields.concurrency.default(4),
    deletionThreshold: fields.deletionThreshold.default(10),
    dryRun: fields.dryRun.default(false),
    pushGroups: fields.pushGroups.default(false),
    deletionWindowMinutes: fields.deletionWindowMinutes.default(60),
    protectedAccounts: fields.protectedAccounts.default([]),
    scope: fields.scope.default(ALL_SCOPE),
    creationThreshold: fields.creationThreshold.default(100),
    /** "paused": created without provisioning anything until resumed (no initial sync) */
    status: z.enum(['active', 'paused']).default('active'),
    /**
     * Start with a full pass over the directory (default). false: only what changes from now on
     * reaches the target. Never in dry-run or when created paused.
     */
    initialSync: z.boolean().default(true),
  })
  .transform((t, ctx) => {
    if (t.kind === 'scim') {
      if (t.options !== undefined)
        ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a CMS target (drupal-jsonapi, wordpress-rest, joomla-webservices) takes options' });
      return { ...t, options: undefined };
    }
    if (!isCmsKind(t.kind)) return { ...t, options: undefined };
    const parsed = parseKindOptions(t.kind, t.options);
    if (!parsed.ok) for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', ...issue });
    // The other fields are checked against the kind's defaults when the options themselves are wrong: every problem at once.
    const options = parsed.ok ? parsed.options : (parseKindOptions(t.kind, {}) as { ok: true; options: TargetOptions }).options;
    for (const issue of kindIssues(t.kind, { token: t.token, matching: t.matching, mapping: t.mapping, options })) ctx.addIssue({ code: 'custom', ...issue });
    return parsed.ok ? { ...t, options } : z.NEVER;
  });
export type TargetCreate = z.infer<typeof targetCreateSchema>;

/**
 * The members PATCH may change. The body is a JSON merge patch (RFC 7396) of these: the API merges
 * it into the stored target and validates the result with this schema, so nested settings keep
 * what the patch leaves out (worker/src/api/merge-patch.ts).
 */
export const targetUpdateSchema = z
  .strictObject({
    name: fields.name,
    baseUrl: fields.baseUrl,
    token: fields.token,
    matching: fields.matching,
    modes: fields.modes,
    mapping: fields.mapping,
    rateLimitPerSecond: fields.rateLimitPerSecond,
    concurrency: fields.concurrency,
    deletionThreshold: fields.deletionThreshold,
    dryRun: fields.dryRun,
    pushGroups: fields.pushGroups,
    deletionWindowMinutes: fields.deletionWindowMinutes,
    protectedAccounts: fields.protectedAccounts,
    /** null: back to every user; a scope of another kind replaces the stored one whole (worker/src/api/targets.ts) */
    scope: fields.scope.default(ALL_SCOPE),
    creationThreshold: fields.creationThreshold,
    status: z.enum(['active', 'paused']),
    /** CMS kinds only: merged into the stored options, then parsed by the kind's schema (the kind itself cannot change) */
    options: targetOptionsInputSchema,
  })
  .partial();
export type TargetUpdate = z.infer<typeof targetUpdateSchema>;

export const capabilitiesSchema = z.object({
  patch: z.boolean(),
  bulk: z.boolean(),
  bulkMaxOperations: z.number().int().nullable(),
  filter: z.boolean(),
  etag: z.boolean(),
  checkedAt: z.string(),
});
export type Capabilities = z.infer<typeof capabilitiesSchema>;

/**
 * A full pass over the directory (initial sync, "Sync all"), as stored: users, then groups (with
 * group push), enqueued in keyset pages across invocations. `seq` is the head of the change feed
 * when it started; `enqueued` of `total` resources are in the outbox.
 */
export const syncStateSchema = z.object({
  reason: z.enum(['initial', 'on_demand', 'mapping_changed', 'scope_changed']),
  phase: z.enum(['users', 'groups', 'done']),
  afterPk: z.number().int(),
  seq: z.number().int(),
  total: z.number().int(),
  enqueued: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type SyncState = z.infer<typeof syncStateSchema>;

/** A target as the admin API returns it: no token, ever. */
export const targetSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: targetKindSchema,
  baseUrl: storedBaseUrlSchema,
  hasToken: z.boolean(),
  matching: z.array(z.string()),
  modes: modesSchema,
  mapping: z.array(mappingRuleSchema),
  rateLimitPerSecond: z.number(),
  concurrency: z.number(),
  deletionThreshold: z.number(),
  dryRun: z.boolean(),
  pushGroups: z.boolean(),
  status: z.enum(['active', 'paused']),
  pausedReason: z.string().nullable(),
  capabilities: capabilitiesSchema.nullable(),
  /** the kind's settings; null for SCIM targets */
  options: targetOptionsSchema.nullable().default(null),
  /** when the scheduled mode last ran for this target */
  lastScheduledAt: z.string().nullable().optional(),
  /** the last change-feed seq planned for this target: older than the head while paused or behind */
  watermark: z.number().int().default(0),
  /** the latest full pass over the directory (initial sync, "Sync all"); null when there was none */
  sync: syncStateSchema.nullable().default(null),
  deletionWindowMinutes: z.number().int().default(60),
  protectedAccounts: z.array(z.string()).default([]),
  scope: scopeSchema.default(ALL_SCOPE),
  creationThreshold: z.number().int().default(100),
  /** when an admin last approved held creations (the guard stands down for the window and the pass in progress) */
  creationsApprovedAt: z.string().nullable().default(null),
  created: z.string(),
  updated: z.string(),
});
export type Target = z.infer<typeof targetSchema>;
