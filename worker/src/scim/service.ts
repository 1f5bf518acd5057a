/**
 * The SCIM operations on one resource type, independent of HTTP: the routes and /Bulk both call
 * these. Transport → this domain → directory (D1).
 */
import {
  addMemberStatements,
  clearMembersStatement,
  groupsOfMany,
  membersOf,
  membersOfMany,
  removeMemberStatements,
  resolveMembers,
  resolveMembersOf,
} from '../directory/memberships';
import { deleteResource, insertResource, insertResources, loadResource, replaceResource, touchResource } from '../directory/resources';
import { DirectoryError, type ResourceKind, type StoredResource } from '../directory/types';
import { toResource, toWrite } from './codec';
import { checkPreconditions } from './etag';
import { ScimError, badRequest, notFound } from './errors';
import { matchesFilter } from './filter/match';
import { applyPatch, type MemberDelta } from './patch';
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

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
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

async function load(ctx: ScimContext, rt: ResourceTypeDef, id: string): Promise<StoredResource> {
  const row = await loadResource(ctx.db, rt.name, id);
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
  const members =
    wants(p, 'members') && rows.length > 0
      ? await membersOfMany(
          ctx.db,
          rows.map((r) => r.pk),
        )
      : undefined;
  return rows.map((r) => project(rt, toResource(rt, r, { baseUrl: ctx.baseUrl, ...(members ? { members: members.get(r.pk) ?? [] } : {}) }), p));
}

const written = async (ctx: ScimContext, rt: ResourceTypeDef, row: StoredResource, p?: Projection): Promise<Written> => ({
  resource: (await render(ctx, rt, [row], p))[0]!,
  version: row.version,
  location: `${ctx.baseUrl}${rt.endpoint}/${row.id}`,
});

/** Validates a whole body (POST, PUT) and splits off what is not stored in `data`. */
async function prepareBody(ctx: ScimContext, rt: ResourceTypeDef, body: unknown, mode: 'create' | 'replace') {
  const normalized = normalizeResource(rt, body);
  const valid = parseOrThrow<JsonObject>(resourceSchema(rt, mode), normalized);
  // RFC 7643 §4.1.1 `password`: accepted, never kept nor sent on (README: Passwords).
  const { password: _password, members, ...data } = valid;
  // A user created without `active` is active: deprovisioning is an explicit `active: false`.
  if (rt.name === 'User' && mode === 'create' && data.active === undefined) data.active = true;
  const memberIds = Array.isArray(members) ? members.map((m) => (isObject(m) ? m.value : undefined)).filter((v): v is string => typeof v === 'string') : [];
  const resolved = rt.name === 'Group' ? await resolveMemberIds(ctx, memberIds) : [];
  return { data, resolved };
}

