/**
 * Requests and responses of the admin API that are not targets (targets.ts). The
 * routes validate with these and the OpenAPI document is generated from them.
 */
import { z } from 'zod';
import { hasUserinfo } from './base-url';
import { linkSchema, outboxStateSchema } from './provisioning';
import { mappingRuleSchema } from './targets';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Keyset paging, newest first: `cursor` is the `nextCursor` of the previous page, opaque. */
const limit = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE);
const NOT_A_CURSOR = 'not a cursor this list returned';
const idCursor = z
  .string()
  .regex(/^\d{1,15}$/, NOT_A_CURSOR)
  .optional();
const runCursor = z
  .string()
  .max(200)
  .regex(/^[^|]+\|.+$/, NOT_A_CURSOR)
  .optional();
const targetId = z.string().min(1).optional();

// Requests are strict objects: an unknown key or query parameter (a misspelt `targetID`, a
// `filter` this API does not have) is refused by name instead of silently ignored.
export const outboxQuerySchema = z.strictObject({ state: outboxStateSchema.optional(), targetId, limit, cursor: idCursor });
export const runsQuerySchema = z.strictObject({ targetId, limit, cursor: runCursor });
export const auditQuerySchema = z.strictObject({ targetId, resourceId: z.string().min(1).optional(), limit, cursor: idCursor });
/** Dead letters: work messages the queue consumer gave up on (audit events of operation "dead_letter"). */
export const deadLetterQuerySchema = z.strictObject({ targetId, limit, cursor: idCursor });

export const retryBodySchema = z.strictObject({ targetId: z.string().min(1).optional(), state: z.enum(['failed', 'dead']).optional() });
export const mappingBodySchema = z.strictObject({ mapping: z.array(mappingRuleSchema).max(200) });
/** The body of an action that takes no input: nothing, or `{}`. */
export const emptyBodySchema = z.strictObject({});

export const outboxItemSchema = z.object({
  id: z.number().int(),
  targetId: z.string(),
  resourceType: z.enum(['User', 'Group']),
  resourceId: z.string(),
  state: outboxStateSchema,
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  leaseUntil: z.string().nullable(),
  lastError: z.string().nullable(),
  approved: z.boolean(),
  /** held by the creation threshold (it would create an account), not the deletion threshold (issue #13) */
  creates: z.boolean().default(false),
  enqueuedAt: z.string(),
  updatedAt: z.string(),
});
export type OutboxItem = z.infer<typeof outboxItemSchema>;

export const runSchema = z.object({
  id: z.string(),
  targetId: z.string(),
  mode: z.enum(['manual', 'automatic', 'scheduled']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
  status: z.enum(['running', 'done', 'failed']),
});
export type Run = z.infer<typeof runSchema>;

export const auditEventSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  targetId: z.string(),
  runId: z.string().nullable(),
  resourceType: z.string().nullable(),
  resourceId: z.string().nullable(),
  operation: z.string(),
  method: z.string().nullable(),
  path: z.string().nullable(),
  httpStatus: z.number().int().nullable(),
  durationMs: z.number().nullable(),
  outcome: z.string(),
  error: z.string().nullable(),
  attributesChanged: z.array(z.string()).nullable(),
  dryRun: z.boolean(),
});
export type AuditEventView = z.infer<typeof auditEventSchema>;

export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const countSchema = z.object({ count: z.number().int() });

/* ───────────────────────── directory views ───────────────────────── */

export const userSummarySchema = z.object({
  id: z.string(),
  userName: z.string(),
  displayName: z.string().nullable(),
  active: z.boolean(),
  /** email addresses, the primary one first */
  emails: z.array(z.string()),
  externalId: z.string().nullable(),
});
export type UserSummary = z.infer<typeof userSummarySchema>;

