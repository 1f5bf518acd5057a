/**
 * The SCIM operations on one resource type, independent of HTTP: the routes and /Bulk both call
 * these. Transport → this domain → directory (D1).
 */
import { addMembersGuarded, clearMembersStatement, groupsOfMany, memberStatements, membersOf, membersOfMany, resolveMembers } from '../directory/memberships';
import { deleteResource, insertResource, insertResources, replaceResource, touchResource, writeAndReadBack, type WriteGuard } from '../directory/resources';
import { loadResource, readBack } from '../directory/reads';
import { GROUP_PK_BY_ID } from '../directory/sql';
import { DirectoryError, type MemberRef, type SqlFragment, type StoredResource } from '../directory/types';
import { toResource, toWrite } from './codec';
import { checkPreconditions, preconditionSql, type Conditions } from './etag';
import { ScimError, badRequest, notFound } from './errors';
import { matchesFilter } from './filter/match';
import { planOneTripPatch, type PlannedWrite } from './one-trip-patch';
import { applyOperations, readPatchRequest, type MemberDelta, type ParsedPatch } from './patch';
import { deepEqual } from './patch/values';
import { project, wants, type Projection } from './projection';
import { isObject, normalizeResource, type JsonObject } from './schema/normalize';
import { resolvePath } from './schema/registry';
import type { ResourceTypeDef } from './schema/types';
import { parseOrThrow, resourceSchema } from './schema/zod-schemas';

export interface ScimContext {
  db: D1Database;
  /** e.g. https://relay.example.com/scim/v2 */
  baseUrl: string;
}

export interface Written {
  resource: JsonObject;
  version: number;
  location: string;
}

/**
 * A version-checked write without If-Match is retried from a fresh read until it lands. Each
 * failed attempt means another write committed in between, so N concurrent writers of one
 * resource need at most N attempts each; past this bound the resource is too busy and the client
 * is told to retry (503 with Retry-After), never 412: RFC 9110 §13.1.1 allows 412 only for a
 * precondition the client sent.
 */
const MAX_WRITE_ATTEMPTS = 24;
/** Jittered pause between attempts, growing per attempt, so colliding writers spread out. */
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));

/** Groups are read with their members when the response shows them: one round trip, not two. */
const withMembers = (rt: ResourceTypeDef, p?: Projection) => rt.name === 'Group' && wants(p, 'members');

async function load(ctx: ScimContext, rt: ResourceTypeDef, id: string, p?: Projection): Promise<StoredResource> {
  const row = await loadResource(ctx.db, rt.name, id, { withMembers: withMembers(rt, p) });
  if (!row) throw notFound(`${rt.name} "${id}" not found.`);
  return row;
}

/** Renders rows with their derived attributes (User.groups, Group.members) when projected. */
export async function render(ctx: ScimContext, rt: ResourceTypeDef, rows: StoredResource[], p?: Projection): Promise<JsonObject[]> {
  if (rt.name === 'User') {
    // Reads carry groupsJson; rows fresh from a write are looked up here.
    const unread = rows.filter((r) => r.groupsJson === undefined).map((r) => r.id);
    const looked = wants(p, 'groups') && unread.length > 0 ? await groupsOfMany(ctx.db, unread) : undefined;
    const groupsOf = (r: StoredResource) =>
      r.groupsJson !== undefined ? (JSON.parse(r.groupsJson) as { id: string; display: string }[]) : (looked?.get(r.id) ?? []);
    return rows.map((r) => project(rt, toResource(rt, r, { baseUrl: ctx.baseUrl, groups: groupsOf(r) }), p));
  }
  if (!wants(p, 'members')) return rows.map((r) => project(rt, toResource(rt, r, { baseUrl: ctx.baseUrl }), p));
  // Reads and write read-backs carry membersJson; groups past MEMBERS_INLINE are looked up here.
  const unread = rows.filter((r) => r.membersJson == null).map((r) => r.pk);
  const looked = unread.length > 0 ? await membersOfMany(ctx.db, unread) : undefined;
  const membersOf = (r: StoredResource) => (r.membersJson != null ? (JSON.parse(r.membersJson) as MemberRef[]) : (looked?.get(r.pk) ?? []));
  return rows.map((r) => project(rt, toResource(rt, r, { baseUrl: ctx.baseUrl, members: membersOf(r) }), p));
}

/** A written row as the response shows it. */
export const written = async (ctx: ScimContext, rt: ResourceTypeDef, row: StoredResource, p?: Projection): Promise<Written> => ({
  resource: (await render(ctx, rt, [row], p))[0]!,
  version: row.version,
  location: `${ctx.baseUrl}${rt.endpoint}/${row.id}`,
});

