/**
 * Targets: the downstream SCIM apps and Drupal sites (kind `drupal-jsonapi`, settings in `options`). The bearer token is write-only: encrypted on the way in,
 * decrypted only for the dispatcher (`loadTargetSecret`), never part of a `Target`.
 */
import {
  capabilitiesSchema,
  syncStateSchema,
  targetSchema,
  type Capabilities,
  type SyncState,
  type Target,
  type TargetCreate,
  type TargetUpdate,
} from '../../../shared/src/targets';
import { decryptSecret, encryptSecret, isLegacySealed, type SecretOwner } from '../auth/secrets';
import { swapTargetBaseUrl, swapTargetTokenEnc } from '../db/legacy-rows';
import { hasUserinfo, withoutUserinfo } from '../../../shared/src/base-url';
import { headSeq } from '../db/change-feed';
import { approveHeldRows } from '../db/provisioning-queries';
import { startSyncStatement } from '../db/sync-state';
import { deleteTargetRow, insertTarget, selectTarget, selectTargets, updateTargetRow, type TargetRow, type TargetRowUpdate } from '../db/targets';
import type { Env } from '../env';
import { DEFAULT_MATCHING_OF, isCmsKind, parseKindOptions } from '../../../shared/src/target-kinds';
import { DEFAULT_MAPPING_OF } from './default-mappings';
import { DEFAULT_MAPPING } from './mapping';
import { ALL_SCOPE } from '../../../shared/src/scope';

const nowIso = () => new Date().toISOString();

/**
 * Targets parsed in this isolate, keyed by everything of their row that `toTarget` reads. A
 * target is parsed again only when its row changed: the dispatcher reads it every invocation, and
 * its zod parse (with its JSON columns) cost ~0.4 ms of a Free consumer invocation's 10 ms
 * (issue #11). There is no staleness: a changed row is a different key. Bounded: past
 * PARSED_TARGETS entries the oldest goes. A hit is a structured clone, so no caller can change
 * what the next one gets.
 */
const parsedTargets = new Map<string, Target>();
const PARSED_TARGETS = 64;

/** A stored row as the admin API shows it: JSON columns parsed, the credential reduced to `hasToken`. */
function toTarget(row: TargetRow): Target {
  // the sealed token and the run lease are not part of a Target: a new lease is not a new target
  const key = JSON.stringify({ ...row, tokenEnc: row.tokenEnc.length > 0, runLeaseUntil: null });
  const hit = parsedTargets.get(key);
  if (hit) return structuredClone(hit);
  const target = parseTarget(row);
  if (parsedTargets.size >= PARSED_TARGETS) parsedTargets.delete(parsedTargets.keys().next().value!);
  parsedTargets.set(key, target);
  return structuredClone(target);
}

function parseTarget(row: TargetRow): Target {
  return targetSchema.parse({
    id: row.id,
    name: row.name,
    kind: row.kind,
    baseUrl: row.baseUrl,
    hasToken: row.tokenEnc.length > 0,
    matching: JSON.parse(row.matching),
    modes: JSON.parse(row.modes),
    mapping: JSON.parse(row.mapping),
    rateLimitPerSecond: row.rateLimitPerSecond,
    concurrency: row.concurrency,
    deletionThreshold: row.deletionThreshold,
    dryRun: row.dryRun,
    pushGroups: row.pushGroups,
    status: row.status,
    pausedReason: row.pausedReason,
    lastScheduledAt: row.lastScheduledAt,
    // what the last connection test learned; a shape from an older release reads as "not tested yet"
    capabilities: row.capabilities ? capabilitiesSchema.nullable().catch(null).parse(JSON.parse(row.capabilities)) : null,
    options: isCmsKind(row.kind) ? storedOptions(row.kind, row.options) : null,
    watermark: row.watermark,
    sync: row.syncState ? syncStateSchema.nullable().catch(null).parse(JSON.parse(row.syncState)) : null,
    deletionWindowMinutes: row.deletionWindowMinutes,
    protectedAccounts: row.protectedAccounts ? (JSON.parse(row.protectedAccounts) as string[]) : [],
    scope: row.scope ? JSON.parse(row.scope) : ALL_SCOPE,
    creationThreshold: row.creationThreshold,
    creationsApprovedAt: row.creationsApprovedAt,
    created: row.created,
    updated: row.updated,
  });
}

/** A CMS target's stored options (the defaults of its kind when none were stored). */
function storedOptions(kind: Parameters<typeof parseKindOptions>[0], json: string | null) {
  const parsed = parseKindOptions(kind, json ? JSON.parse(json) : {});
  if (!parsed.ok) throw new Error(`stored options of a ${kind} target do not parse: ${parsed.issues[0]?.message}`);
  return parsed.options;
}

