/**
 * Applies a page of source accounts to the directory. Every user and group write goes through
 * the SCIM service (scim/service.ts), so it is validated as an IdP's write would be and its
 * change row — hence the outbox rows of every automatic and scheduled target — is written in
 * the same D1 batch. Then the page's source links are upserted in one batch.
 *
 * Defaults of the mapping: name → userName, mail → work email, status → active, UUID →
 * externalId, drupal_internal__uid → source_links.remote_uid, roles → groups.
 */
import type { SourceSettings } from '../../../shared/src/sources';
import { selectLinkedElsewhere, selectLinks, selectUserBodies, selectUserIdsByUserName, upsertLinkStatements, type SourceLinkRow } from '../db/sources';
import { ScimError } from '../scim/errors';
import { SCIM_PATCH_OP_URN } from '../scim/patch/patch-request';
import type { JsonObject } from '../scim/schema/normalize';
import { userResourceType } from '../scim/schema/registry';
import { SCIM_USER_URN } from '../scim/schema/user-schema';
import { createMany, createResource, patchResource, type ScimContext } from '../scim/service';
import { applyRoles } from './apply-roles';
import type { RemoteUser } from './remote';

export type ImportOutcome = 'created' | 'updated' | 'unchanged' | 'deactivated' | 'deleted' | 'skipped';

export interface UserOutcome {
  remoteId: string;
  uid: string;
  userId: string | null;
  outcome: ImportOutcome;
  /** directory attributes written */
  changed: string[];
  detail: string | null;
  /** skipped: the directory user of its userName belongs to another source */
  conflict?: boolean;
}

export interface ApplyContext {
  scim: ScimContext;
  sourceId: string;
  settings: SourceSettings;
  /**
   * When this page was read (ISO). Stored on each link in `seen_pass`: a reconciliation that
   * started at T sweeps links last seen before T, so accounts an incremental run or a single
   * import saw after T are never taken for deleted.
   */
  seenAt: string;
  /** D1 round trips, for the invocation's budget */
  meter: { d1: number };
  /** single-user imports re-apply even when the source's change stamp is unchanged */
  force?: boolean;
  /** the run's counts, for what is not one account's outcome (groups the directory refused) */
  counts?: Record<string, number>;
}

type PatchOp = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

/** Accounts the settings include; undefined when it cannot be told (roles not visible). */
export function inScope(u: RemoteUser, settings: SourceSettings): boolean | undefined {
  if (settings.include.activeOnly && u.active === false) return false;
  if (settings.include.roles.length > 0) {
    if (u.roles === undefined) return undefined;
    return u.roles.some((r) => settings.include.roles.includes(r));
  }
  return true;
}

function userNameOf(u: RemoteUser, settings: SourceSettings): string {
  return settings.mapping.userName === 'mail' && u.email ? u.email : u.name;
}

function externalIdOf(u: RemoteUser, settings: SourceSettings): string | undefined {
  if (settings.mapping.externalId === 'uuid') return u.remoteId;
  if (settings.mapping.externalId === 'uid') return u.uid;
  return undefined;
}

export function createBody(u: RemoteUser, settings: SourceSettings): JsonObject {
  const body: JsonObject = { schemas: [SCIM_USER_URN], userName: userNameOf(u, settings), active: u.active ?? true };
  const externalId = externalIdOf(u, settings);
  if (externalId !== undefined) body.externalId = externalId;
  if (settings.mapping.email && u.email) body.emails = [{ value: u.email, type: 'work', primary: true }];
  return body;
}

/** Replace operations for what the source says differently; values the source hides are left alone. */
export function diffOperations(stored: JsonObject, u: RemoteUser, settings: SourceSettings): PatchOp[] {
  const ops: PatchOp[] = [];
  const userName = userNameOf(u, settings);
  if (stored.userName !== userName) ops.push({ op: 'replace', path: 'userName', value: userName });
  const externalId = externalIdOf(u, settings);
  if (externalId !== undefined && stored.externalId !== externalId) ops.push({ op: 'replace', path: 'externalId', value: externalId });
  if (settings.mapping.email && typeof u.email === 'string') {
    const emails = Array.isArray(stored.emails) ? (stored.emails as { value?: unknown }[]).map((e) => String(e.value ?? '').toLowerCase()) : [];
    if (!emails.includes(u.email.toLowerCase())) ops.push({ op: 'replace', path: 'emails', value: [{ value: u.email, type: 'work', primary: true }] });
  }
  if (u.active !== undefined && (stored.active ?? true) !== u.active) ops.push({ op: 'replace', path: 'active', value: u.active });
  return ops;
}

