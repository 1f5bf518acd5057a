/**
 * The D1 storage layout (docs/storage.md explains it). This file is the only source of
 * migrations/: change it, then `npm run db:generate -- --name verb_object`.
 *
 * Resources keep their whole SCIM body in `data` (JSON) and copy the attributes that get
 * filtered, sorted or must be unique into indexed columns; `*_lower` columns carry the
 * case-folded value for attributes whose caseExact is false. Multi-valued attributes
 * (emails, phoneNumbers, …) are mirrored one element per row in `user_values`, so
 * `emails[type eq "work" and value co "@x"]` is an indexed EXISTS over one element.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { IMPORT_RUN_STATUSES } from '../../../shared/src/sources';

export const users = sqliteTable(
  'users',
  {
    pk: integer('pk').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    userName: text('user_name').notNull(),
    userNameLower: text('user_name_lower').notNull(),
    externalId: text('external_id'),
    displayNameLower: text('display_name_lower'),
    givenNameLower: text('given_name_lower'),
    familyNameLower: text('family_name_lower'),
    active: integer('active', { mode: 'boolean' }),
    created: text('created').notNull(),
    lastModified: text('last_modified').notNull(),
    version: integer('version').notNull().default(1),
    data: text('data').notNull(),
  },
  (t) => [
    uniqueIndex('users_id_unique').on(t.id),
    uniqueIndex('users_user_name_lower_unique').on(t.userNameLower),
    index('users_external_id_idx').on(t.externalId),
    index('users_display_name_lower_idx').on(t.displayNameLower),
    index('users_given_name_lower_idx').on(t.givenNameLower),
    index('users_family_name_lower_idx').on(t.familyNameLower),
    index('users_created_idx').on(t.created),
    index('users_last_modified_idx').on(t.lastModified),
    // pks alone, in order: a list page deep in the directory (startIndex) walks these, not the rows (directory/reads.ts)
    index('users_pk_idx').on(t.pk),
  ],
);

/** One row per element of a user's multi-valued attribute (emails, phoneNumbers, ims, …). */
export const userValues = sqliteTable(
  'user_values',
  {
    userPk: integer('user_pk')
      .notNull()
      .references(() => users.pk, { onDelete: 'cascade' }),
    attr: text('attr').notNull(),
    type: text('type'),
    value: text('value'),
    valueLower: text('value_lower'),
    display: text('display'),
    primary: integer('primary', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('user_values_attr_value_idx').on(t.attr, t.valueLower), index('user_values_user_idx').on(t.userPk, t.attr)],
);

export const groups = sqliteTable(
  'groups',
  {
    pk: integer('pk').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    displayName: text('display_name').notNull(),
    displayNameLower: text('display_name_lower').notNull(),
    externalId: text('external_id'),
    created: text('created').notNull(),
    lastModified: text('last_modified').notNull(),
    version: integer('version').notNull().default(1),
    data: text('data').notNull(),
  },
  (t) => [
    uniqueIndex('groups_id_unique').on(t.id),
    // Entra ID matches groups by displayName (case-insensitively), so two groups of one name
    // break its matching: the name is unique, and a second one is 409 uniqueness.
    uniqueIndex('groups_display_name_lower_unique').on(t.displayNameLower),
    index('groups_external_id_idx').on(t.externalId),
    index('groups_created_idx').on(t.created),
    index('groups_last_modified_idx').on(t.lastModified),
    index('groups_pk_idx').on(t.pk),
  ],
);

/**
 * Membership as rows, never as a JSON array on the group: adding or removing one member of a
 * 50,000-member group is one indexed INSERT OR IGNORE / DELETE, idempotent by the primary key.
 */
export const groupMembers = sqliteTable(
  'group_members',
  {
    groupPk: integer('group_pk')
      .notNull()
      .references(() => groups.pk, { onDelete: 'cascade' }),
    memberId: text('member_id').notNull(),
    memberType: text('member_type', { enum: ['User', 'Group'] }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.groupPk, t.memberId] }),
    index('group_members_member_idx').on(t.memberId),
    // A nested group scope's closure steps from a group to its member groups: through the primary
    // key that reads every member of a 50,000-member group, so SQLite built an automatic index over
    // the whole table per statement (~2 ms at 100,000 users, bench:limits). Only group rows are here.
    index('group_members_nested_idx').on(t.groupPk).where(sql`${t.memberType} = 'Group'`),
  ],
);