/** A target's token is sealed for its own row (AES-GCM additional data). */
const ownerOf = (id: string): SecretOwner => ({ kind: 'target', id });

/**
 * Creates a target at the head of the change feed. Unless it is created paused, in dry-run or
 * with `initialSync: false`, it starts with a full pass over the directory (issue #9): its first
 * runs enqueue every user (and group, with group push), so it converges on what exists already.
 */
export async function createTarget(env: Env, input: TargetCreate): Promise<Target> {
  const now = nowIso();
  const cms = isCmsKind(input.kind) ? input.kind : null;
  const id = crypto.randomUUID();
  const row = await insertTarget(env.DB, {
    watermark: await headSeq(env.DB),
    deletionWindowMinutes: input.deletionWindowMinutes,
    protectedAccounts: JSON.stringify(input.protectedAccounts),
    scope: JSON.stringify(input.scope),
    creationThreshold: input.creationThreshold,
    id,
    name: input.name,
    kind: input.kind,
    baseUrl: input.baseUrl,
    tokenEnc: await encryptSecret(env.RELAY_ENCRYPTION_KEY, input.token, ownerOf(id)),
    matching: JSON.stringify(input.matching ?? (cms ? DEFAULT_MATCHING_OF[cms] : ['userName'])),
    modes: JSON.stringify(input.modes),
    mapping: JSON.stringify(input.mapping ?? (cms ? DEFAULT_MAPPING_OF[cms] : DEFAULT_MAPPING)),
    options: cms ? JSON.stringify(input.options ?? storedOptions(cms, null)) : null,
    rateLimitPerSecond: input.rateLimitPerSecond,
    concurrency: input.concurrency,
    deletionThreshold: input.deletionThreshold,
    dryRun: input.dryRun,
    pushGroups: input.pushGroups,
    status: input.status,
    created: now,
    updated: now,
  });
  forgetAutomatic();
  if (input.initialSync && !input.dryRun && input.status === 'active') return (await startSync(env, row.id, 'initial'))!;
  return toTarget(row);
}

export async function listTargets(env: Env): Promise<Target[]> {
  return (await selectTargets(env.DB)).map(toTarget);
}

/** A target with its token still sealed: what the dispatcher lists, and opens (`openTargetSecret`) only for the targets it runs. */
export interface SealedTarget {
  target: Target;
  tokenEnc: string;
  baseUrl: string;
}

/**
 * The targets (those of `ids` when given: the queue consumer's one, so the others are neither
 * read nor parsed), each with its sealed token, so a run opens its token without reading its row
 * a second time (issue #11: a D1 round trip a run).
 */
export async function listSealedTargets(env: Env, ids?: readonly string[]): Promise<SealedTarget[]> {
  const rows = await selectTargets(env.DB, ids);
  return rows.map((row) => ({ target: toTarget(row), tokenEnc: row.tokenEnc, baseUrl: row.baseUrl }));
}

/**
 * The active targets with the automatic mode on, remembered for 30 s per isolate: the SCIM write
 * path asks after every write, and most directories have no automatic target. A change made
 * through another isolate is seen within 30 s; the cron catches anything sooner.
 */
let automaticCache: { ids: string[]; until: number } | undefined;
const AUTOMATIC_CACHE_MS = 30_000;

export async function automaticTargetIds(env: Env): Promise<string[]> {
  if (automaticCache && automaticCache.until > Date.now()) return automaticCache.ids;
  const ids = (await listTargets(env)).filter((t) => t.status === 'active' && t.modes.automatic.enabled).map((t) => t.id);
  automaticCache = { ids, until: Date.now() + AUTOMATIC_CACHE_MS };
  return ids;
}

export const hasAutomaticTargets = async (env: Env): Promise<boolean> => (await automaticTargetIds(env)).length > 0;

const forgetAutomatic = () => {
  automaticCache = undefined;
};

export async function getTarget(env: Env, id: string): Promise<Target | null> {
  const row = await selectTarget(env.DB, id);
  return row ? toTarget(row) : null;
}

/**
 * Applies a partial update. A new token is encrypted afresh; `status: 'active'` also clears the
 * reason the relay paused the target, since the admin says the cause is fixed.
 */