export const userSearchQuerySchema = z.strictObject({
  /** exact, case-insensitive */
  userName: z.string().min(1).max(512).optional(),
  /** exact, case-insensitive, any of the user's emails */
  email: z.string().min(1).max(512).optional(),
  /** exact, case-sensitive */
  externalId: z.string().min(1).max(512).optional(),
  /** prefix of userName or of an email, or an exact externalId or id: the extension's search box */
  q: z.string().trim().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});
export type UserSearch = z.infer<typeof userSearchQuerySchema>;

export const MAX_LOOKUP_KEYS = 500;

const keys = z.array(z.string().min(1).max(512)).max(MAX_LOOKUP_KEYS);
export const MAX_LOOKUP_UIDS = 200;

/**
 * A site's address as the relay compares it: origin plus base path, no trailing slash, no query
 * ("https://x.org/drupal/" → "https://x.org/drupal"). Sources and Drupal targets store theirs so.
 */
export function normalizeSiteUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)([^?#]*)/i.exec(url.trim());
  if (!m) return url.trim().replace(/\/+$/, '');
  const host = m[2]!
    .toLowerCase()
    .replace(/:(80)$/, m[1]!.toLowerCase() === 'http' ? '' : ':$1')
    .replace(/:(443)$/, m[1]!.toLowerCase() === 'https' ? '' : ':$1');
  return `${m[1]!.toLowerCase()}://${host}${m[3]!.replace(/\/+$/, '')}`;
}

export const lookupBodySchema = z
  .strictObject({
    userNames: keys.optional(),
    emails: keys.optional(),
    externalIds: keys.optional(),
    ids: keys.optional(),
    /** the site a page belongs to (origin + base path, e.g. "https://x.org/drupal"): resolves `uids` */
    site: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
      .refine((u) => !hasUserinfo(u), 'must not carry a user name or password (user:pass@)')
      .transform(normalizeSiteUrl)
      .optional(),
    /** Drupal uids shown on the page, resolved through the site's sources and Drupal targets */
    uids: z.array(z.string().min(1).max(64)).max(MAX_LOOKUP_UIDS).optional(),
  })
  .refine((b) => (b.userNames?.length ?? 0) + (b.emails?.length ?? 0) + (b.externalIds?.length ?? 0) + (b.ids?.length ?? 0) <= MAX_LOOKUP_KEYS, {
    message: `at most ${MAX_LOOKUP_KEYS} keys in all`,
  })
  .refine((b) => b.uids === undefined || b.uids.length === 0 || b.site !== undefined, {
    message: 'uids need the site they belong to',
    path: ['site'],
    when: (p) => typeof p.value === 'object' && p.value !== null,
  });
export type LookupRequest = z.infer<typeof lookupBodySchema>;

export const userStatusSchema = z.object({
  user: userSummarySchema,
  /** one per target, 'never' where the user has no link yet */
  links: z.array(linkSchema),
  /** the user's latest audit events, newest first */
  events: z.array(auditEventSchema),
  /** deleted from the directory; kept (a tombstone) while a target has not settled it */
  deleted: z.boolean().optional(),
});

export const lookupHitSchema = z.object({ user: userSummarySchema, links: z.array(linkSchema) });
export type LookupHit = z.infer<typeof lookupHitSchema>;

/** Each given key → its user and link states, or null when no user matches. */
const hits = z.record(z.string(), lookupHitSchema.nullable());
const siteRef = z.object({ id: z.string(), name: z.string(), kind: z.string() });
export const lookupResponseSchema = z.object({
  /** every target, with what the People page's banner shows: why it is paused, what it holds for approval */
  targets: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: z.enum(['active', 'paused']),
      pausedReason: z.string().nullable().default(null),
      /** operations held for approval: deactivations and deletions (deletion threshold) and creations (creation threshold) */
      held: z.number().int().default(0),
      /** of `held`, the account creations held by the creation threshold (issue #13) */
      heldCreations: z.number().int().default(0),
    }),
  ),
  userNames: hits,
  emails: hits,
  externalIds: hits,
  ids: hits,
  /** each given uid → its user (through the site's sources' links, then its Drupal targets' links), or null; {} without uids */
  uids: hits,
  /** the sources and targets whose base URL is the given site (empty lists without a site) */
  site: z.object({ sources: z.array(siteRef), targets: z.array(siteRef) }),
});
export type LookupResponse = z.infer<typeof lookupResponseSchema>;