/**
 * The change log: one row per directory write, in the same batch as the write. Provisioning
 * (the outbox) and `meta.lastModified`-based incremental readers build on it.
 */
export const changes = sqliteTable(
  'changes',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    resourceType: text('resource_type', { enum: ['User', 'Group'] }).notNull(),
    resourceId: text('resource_id').notNull(),
    op: text('op', { enum: ['create', 'update', 'delete'] }).notNull(),
    version: integer('version').notNull(),
    at: text('at').notNull(),
  },
  (t) => [index('changes_resource_idx').on(t.resourceType, t.resourceId)],
);

/** API tokens: only the SHA-256 of the secret is stored. */
export const tokens = sqliteTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    hash: text('hash').notNull(),
    scopes: text('scopes').notNull(),
    created: text('created').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    lastUsed: text('last_used'),
    revoked: text('revoked'),
  },
  (t) => [uniqueIndex('tokens_hash_unique').on(t.hash)],
);

/* ───────────────────────── provisioning (issue #3) ───────────────────────── */

/**
 * A downstream SCIM app. The bearer token is stored only encrypted (AES-GCM under
 * RELAY_ENCRYPTION_KEY); JSON columns hold settings validated by the admin API's zod schemas.
 */
export const targets = sqliteTable('targets', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** 'scim': a SCIM 2.0 service provider; 'drupal-jsonapi': a Drupal site through core JSON:API */
  kind: text('kind', { enum: ['scim', 'drupal-jsonapi', 'wordpress-rest', 'joomla-webservices'] })
    .notNull()
    .default('scim'),
  baseUrl: text('base_url').notNull(),
  tokenEnc: text('token_enc').notNull(),
  /** matching attributes in order, e.g. ["userName", "emails[type eq \"work\"].value"] */
  matching: text('matching').notNull(),
  /** { manual: {enabled, operations}, automatic: {…}, scheduled: {…, intervalMinutes} } */
  modes: text('modes').notNull(),
  mapping: text('mapping').notNull(),
  rateLimitPerSecond: integer('rate_limit_per_second').notNull().default(10),
  concurrency: integer('concurrency').notNull().default(4),
  deletionThreshold: integer('deletion_threshold').notNull().default(10),
  dryRun: integer('dry_run', { mode: 'boolean' }).notNull().default(false),
  pushGroups: integer('push_groups', { mode: 'boolean' }).notNull().default(false),
  status: text('status', { enum: ['active', 'paused'] })
    .notNull()
    .default('active'),
  /** why the target was paused by the relay (fatal failure), shown to the admin */
  pausedReason: text('paused_reason'),
  /** what "Save and test" learned: { patch, bulk, filter, etag, maxOperations } */
  capabilities: text('capabilities'),
  lastScheduledAt: text('last_scheduled_at'),
  /** settings of the target's kind (JSON), e.g. Drupal's group → role map */
  options: text('options'),
  /**
   * The last `changes.seq` planned for this target (issue #9): a run first reads the change feed
   * past it into the outbox. A paused, failing or new target just has an older watermark.
   */
  watermark: integer('watermark').notNull().default(0),
  /** a full pass over the directory (initial sync, "Sync all"), JSON: phase, keyset cursor, counts */
  syncState: text('sync_state'),
  /** the deletion threshold counts deactivations and deletions over this sliding window */
  deletionWindowMinutes: integer('deletion_window_minutes').notNull().default(60),
  /** userNames or remote ids the relay never updates, deactivates or deletes on this target (JSON array) */
  protectedAccounts: text('protected_accounts'),
  /** the reconcile run in progress or the last one (JSON: phase, cursor, counts, startedAt, finishedAt, report) */
  reconcileState: text('reconcile_state'),
  /** when the last reconcile run finished: the schedule counts from here (from `created` before the first) */
  lastReconcileAt: text('last_reconcile_at'),
  /** minutes between scheduled reconcile runs; 0 turns the schedule off (on-demand runs still work) */
  reconcileIntervalMinutes: integer('reconcile_interval_minutes').notNull().default(1440),
  /**
   * Until when a work-queue consumer runs this target (README "Queues"): parallel invocations
   * take turns, so the target's concurrency and rate limit hold across them.
   */
  runLeaseUntil: text('run_lease_until'),
  /** who this target receives (issue #13), JSON of shared Scope; null: every user (`{kind:'all'}`) */
  scope: text('scope'),
  /** the mass-creation guard: more account creations than this within the window wait for approval; 0 turns it off */
  creationThreshold: integer('creation_threshold').notNull().default(100),
  /** when an admin last approved held creations: the guard stands down for the window and the full pass in progress */
  creationsApprovedAt: text('creations_approved_at'),
  created: text('created').notNull(),
  updated: text('updated').notNull(),
});