export interface Work {
  u: RemoteUser;
  link: SourceLinkRow | undefined;
  userId: string | null;
  stored: JsonObject | null;
  groups: { id: string; display: string; externalId: string | null }[];
  scope: boolean | undefined;
  /** excluded by the include filter: neither written nor stamped seen (the sweep decides) */
  excluded?: boolean;
  /** its userName is another source's directory user: left alone */
  conflict?: boolean;
  out: UserOutcome;
}

async function patchUser(ctx: ApplyContext, w: Work, ops: PatchOp[]): Promise<boolean> {
  ctx.meter.d1 += 2;
  try {
    await patchResource(ctx.scim, userResourceType, w.userId!, { schemas: [SCIM_PATCH_OP_URN], Operations: ops }, {});
    return true;
  } catch (err) {
    if (!(err instanceof ScimError)) throw err;
    w.out.outcome = 'skipped';
    w.out.detail = `The directory refused the change: ${err.message}`;
    return false;
  }
}

export async function applyPage(ctx: ApplyContext, users: readonly RemoteUser[]): Promise<UserOutcome[]> {
  const work = await loadWork(ctx, users);
  const toCreate: Work[] = [];
  for (const w of work) if ((await applyKnown(ctx, w)) === 'create') toCreate.push(w);
  if (toCreate.length > 0) await createAccounts(ctx, toCreate);
  if (ctx.settings.mapping.roles)
    await applyRoles(
      ctx,
      work.filter((w) => w.scope === true && w.userId && w.u.roles !== undefined && w.out.outcome !== 'skipped'),
    );
  await writeLinks(ctx, work);
  for (const w of work) w.out.userId = w.userId;
  return work.map((w) => w.out);
}

/** The page's accounts with their links, the directory users they are (or adopt), and those users' bodies and groups: up to four reads. */
async function loadWork(ctx: ApplyContext, users: readonly RemoteUser[]): Promise<Work[]> {
  const { settings } = ctx;
  const db = ctx.scim.db;
  ctx.meter.d1 += 1;
  const links = await selectLinks(
    db,
    ctx.sourceId,
    users.map((u) => u.remoteId),
  );
  const work: Work[] = users.map((u) => {
    const link = links.get(u.remoteId);
    return {
      u,
      link,
      userId: link?.userId ?? null,
      stored: null,
      groups: [],
      scope: inScope(u, settings),
      out: { remoteId: u.remoteId, uid: u.uid, userId: link?.userId ?? null, outcome: 'unchanged', changed: [], detail: null },
    };
  });

  await adoptByUserName(ctx, work);
  const known = work.filter((w) => w.userId);
  if (known.length > 0) {
    ctx.meter.d1 += 1;
    const bodies = await selectUserBodies(
      db,
      known.map((w) => w.userId!),
    );
    for (const w of known) {
      const row = bodies.get(w.userId!);
      if (!row) {
        // linked, but the directory user was deleted since: create it again
        w.userId = null;
        continue;
      }
      w.stored = JSON.parse(row.data) as JsonObject;
      w.groups = JSON.parse(row.groupsJson) as Work['groups'];
    }
  }
  return work;
}

/**
 * Unlinked accounts adopt the directory user of the same userName (an earlier import whose
 * link write was lost, or a user an IdP created): never a second user for one person.
 * A directory user another source has a live link to is that source's person: adopting it
 * would let two sources overwrite (and deactivate) one user. Such an account is a conflict.
 */
async function adoptByUserName(ctx: ApplyContext, work: Work[]): Promise<void> {
  const { settings } = ctx;
  const db = ctx.scim.db;
  const unlinked = work.filter((w) => !w.userId && w.scope === true);
  if (unlinked.length > 0) {
    ctx.meter.d1 += 1;
    const byName = await selectUserIdsByUserName(
      db,
      unlinked.map((w) => userNameOf(w.u, settings)),
    );
    for (const w of unlinked) w.userId = byName.get(userNameOf(w.u, settings).toLowerCase()) ?? null;
    const adopted = unlinked.filter((w) => w.userId);
    if (adopted.length > 0) {
      ctx.meter.d1 += 1;
      const elsewhere = await selectLinkedElsewhere(
        db,
        ctx.sourceId,
        adopted.map((w) => w.userId!),
      );
      for (const w of adopted) {
        const other = elsewhere.get(w.userId!);
        if (!other) continue;
        w.userId = null;
        w.conflict = true;
        w.out.outcome = 'skipped';
        w.out.conflict = true;
        w.out.detail = `Not imported: the directory user "${userNameOf(w.u, settings)}" comes from another source (${other}). Rename one of the two accounts, or delete the other source if this one replaces it.`;
      }
    }
  }
}