/** GET /targets/{id}/plan: every operation the target's next run would do, sending nothing. */
export const planResponseSchema = z.object({
  targetId: z.string(),
  mode: z.string(),
  operations: z.array(
    z.object({ outboxId: z.number(), resourceType: z.string(), resourceId: z.string(), state: z.string(), action: z.string(), detail: z.string() }),
  ),
});
export type PlanResponse = z.infer<typeof planResponseSchema>;

/**
 * GET /targets/{id}/sync: where a target stands against the directory (issue #9) — its full pass
 * (initial sync, "Sync all") with done / total and an ETA, how far behind the change feed it is,
 * and the deletion threshold's window.
 */
export const targetSyncSchema = z.object({
  targetId: z.string(),
  /** the last change planned for the target, and the newest change of the directory */
  watermark: z.number().int(),
  head: z.number().int(),
  /** rows of the target still to settle (pending, leased or held) */
  outstanding: z.number().int(),
  sync: z
    .object({
      reason: z.enum(['initial', 'on_demand', 'mapping_changed', 'scope_changed']),
      /** users / groups: still enqueuing; done: every resource enqueued */
      phase: z.enum(['users', 'groups', 'done']),
      total: z.number().int(),
      enqueued: z.number().int(),
      /** enqueued and settled (sent, unchanged, or failed with a reason) */
      done: z.number().int(),
      startedAt: z.string(),
      /** every resource enqueued and none outstanding */
      complete: z.boolean(),
      /** seconds left at the pace so far; null before the first resource settles or once complete */
      etaSeconds: z.number().nullable(),
    })
    .nullable(),
  deletions: z.object({
    threshold: z.number().int(),
    windowMinutes: z.number().int(),
    /** deactivations and deletions sent within the window */
    sentInWindow: z.number().int(),
    /** waiting to be sent (not held) */
    pending: z.number().int(),
    /** deactivations and deletions held for approval (creations held: `creations.held`) */
    held: z.number().int(),
  }),
  /** the mass-creation guard (issue #13), over the same window */
  creations: z
    .object({
      /** 0: no guard */
      threshold: z.number().int(),
      /** account creations sent within the window */
      sentInWindow: z.number().int(),
      /** creations waiting or held for approval */
      waiting: z.number().int(),
      /** an approval stands the guard down (for the window after it and the full pass it was given in) */
      standsDown: z.boolean(),
      /** account creations held for approval now (in `deletions.held`'s place for deletions) */
      held: z.number().int().default(0),
    })
    .optional(),
});
export type TargetSync = z.infer<typeof targetSyncSchema>;

/** GET /health: the relay's limits profile and how full its database is (the console's banner). */
export const healthSchema = z.object({
  limits: z.string(),
  database: z.object({
    /** the size D1 last reported; null when unknown */
    bytes: z.number().nullable(),
    limitBytes: z.number(),
    /** from this size on, the console warns that the database is filling */
    warnAtBytes: z.number(),
    /** from this size on, IdPs' creates and updates are refused with SCIM 507 and imports stop */
    fullAtBytes: z.number(),
    level: z.enum(['ok', 'filling', 'full']),
    /** level is "full" */
    nearlyFull: z.boolean(),
    /** what is happening and what to do, in words; null while the level is ok */
    warning: z.string().nullable(),
  }),
});
export type Health = z.infer<typeof healthSchema>;

/** "476 MB", "10,000 MB"; below 10 MB with one decimal ("0.4 MB"), so a small database is not "0 MB": the relay's warning and the console's banner write sizes alike. */
export const megabytes = (bytes: number) => `${(bytes / 1_000_000).toLocaleString('en-US', { maximumFractionDigits: bytes < 10_000_000 ? 1 : 0 })} MB`;