/**
 * One row per (target, resource) with work to do. Changes coalesce on the unique key; the
 * dispatcher leases rows with UPDATE … RETURNING and reads the directory's current state.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    targetId: text('target_id')
      .notNull()
      .references(() => targets.id, { onDelete: 'cascade' }),
    resourceType: text('resource_type', { enum: ['User', 'Group'] }).notNull(),
    resourceId: text('resource_id').notNull(),
    state: text('state', { enum: ['pending', 'leased', 'failed', 'dead', 'held'] })
      .notNull()
      .default('pending'),
    /** the change-log sequence this row was last enqueued for: a row changed while leased is redone */
    changeSeq: integer('change_seq').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at').notNull(),
    leaseId: text('lease_id'),
    leaseUntil: text('lease_until'),
    lastError: text('last_error'),
    /** a held deletion an admin approved */
    approved: integer('approved', { mode: 'boolean' }).notNull().default(false),
    enqueuedAt: text('enqueued_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('outbox_target_resource_unique').on(t.targetId, t.resourceType, t.resourceId),
    index('outbox_claim_idx').on(t.targetId, t.state, t.nextAttemptAt),
    index('outbox_target_page_idx').on(t.targetId, t.id),
    index('outbox_state_page_idx').on(t.state, t.id),
  ],
);

/** Per resource × target: the remote account it is linked to and its sync state. */
export const links = sqliteTable(
  'links',
  {
    targetId: text('target_id')
      .notNull()
      .references(() => targets.id, { onDelete: 'cascade' }),
    resourceType: text('resource_type', { enum: ['User', 'Group'] }).notNull(),
    resourceId: text('resource_id').notNull(),
    remoteId: text('remote_id'),
    /** a second remote identifier admins see, e.g. Drupal's numeric uid beside the UUID */
    remoteKey: text('remote_key'),
    state: text('state', { enum: ['in_sync', 'pending', 'failed', 'never', 'out_of_scope'] })
      .notNull()
      .default('never'),
    /** SHA-256 of the last payload the target accepted: an unchanged user sends nothing */
    payloadHash: text('payload_hash'),
    /** the last payload the target accepted: the next update sends only what differs */
    payload: text('payload'),
    /** remote state we set: 'active' | 'deactivated' | 'deleted' */
    remoteState: text('remote_state'),
    lastAttemptAt: text('last_attempt_at'),
    lastSuccessAt: text('last_success_at'),
    nextAttemptAt: text('next_attempt_at'),
    lastError: text('last_error'),
    /** the last step trace of a manual provision, for the extension */
    lastTrace: text('last_trace'),
  },
  (t) => [
    primaryKey({ columns: [t.targetId, t.resourceType, t.resourceId] }),
    index('links_resource_idx').on(t.resourceType, t.resourceId),
    index('links_remote_key_idx').on(t.targetId, t.remoteKey),
    // reconcile looks links up by the remote ids a listing page returns
    index('links_remote_id_idx').on(t.targetId, t.remoteId),
  ],
);

/**
 * What a deactivation took away that the target cannot keep itself: WordPress has no disabled
 * flag, so deactivating removes every role (fixtures/wordpress-real README, "Deactivate"); the
 * roles are kept here, per target and remote account, and put back on reactivation.
 */