async function resolveMemberIds(ctx: ScimContext, ids: string[]): Promise<{ id: string; type: ResourceKind }[]> {
  if (ids.length === 0) return [];
  const found = await resolveMembers(ctx.db, ids);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw badRequest('invalidValue', `Unknown member id(s): ${missing.slice(0, 5).join(', ')}.`);
  return [...new Set(ids)].map((id) => ({ id, type: found.get(id)! }));
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
const fresh = (rt: ResourceTypeDef, row: StoredResource): StoredResource => (rt.name === 'User' ? { ...row, groupsJson: '[]' } : row);

export async function createResource(ctx: ScimContext, rt: ResourceTypeDef, body: unknown, p?: Projection): Promise<Written> {
  const { data, resolved } = await prepareBody(ctx, rt, body, 'create');
  const id = crypto.randomUUID();
  const extra = rt.name === 'Group' ? addMemberStatements(ctx.db, '(SELECT pk FROM groups WHERE id = ?)', [id], resolved) : [];
  try {
    const row = await insertResource(ctx.db, rt.name, id, toWrite(rt, data), extra);
    return await written(ctx, rt, fresh(rt, row), p);
  } catch (err) {
    directoryFailure(err);
  }
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
        const { data, resolved } = await prepareBody(ctx, rt, body, 'create');
        if (resolved.length > 0) return undefined; // members: the one-at-a-time path
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
  return written(ctx, rt, await load(ctx, rt, id), p);
}

/**
 * Read, compute, write-if-unchanged. Without If-Match a concurrent write is retried from a fresh
 * read; with If-Match it is the client's precondition and fails with 412.
 */
async function rewrite(
  ctx: ScimContext,
  rt: ResourceTypeDef,
  id: string,
  cond: Conditions,
  compute: (row: StoredResource) => Promise<{ data: JsonObject; extra: D1PreparedStatement[]; commutes?: boolean; unchanged?: boolean }>,
): Promise<StoredResource> {
  for (let attempt = 1; ; attempt++) {
    const row = await load(ctx, rt, id);
    checkPreconditions(cond, row.version);
    const { data, extra, commutes, unchanged } = await compute(row);
    if (unchanged) return row;
    if (commutes) return touchResource(ctx.db, rt.name, row, extra);
    try {
      return await replaceResource(ctx.db, rt.name, row, toWrite(rt, data), extra);
    } catch (err) {
      const contended = err instanceof DirectoryError && err.code === 'version_mismatch' && cond.ifMatch === undefined;
      if (!contended) directoryFailure(err);
      if (attempt >= MAX_WRITE_ATTEMPTS)
        throw new ScimError(503, `${rt.name} "${id}" is being changed by many requests at once; retry shortly.`, undefined, { 'retry-after': '1' });
      await backoff(attempt);
    }
  }
}

export async function replaceWhole(ctx: ScimContext, rt: ResourceTypeDef, id: string, body: unknown, cond: Conditions, p?: Projection): Promise<Written> {
  const row = await rewrite(ctx, rt, id, cond, async (current) => {
    const { data, resolved } = await prepareBody(ctx, rt, body, 'replace');
    // RFC 7644 §3.5.1: PUT replaces all members too — an absent list means no members.
    const extra = rt.name === 'Group' ? [clearMembersStatement(ctx.db, current.pk), ...addMemberStatements(ctx.db, '?', [current.pk], resolved)] : [];
    return { data, extra };
  });
  return written(ctx, rt, row, p);
}

export async function patchResource(ctx: ScimContext, rt: ResourceTypeDef, id: string, body: unknown, cond: Conditions, p?: Projection): Promise<Written> {
  const row = await rewrite(ctx, rt, id, cond, async (current) => {
    const outcome = applyPatch(rt, JSON.parse(current.data) as JsonObject, body);
    // A password is accepted and dropped (prepareBody): a PATCH of only a password changes nothing.
    const { password: _password, ...data } = outcome.body;
    const extra = outcome.members ? await memberStatements(ctx, rt, current, outcome.members) : [];
    const sameData = deepEqual(data, JSON.parse(current.data) as JsonObject);
    // A PATCH that changes nothing (a value set to what it is, a member added twice) writes
    // nothing: no new meta.version, no change row for provisioning to push.
    if (sameData && extra.length === 0) return { data, extra, unchanged: true };
    // Membership-only changes commute: no read-modify-write of the group, so no version guard.
    const membersOnly = outcome.members !== undefined && cond.ifMatch === undefined && sameData;
    return { data, extra, ...(membersOnly ? { commutes: true } : {}) };
  });
  return written(ctx, rt, row, p);
}

/** Membership deltas as statements; only filters other than `value eq` read the member rows. */
async function memberStatements(ctx: ScimContext, rt: ResourceTypeDef, group: StoredResource, delta: MemberDelta): Promise<D1PreparedStatement[]> {
  // Without a clear, only the members that would change are written: adding a member twice or
  // removing a non-member is a no-op, and a PATCH of nothing but no-ops writes nothing at all.
  const ids = delta.clear ? delta.add : [...delta.add, ...delta.remove];
  const known = ids.length > 0 ? await resolveMembersOf(ctx.db, group.pk, ids) : new Map<string, { type: ResourceKind; member: boolean }>();
  const isMember = (id: string) => !delta.clear && known.get(id)?.member === true;
  const remove = new Set(delta.clear ? delta.remove : delta.remove.filter(isMember));
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
  // A member is re-added when a filter above removes it (`remove members[type eq "User"]`, then `add`).
  const adding = [...new Set(delta.add)].filter((id) => !isMember(id) || remove.has(id));
  const missing = adding.filter((id) => !known.has(id));
  if (missing.length > 0) throw badRequest('invalidValue', `Unknown member id(s): ${missing.slice(0, 5).join(', ')}.`);
  const add = adding.map((id) => ({ id, type: known.get(id)!.type }));
  return [
    ...(delta.clear ? [clearMembersStatement(ctx.db, group.pk)] : []),
    ...removeMemberStatements(ctx.db, group.pk, [...remove]),
    ...addMemberStatements(ctx.db, '?', [group.pk], add),
  ];
}

export async function deleteById(ctx: ScimContext, rt: ResourceTypeDef, id: string, cond: Conditions): Promise<void> {
  const row = await load(ctx, rt, id);
  checkPreconditions(cond, row.version);
  try {
    await deleteResource(ctx.db, rt.name, row, cond.ifMatch !== undefined);
  } catch (err) {
    directoryFailure(err);
  }
}