export async function updateTarget(env: Env, id: string, patch: TargetUpdate): Promise<Target | null> {
  const set: TargetRowUpdate = { updated: nowIso() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.baseUrl !== undefined) set.baseUrl = patch.baseUrl;
  if (patch.token !== undefined) set.tokenEnc = await encryptSecret(env.RELAY_ENCRYPTION_KEY, patch.token, ownerOf(id));
  if (patch.matching !== undefined) set.matching = JSON.stringify(patch.matching);
  if (patch.modes !== undefined) set.modes = JSON.stringify(patch.modes);
  if (patch.mapping !== undefined) set.mapping = JSON.stringify(patch.mapping);
  if (patch.rateLimitPerSecond !== undefined) set.rateLimitPerSecond = patch.rateLimitPerSecond;
  if (patch.concurrency !== undefined) set.concurrency = patch.concurrency;
  if (patch.deletionThreshold !== undefined) set.deletionThreshold = patch.deletionThreshold;
  if (patch.dryRun !== undefined) set.dryRun = patch.dryRun;
  if (patch.pushGroups !== undefined) set.pushGroups = patch.pushGroups;
  if (patch.options !== undefined) set.options = JSON.stringify(patch.options);
  if (patch.deletionWindowMinutes !== undefined) set.deletionWindowMinutes = patch.deletionWindowMinutes;
  if (patch.protectedAccounts !== undefined) set.protectedAccounts = JSON.stringify(patch.protectedAccounts);
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.status === 'active') set.pausedReason = null;
  if (patch.scope !== undefined) set.scope = JSON.stringify(patch.scope);
  if (patch.creationThreshold !== undefined) set.creationThreshold = patch.creationThreshold;
  const row = await updateTargetRow(env.DB, id, set);
  forgetAutomatic();
  return row ? toTarget(row) : null;
}

/** The relay pauses a target that refused it (auth, configuration) and says why. */
export async function pauseTarget(env: Env, id: string, reason: string, now: Date): Promise<void> {
  await updateTargetRow(env.DB, id, { status: 'paused', pausedReason: reason, updated: now.toISOString() });
  forgetAutomatic();
}

export async function markScheduled(env: Env, id: string, now: Date): Promise<void> {
  await updateTargetRow(env.DB, id, { lastScheduledAt: now.toISOString() });
}

/** What "Save and test" learned (PATCH, Bulk, filter, ETag), used by the dispatcher. */
export async function saveCapabilities(env: Env, id: string, capabilities: Capabilities): Promise<void> {
  await updateTargetRow(env.DB, id, { capabilities: JSON.stringify(capabilities) });
}

/**
 * Starts a full pass over the directory ("Sync all", initial sync): the target's next runs
 * enqueue every resource in keyset pages. Null when there is no such target.
 */
export async function startSync(env: Env, id: string, reason: SyncState['reason']): Promise<Target | null> {
  const row = await selectTarget(env.DB, id);
  if (!row) return null;
  await startSyncStatement(env.DB, id, reason, row.pushGroups, new Date()).run();
  return getTarget(env, id);
}

export async function deleteTarget(env: Env, id: string): Promise<boolean> {
  forgetAutomatic();
  return deleteTargetRow(env.DB, id);
}

/**
 * The target and its decrypted bearer token, for the dispatcher's SCIM client only. A row from
 * an older release is upgraded the first time it opens: its token re-sealed for the row, its
 * base URL stored without credentials. Throws SecretUnreadable when the token cannot be opened.
 */
export async function loadTargetSecret(env: Env, id: string): Promise<{ target: Target; token: string } | null> {
  const row = await selectTarget(env.DB, id);
  if (!row) return null;
  const target = toTarget(row);
  return { target, token: await openTargetSecret(env, { target, tokenEnc: row.tokenEnc, baseUrl: row.baseUrl }) };
}

/** The bearer token of a target read with its row (`listSealedTargets`), upgrading a row from an older release as `loadTargetSecret` does. */
export async function openTargetSecret(env: Env, { target, tokenEnc, baseUrl }: SealedTarget): Promise<string> {
  const token = await decryptSecret(env.RELAY_ENCRYPTION_KEY, tokenEnc, ownerOf(target.id));
  if (isLegacySealed(tokenEnc)) await swapTargetTokenEnc(env.DB, target.id, tokenEnc, await encryptSecret(env.RELAY_ENCRYPTION_KEY, token, ownerOf(target.id)));
  if (hasUserinfo(baseUrl)) await swapTargetBaseUrl(env.DB, target.id, baseUrl, withoutUserinfo(baseUrl));
  return token;
}

/**
 * Releases what a target's thresholds held back (deletions, creations): the rows become due now,
 * marked approved so the dispatcher carries them out. The approval also stands the creation guard
 * down for the target's window and the rest of a full pass in progress (hold.ts), so an approved
 * initial sync or import is not held again page after page. Null when there is no such target.
 */
export async function approveHeldDeletions(env: Env, id: string): Promise<number | null> {
  if (!(await selectTarget(env.DB, id))) return null;
  const now = nowIso();
  const approved = (await approveHeldRows(env.DB, { targetId: id }, now)).length;
  await updateTargetRow(env.DB, id, { creationsApprovedAt: now });
  return approved;
}