/** Validates a whole body (POST, PUT) and splits off what is not stored in `data`. */
async function prepareBody(rt: ResourceTypeDef, body: unknown, mode: 'create' | 'replace') {
  const normalized = normalizeResource(rt, body);
  const valid = parseOrThrow<JsonObject>(resourceSchema(rt, mode), normalized);
  // RFC 7643 §4.1.1 `password`: accepted, never kept nor sent on (README: Passwords).
  const { password: _password, members, ...data } = valid;
  // A user created without `active` is active: deprovisioning is an explicit `active: false`.
  if (rt.name === 'User' && mode === 'create' && data.active === undefined) data.active = true;
  const memberIds =
    rt.name === 'Group' && Array.isArray(members)
      ? members.map((m) => (isObject(m) ? m.value : undefined)).filter((v): v is string => typeof v === 'string')
      : [];
  return { data, memberIds };
}

async function unknownMembers(ctx: ScimContext, ids: string[]): Promise<ScimError> {
  const found = await resolveMembers(ctx.db, ids);
  const missing = ids.filter((id) => !found.has(id));
  return badRequest('invalidValue', `Unknown member id(s): ${missing.slice(0, 5).join(', ')}.`);
}

/** A write's DirectoryError as the SCIM error it is; unknown member ids are named. */
async function writeFailure(ctx: ScimContext, rt: ResourceTypeDef, id: string, err: unknown, memberIds: string[] = []): Promise<never> {
  if (err instanceof DirectoryError && err.code === 'invalid_member') throw await unknownMembers(ctx, memberIds);
  if (err instanceof DirectoryError && err.code === 'not_found') throw notFound(`${rt.name} "${id}" not found.`);
  directoryFailure(err);
}

function directoryFailure(err: unknown): never {
  if (err instanceof DirectoryError) {
    if (err.code === 'conflict') throw new ScimError(409, err.message, 'uniqueness');
    if (err.code === 'version_mismatch') throw new ScimError(412, err.message);
    if (err.code === 'not_found') throw notFound(err.message);
  }
  throw err;
}

/**
 * A user created just now is in no group: members are added by id only once they exist, and its
 * id was generated here. Rendering it needs no User.groups lookup — one D1 read less per POST.
 */
const fresh = (rt: ResourceTypeDef, row: StoredResource): StoredResource =>
  rt.name === 'User' ? { ...row, groupsJson: '[]' } : row.membersJson === undefined ? { ...row, membersJson: '[]' } : row;

export async function createResource(ctx: ScimContext, rt: ResourceTypeDef, body: unknown, p?: Projection): Promise<Written> {
  const { data, memberIds } = await prepareBody(rt, body, 'create');
  const id = crypto.randomUUID();
  const extra = addMembersGuarded(ctx.db, GROUP_PK_BY_ID, [id], memberIds);
  let row: StoredResource;
  try {
    // A group without members renders from what it returns; one with members reads them back.
    row = await insertResource(ctx.db, rt.name, id, toWrite(rt, data), extra, memberIds.length > 0 && withMembers(rt, p));
  } catch (err) {
    return writeFailure(ctx, rt, id, err, memberIds);
  }
  return written(ctx, rt, fresh(rt, row), p);
}

/**
 * Creates many users or groups-without-members at once (Bulk): validated one by one, written in
 * one batch. Returns per item the written resource or its ScimError; on a uniqueness conflict in
 * the batch, returns undefined so the caller creates them one at a time.
 */
export async function createMany(ctx: ScimContext, rt: ResourceTypeDef, bodies: unknown[], p?: Projection): Promise<(Written | ScimError)[] | undefined> {
  const prepared = await Promise.all(
    bodies.map(async (body) => {
      try {
        const { data, memberIds } = await prepareBody(rt, body, 'create');
        if (memberIds.length > 0) return undefined; // members: the one-at-a-time path
        return { id: crypto.randomUUID(), write: toWrite(rt, data) };
      } catch (err) {
        if (err instanceof ScimError) return err;
        throw err;
      }
    }),
  );
  if (prepared.some((x) => x === undefined)) return undefined;
  const items = prepared.filter((x): x is { id: string; write: ReturnType<typeof toWrite> } => !(x instanceof ScimError));
  let rows: StoredResource[];
  try {
    rows = items.length > 0 ? await insertResources(ctx.db, rt.name, items) : [];
  } catch (err) {
    if (err instanceof DirectoryError && err.code === 'conflict') return undefined;
    throw err;
  }
  const byId = new Map(rows.map((r) => [r.id, fresh(rt, r)]));
  return Promise.all(prepared.map(async (x) => (x instanceof ScimError ? x : written(ctx, rt, byId.get(x!.id)!, p))));
}