export const remoteRoles = sqliteTable(
  'remote_roles',
  {
    targetId: text('target_id')
      .notNull()
      .references(() => targets.id, { onDelete: 'cascade' }),
    remoteId: text('remote_id').notNull(),
    /** JSON array of the role slugs the account held */
    roles: text('roles').notNull(),
    savedAt: text('saved_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.targetId, t.remoteId] })],
);

/**
 * "Always provision to X" / "never provision to X" (issue #13): one row per (target, user) with an
 * override of the target's scope. 'never' wins over everything, 'always' over the scope.
 */
export const targetOverrides = sqliteTable(
  'target_overrides',
  {
    targetId: text('target_id')
      .notNull()
      .references(() => targets.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    override: text('override', { enum: ['always', 'never'] }).notNull(),
    updated: text('updated').notNull(),
  },
  (t) => [primaryKey({ columns: [t.targetId, t.userId] }), index('target_overrides_user_idx').on(t.userId)],
);

/** Group memberships as last pushed to a target: the next push sends only the difference. */
export const pushedMembers = sqliteTable(
  'pushed_members',
  {
    targetId: text('target_id')
      .notNull()
      .references(() => targets.id, { onDelete: 'cascade' }),
    groupId: text('group_id').notNull(),
    memberId: text('member_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.targetId, t.groupId, t.memberId] })],
);

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    targetId: text('target_id').notNull(),
    mode: text('mode', { enum: ['manual', 'automatic', 'scheduled'] }).notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
    /** { claimed, created, updated, deactivated, deleted, skipped, failed, retried, held } */
    counts: text('counts').notNull().default('{}'),
    status: text('status', { enum: ['running', 'done', 'failed'] })
      .notNull()
      .default('running'),
  },
  (t) => [index('runs_target_idx').on(t.targetId, t.startedAt)],
);

/** Every outbound request: what, why, status, duration, error — never a secret. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    targetId: text('target_id').notNull(),
    runId: text('run_id'),
    resourceType: text('resource_type'),
    resourceId: text('resource_id'),
    operation: text('operation').notNull(),
    method: text('method'),
    path: text('path'),
    httpStatus: integer('http_status'),
    durationMs: integer('duration_ms'),
    outcome: text('outcome').notNull(),
    error: text('error'),
    attributesChanged: text('attributes_changed'),
    dryRun: integer('dry_run', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('audit_target_idx').on(t.targetId, t.id),
    index('audit_resource_idx').on(t.resourceType, t.resourceId, t.id),
    // the deletion threshold's sliding window: destructive operations of one target since a time
    index('audit_target_operation_idx').on(t.targetId, t.operation, t.at),
    // the console's dead letters (operation "dead_letter", newest first, any target): a seek, not a scan of every event (bench:limits)
    index('audit_operation_idx').on(t.operation, t.id),
    // the thresholds' writes sent in the window (db/hold.ts sentSince): only those rows, so a count reads the index
    // alone — at 50,000 creations in the window it no longer visits each event's row (bench:limits, sync status)
    index('audit_sent_idx').on(t.targetId, t.operation, t.at).where(sql`${t.outcome} = 'ok' AND ${t.dryRun} = 0 AND coalesce(${t.method}, '') <> 'GET'`),
  ],
);

/* ───────────────────────── sources (issue #4) ───────────────────────── */

/**
 * A system the relay imports people from (a Drupal site through core JSON:API, a WordPress or
 * Joomla site through its core API, or any SCIM server). Credentials are stored only encrypted,
 * like target tokens. The kind is a TypeScript enum only (no CHECK in SQL): new kinds need no migration.
 */
export const sources = sqliteTable('sources', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['drupal-jsonapi', 'scim', 'wordpress-rest', 'joomla-webservices'] }).notNull(),
  baseUrl: text('base_url').notNull(),
  /** AES-GCM of the credentials JSON ({type:'basic',…} | {type:'bearer',…}) */
  credentialsEnc: text('credentials_enc').notNull(),
  /** JSON settings validated by the admin API: include filter, mapping, schedule, on-delete policy */
  settings: text('settings').notNull(),
  status: text('status', { enum: ['active', 'paused'] })
    .notNull()
    .default('active'),
  pausedReason: text('paused_reason'),
  /** incremental import: the newest change already imported (Drupal `changed`, SCIM meta.lastModified) */
  watermark: text('watermark'),
  /** a run in progress: where to resume (JSON: phase, next page URL, run id) */
  cursor: text('cursor'),
  lastRunAt: text('last_run_at'),
  lastFullAt: text('last_full_at'),
  lastError: text('last_error'),
  created: text('created').notNull(),
  updated: text('updated').notNull(),
});

