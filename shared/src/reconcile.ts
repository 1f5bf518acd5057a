/**
 * Reconcile (issue #9 item 4) as the admin API shows it: the run in progress or the last one,
 * with drift found, fixed and left unrepaired per kind, and the target's schedule.
 */
import { z } from 'zod';

/**
 * What drifted on the target:
 * - `deleted`: a linked account is gone from the target (recreated by sync)
 * - `attributes`: mapped attributes were edited on the target (restored by sync)
 * - `deactivated`: an account that should be active is deactivated / blocked on the target
 * - `members`: a linked group's members differ on the target (SCIM)
 * - `roles`: a mapped role is missing on, or was added to, linked accounts (Drupal)
 * - `groupDeleted`: a linked group is gone from the target (recreated by sync)
 */
export const DRIFT_KINDS = ['deleted', 'attributes', 'deactivated', 'members', 'roles', 'groupDeleted'] as const;
export const driftKindSchema = z.enum(DRIFT_KINDS);
export type DriftKind = z.infer<typeof driftKindSchema>;

/** users → verify (GET by id for linked ids the listing missed) → groups → repair → done */
export const RECONCILE_PHASES = ['users', 'verify', 'groups', 'repair', 'done', 'failed'] as const;
export type ReconcilePhase = (typeof RECONCILE_PHASES)[number];

const perKind = z.record(z.string(), z.number().int());

export const reconcileStateSchema = z.object({
  runId: z.string(),
  phase: z.enum(RECONCILE_PHASES),
  /** where the phase resumes: a SCIM startIndex, a Drupal next-page path, or the last resource id verified */
  cursor: z.string().nullable(),
  /** who started it */
  trigger: z.enum(['manual', 'scheduled']),
  /** 'paged': the target's listing is read; 'by-id': it refused to list, so each linked account and group is read by id */
  listing: z.enum(['paged', 'by-id']).default('paged'),
  /** SCIM page size for /Users (from the target's filter.maxResults, else 100) */
  pageSize: z.number().int().positive().nullable().default(null),
  counts: z.object({
    /** requests sent to the target by this run */
    requests: z.number().int(),
    /** remote users and groups read */
    users: z.number().int(),
    groups: z.number().int(),
    /** remote users the relay did not create or link: counted, never touched */
    unlinked: z.number().int(),
    invocations: z.number().int(),
    /** transient read failures in a row; the run fails after too many */
    retries: z.number().int(),
  }),
  found: perKind,
  /** drift whose repair the target's modes allow: queued for the sync engine */
  queued: perKind,
  /** drift whose repair needs an operation the target's modes do not allow */
  unrepaired: perKind,
  /** queued drift the sync engine has since repaired (link in sync, nothing left queued) */
  fixed: perKind,
  /** the sync mode repairs go through ('automatic' or 'scheduled'), null when neither is on */
  repairMode: z.enum(['automatic', 'scheduled']).nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** the last failure: transient ones are retried at the next invocation; a fatal one ends the run */
  error: z.string().nullable(),
  /** an invocation is working on the run until then (one worker per target) */
  leaseUntil: z.string().nullable().default(null),
});
export type ReconcileState = z.infer<typeof reconcileStateSchema>;

export const driftItemSchema = z.object({
  resourceType: z.enum(['User', 'Group']),
  resourceId: z.string(),
  kind: driftKindSchema,
  detail: z.string().nullable(),
  repairable: z.boolean(),
});
export type DriftItem = z.infer<typeof driftItemSchema>;

export const reconcileStatusSchema = z.object({
  targetId: z.string(),
  intervalMinutes: z.number().int(),
  lastReconcileAt: z.string().nullable(),
  /** when the schedule next starts a run (null: schedule off) */
  nextDueAt: z.string().nullable(),
  state: reconcileStateSchema.nullable(),
  /** the run's drift, first 100 */
  drift: z.array(driftItemSchema),
});
export type ReconcileStatus = z.infer<typeof reconcileStatusSchema>;

export const reconcileScheduleSchema = z.strictObject({
  /** minutes between scheduled runs; 0 turns the schedule off */
  intervalMinutes: z.number().int().min(0).max(525_600),
});
export const reconcileStartSchema = z.strictObject({
  /** abandon the run in progress and start over */
  restart: z.boolean().default(false),
});