export async function getResource(ctx: ScimContext, rt: ResourceTypeDef, id: string, p?: Projection): Promise<Written> {
  return written(ctx, rt, await load(ctx, rt, id, p), p);
}

/** What a read-modify-write computed from the row it read. */
interface Rewrite {
  data: JsonObject;
  extra: D1PreparedStatement[];
  /** ids the extra statements add as members (named if one is unknown) */
  memberIds?: string[];
  /** membership-only: commutes with other writes; the version moves only when this SQL holds */
  touch?: SqlFragment;
  unchanged?: boolean;
}

/**
 * Read, compute, write-if-unchanged: two round trips, because applying a PATCH needs the stored
 * resource (its operations are not expressible as SQL over the JSON body), and D1 runs no code
 * between a batch's statements. The write is one batch guarded by the version read. Without
 * If-Match a concurrent write is retried from a fresh read; with If-Match it is the client's
 * precondition and fails with 412.
 */
async function rewrite(
  ctx: ScimContext,
  rt: ResourceTypeDef,
  id: string,
  cond: Conditions,
  p: Projection | undefined,
  compute: (row: StoredResource) => Promise<Rewrite>,
  /** the row, or null for none, when the caller has read it already (a Bulk batches the reads) */
  read?: StoredResource | null,
): Promise<StoredResource> {
  for (let attempt = 1; ; attempt++) {
    if (attempt === 1 && read === null) throw notFound(`${rt.name} "${id}" not found.`);
    const row = attempt === 1 && read ? read : await load(ctx, rt, id, p);
    checkPreconditions(cond, row.version);
    const { data, extra, memberIds, touch, unchanged } = await compute(row);
    if (unchanged) return row;
    // The version read is guarded only where the client's If-Match asks for it or the body depends on it.
    const guard: WriteGuard = touch && cond.ifMatch === undefined ? {} : { version: row.version };
    try {
      if (touch) return await touchResource(ctx.db, rt.name, id, guard, extra, touch, withMembers(rt, p));
      return await replaceResource(ctx.db, rt.name, id, guard, toWrite(rt, data), extra, withMembers(rt, p));
    } catch (err) {
      const contended = err instanceof DirectoryError && err.code === 'version_mismatch' && cond.ifMatch === undefined;
      if (!contended) await writeFailure(ctx, rt, id, err, memberIds);
      if (attempt >= MAX_WRITE_ATTEMPTS)
        throw new ScimError(503, `${rt.name} "${id}" is being changed by many requests at once; retry shortly.`, undefined, { 'retry-after': '1' });
      await backoff(attempt);
    }
  }
}

/**
 * PUT replaces the whole resource, so it needs nothing from the stored one: one batch checks that
 * the row exists and the client's If-Match / If-None-Match in SQL, then writes and reads back.
 * Concurrent PUTs without If-Match: the last to commit wins, as it would after a retried read.
 */
export async function replaceWhole(ctx: ScimContext, rt: ResourceTypeDef, id: string, body: unknown, cond: Conditions, p?: Projection): Promise<Written> {
  const { data, memberIds } = await prepareBody(rt, body, 'replace');
  const condition = preconditionSql(cond);
  // RFC 7644 §3.5.1: PUT replaces all members too — an absent list means no members.
  const extra = rt.name === 'Group' ? [clearMembersStatement(ctx.db, GROUP_PK_BY_ID, [id]), ...addMembersGuarded(ctx.db, GROUP_PK_BY_ID, [id], memberIds)] : [];
  let row: StoredResource;
  try {
    row = await replaceResource(ctx.db, rt.name, id, condition ? { condition } : {}, toWrite(rt, data), extra, withMembers(rt, p));
  } catch (err) {
    return writeFailure(ctx, rt, id, err, memberIds);
  }
  return written(ctx, rt, row, p);
}

/**
 * PATCH: one round trip when the request needs nothing from the stored resource
 * (one-trip-patch.ts), else read, apply in code and write back (`rewrite`). The body is parsed
 * once, for both.
 */
export async function patchResource(ctx: ScimContext, rt: ResourceTypeDef, id: string, body: unknown, cond: Conditions, p?: Projection): Promise<Written> {
  const parsed = readPatchRequest(body);
  const plan = planPatch(ctx, rt, id, parsed, cond, p);
  const row = plan && (await runPlanned(ctx, rt, id, plan));
  if (row) return written(ctx, rt, row, p);
  return patchParsed(ctx, rt, id, parsed, cond, p);
}