/**
 * One account whose directory user is known (or is not there to create): skipped, deactivated or
 * patched here as its scope and the source say; 'create' when it is to be created with the page's others.
 */
async function applyKnown(ctx: ApplyContext, w: Work): Promise<'create' | undefined> {
  const { settings } = ctx;
  const { u, out } = w;
  if (w.conflict) return;
  if (w.scope === undefined) {
    out.outcome = 'skipped';
    out.detail = "The source does not show this account's roles, so the role filter cannot be applied.";
    return;
  }
  if (w.scope === false && u.active !== false) {
    // Excluded by the include filter (roles): not an ordinary change. Left alone and not
    // stamped seen, so a full reconciliation's sweep removes it under the deletion threshold —
    // a mistyped role must not deactivate everyone at once.
    w.excluded = true;
    out.outcome = 'skipped';
    out.detail = w.link
      ? "No longer matches the source's include filter: the next full reconciliation deactivates it (within the deletion threshold)."
      : "Not included by the source's filter.";
    return;
  }
  if (w.scope === false) {
    if (w.stored && (w.stored.active ?? true) !== false && w.link) {
      if (await patchUser(ctx, w, [{ op: 'replace', path: 'active', value: false }])) {
        out.outcome = 'deactivated';
        out.changed = ['active'];
        out.detail = 'Blocked on the source.';
      }
    } else {
      out.outcome = 'skipped';
      out.detail = w.stored ? "Already inactive; not included by the source's filter." : "Not included by the source's filter.";
    }
    return;
  }
  if (!w.stored) return 'create';
  if (!ctx.force && w.link && w.link.removedAt === null && w.link.userId === w.userId && w.link.remoteChanged !== null && w.link.remoteChanged === u.changed)
    return;
  const ops = diffOperations(w.stored, u, settings);
  if (ops.length > 0 && (await patchUser(ctx, w, ops))) {
    out.outcome = u.active === false && ops.some((o) => o.path === 'active') ? 'deactivated' : 'updated';
    out.changed = ops.map((o) => o.path);
  }
  return undefined;
}

/** Creates the page's new accounts in one batch; on a uniqueness conflict inside it, one at a time, so only the culprit fails. */
async function createAccounts(ctx: ApplyContext, toCreate: Work[]): Promise<void> {
  ctx.meter.d1 += 1;
  const bodies = toCreate.map((w) => createBody(w.u, ctx.settings));
  const written = await createMany(ctx.scim, userResourceType, bodies);
  for (let i = 0; i < toCreate.length; i++) {
    const w = toCreate[i]!;
    let result = written?.[i];
    if (!written) {
      // a uniqueness conflict inside the batch: one at a time, so only the culprit fails
      ctx.meter.d1 += 1;
      try {
        result = await createResource(ctx.scim, userResourceType, bodies[i]);
      } catch (err) {
        if (!(err instanceof ScimError)) throw err;
        result = err;
      }
    }
    if (result instanceof ScimError || result === undefined) {
      w.out.outcome = 'skipped';
      w.out.detail = `The directory refused the account: ${result?.message ?? 'unknown error'}`;
      continue;
    }
    w.userId = String(result.resource.id);
    w.out.outcome = 'created';
    w.out.changed = Object.keys(bodies[i]!).filter((k) => k !== 'schemas');
  }
}

async function writeLinks(ctx: ApplyContext, work: Work[]): Promise<void> {
  const db = ctx.scim.db;
  // Every account that has a directory user gets its link; one the directory refused keeps no
  // change stamp, so the next run tries it again.
  const linkRows = work.filter((w) => w.userId !== null && !w.excluded && (w.out.outcome !== 'skipped' || w.link !== undefined));
  if (linkRows.length > 0) {
    ctx.meter.d1 += 1;
    await db.batch(
      upsertLinkStatements(
        db,
        ctx.sourceId,
        linkRows.map((w) => ({
          remoteId: w.u.remoteId,
          remoteUid: w.u.uid,
          userId: w.userId!,
          remoteChanged: w.out.outcome === 'skipped' ? null : w.u.changed,
          seenAt: ctx.seenAt,
        })),
      ),
    );
  }
}