/** Per source account: the directory user it became, and when a full reconciliation last saw it. */
export const sourceLinks = sqliteTable(
  'source_links',
  {
    sourceId: text('source_id')
      .notNull()
      .references(() => sources.id, { onDelete: 'cascade' }),
    /** the account's stable id on the source: Drupal's UUID, a SCIM server's id */
    remoteId: text('remote_id').notNull(),
    /** Drupal's drupal_internal__uid, kept for the extension (People pages show uids) */
    remoteUid: text('remote_uid'),
    userId: text('user_id').notNull(),
    /** when a listing last saw this account (ISO time); a full reconciliation sweeps links not seen since it started */
    seenPass: text('seen_pass'),
    /** the source's own last-changed stamp for this account */
    remoteChanged: text('remote_changed'),
    /** the account is gone from the source; the directory user was deactivated or deleted */
    removedAt: text('removed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.sourceId, t.remoteId] }),
    index('source_links_uid_idx').on(t.sourceId, t.remoteUid),
    index('source_links_user_idx').on(t.userId),
    index('source_links_pass_idx').on(t.sourceId, t.seenPass),
  ],
);

/** One import run: what it read and what it changed in the directory. */
export const importRuns = sqliteTable(
  'import_runs',
  {
    id: text('id').primaryKey(),
    sourceId: text('source_id').notNull(),
    kind: text('kind', { enum: ['incremental', 'full', 'single'] }).notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
    /** { pages, requests, read, created, updated, unchanged, deactivated, deleted, held, failed, invocations } */
    counts: text('counts').notNull().default('{}'),
    /** stopped: the database is nearly full; the run keeps its cursor and resumes when there is room */
    status: text('status', { enum: IMPORT_RUN_STATUSES }).notNull().default('running'),
    error: text('error'),
  },
  (t) => [index('import_runs_source_idx').on(t.sourceId, t.startedAt)],
);

/* ───────────────────────── reconcile (issue #9) ───────────────────────── */

/**
 * What a reconcile run saw in a target's listing: one row per remote account or group, so a
 * run that spans invocations can tell, once the listing is complete, which linked remote ids
 * were absent. Drupal accounts carry their role machine names (memberships as roles).
 */
export const reconcileSeen = sqliteTable(
  'reconcile_seen',
  {
    targetId: text('target_id')
      .notNull()
      .references(() => targets.id, { onDelete: 'cascade' }),
    resourceType: text('resource_type', { enum: ['User', 'Group'] }).notNull(),
    remoteId: text('remote_id').notNull(),
    /** JSON array of the account's roles as linked groups carry them (Drupal machine names, WordPress slugs, Joomla group ids), else null */
    roles: text('roles'),
  },
  (t) => [primaryKey({ columns: [t.targetId, t.resourceType, t.remoteId] })],
);

/** The drift a reconcile run found, one row per resource: the report's detail and its "fixed" count. */
export const reconcileDrift = sqliteTable(
  'reconcile_drift',
  {
    targetId: text('target_id')
      .notNull()
      .references(() => targets.id, { onDelete: 'cascade' }),
    resourceType: text('resource_type', { enum: ['User', 'Group'] }).notNull(),
    resourceId: text('resource_id').notNull(),
    /** 'deleted' | 'attributes' | 'deactivated' | 'members' | 'roles' */
    kind: text('kind').notNull(),
    /** the attribute paths or member count that differed, for the admin */
    detail: text('detail'),
    /** the operation the repair needs is allowed (false: reported, not repaired) */
    repairable: integer('repairable', { mode: 'boolean' }).notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.targetId, t.resourceType, t.resourceId, t.kind] })],
);