/** The one-batch write of a PATCH (one-trip-patch.ts), or undefined when it must read first. */
export const planPatch = (ctx: ScimContext, rt: ResourceTypeDef, id: string, parsed: ParsedPatch, cond: Conditions, p?: Projection): PlannedWrite | undefined =>
  planOneTripPatch(ctx.db, rt, id, parsed, cond, withMembers(rt, p));

/**
 * Runs a planned write: the row its batch read back, or undefined when the batch found that the
 * stored resource does not fit the plan (`needs_read`: the caller applies the PATCH in code); any
 * other failure as the SCIM error it is.
 */
async function runPlanned(ctx: ScimContext, rt: ResourceTypeDef, id: string, plan: PlannedWrite): Promise<StoredResource | undefined> {
  try {
    return await writeAndReadBack(ctx.db, rt.name, plan.statements);
  } catch (err) {
    if (err instanceof DirectoryError && err.code === 'needs_read') return undefined;
    return writeFailure(ctx, rt, id, err, plan.memberIds);
  }
}

/**
 * PATCH read, applied in code (patch/apply-patch.ts) and written back: every shape, two round
 * trips; one when the caller read the row already (`read`, from `patchReadStatement`).
 */
export async function patchInCode(
  ctx: ScimContext,
  rt: ResourceTypeDef,
  id: string,
  body: unknown,
  cond: Conditions,
  p?: Projection,
  read?: StoredResource | null,
): Promise<Written> {
  return patchParsed(ctx, rt, id, readPatchRequest(body), cond, p, read);
}

async function patchParsed(
  ctx: ScimContext,
  rt: ResourceTypeDef,
  id: string,
  parsed: ParsedPatch,
  cond: Conditions,
  p?: Projection,
  read?: StoredResource | null,
): Promise<Written> {
  const row = await rewrite(
    ctx,
    rt,
    id,
    cond,
    p,
    async (current) => {
      // A body that does not parse is answered now: after the 404 and the 412 (RFC 7644 §3.5.2).
      if (parsed instanceof ScimError) throw parsed;
      const outcome = applyOperations(rt, JSON.parse(current.data) as JsonObject, parsed);
      // A password is accepted and dropped (prepareBody): a PATCH of only a password changes nothing.
      const { password: _password, ...data } = outcome.body;
      const sameData = deepEqual(data, JSON.parse(current.data) as JsonObject);
      const delta = outcome.members ? await memberChanges(ctx, rt, current, outcome.members) : undefined;
      // A PATCH that changes nothing (a value set to what it is) writes nothing: no new
      // meta.version, no change row for provisioning to push.
      if (sameData && !delta) return { data, extra: [], unchanged: true };
      const extra = delta?.statements ?? [];
      const memberIds = delta?.add ?? [];
      // Membership-only changes commute: no read-modify-write of the group, and the version moves
      // only if a member really comes or goes (adding a member twice is a no-op that writes nothing).
      if (delta && sameData) return { data, extra, memberIds, touch: delta.wouldChange };
      return { data, extra, memberIds };
    },
    read,
  );
  return written(ctx, rt, row, p);
}

/** The read `patchInCode` starts from, as a statement a caller may batch with others (Bulk). */
export const patchReadStatement = (ctx: ScimContext, rt: ResourceTypeDef, id: string, p?: Projection): D1PreparedStatement =>
  readBack(ctx.db, rt.name, id, withMembers(rt, p));

/**
 * A membership delta as statements run inside the write's batch, for the group read. Only
 * filters other than `value eq` read the member rows (a third round trip).
 */
async function memberChanges(ctx: ScimContext, rt: ResourceTypeDef, group: StoredResource, delta: MemberDelta) {
  const remove = new Set(delta.remove);
  if (delta.removeWhere.length > 0) {
    const isCaseExact = (path: { attr: string; sub?: string }) => {
      const r = resolvePath(rt, { attr: 'members', sub: path.sub ?? path.attr });
      return r?.sub?.caseExact ?? false;
    };
    for (const m of await membersOf(ctx.db, group.pk)) {
      const element = { value: m.id, type: m.type, display: m.display };
      if (delta.removeWhere.some((f) => matchesFilter(f, element, { isCaseExact }))) remove.add(m.id);
    }
  }
  return memberStatements(ctx.db, { sql: '?', params: [group.pk] }, delta, [...remove]);
}

export async function deleteById(ctx: ScimContext, rt: ResourceTypeDef, id: string, cond: Conditions): Promise<void> {
  try {
    await deleteResource(ctx.db, rt.name, id, preconditionSql(cond));
  } catch (err) {
    await writeFailure(ctx, rt, id, err);
  }
}
