/**
 * /Bulk (RFC 7644 §3.7): operations run in order through the same service as single requests.
 * `bulkId:x` references (in data or path) resolve to the ids created earlier in the request;
 * an operation whose reference is created later is retried once after the others (§3.7.1).
 */
import { etagOf } from './codec';
import { ScimError, badRequest } from './errors';
import { isObject, type Json, type JsonObject } from './schema/normalize';
import { groupResourceType, userResourceType } from './schema/registry';
import type { ResourceTypeDef } from './schema/types';
import { ID_ONLY } from './projection';
import type { Limits } from '../limits/profile';
import { CPU_MS } from '../limits/cpu';
import { chargeRequestCpu } from '../limits/meter';
import { assertBulkFits } from './bulk-cost';
import { planPatchRun, runPatchRun } from './bulk-patch-run';
import { createMany, createResource, deleteById, patchInCode, patchResource, replaceWhole, type ScimContext } from './service';
import type { StoredResource } from '../directory/types';

export const BULK_REQUEST_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

interface BulkOperation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  bulkId?: string;
  version?: string;
  path: string;
  data?: Json;
}

class UnresolvedReference extends Error {}

function parseRequest(body: unknown, limits: Limits): { ops: BulkOperation[]; failOnErrors: number } {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'A BulkRequest must be a JSON object.');
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const raw = key ? body[key] : undefined;
  if (!Array.isArray(raw)) throw badRequest('invalidSyntax', 'A BulkRequest needs an "Operations" array.');
  const failRaw = body.failOnErrors;
  if (failRaw !== undefined && (typeof failRaw !== 'number' || !Number.isInteger(failRaw) || failRaw < 1)) {
    throw badRequest('invalidValue', 'failOnErrors must be a positive integer.');
  }
  const ops = raw.map((op, i): BulkOperation => {
    if (!isObject(op)) throw badRequest('invalidSyntax', `Operations[${i}] must be an object.`);
    const method = typeof op.method === 'string' ? op.method.toUpperCase() : '';
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) throw badRequest('invalidSyntax', `Operations[${i}].method must be POST, PUT, PATCH or DELETE.`);
    if (typeof op.path !== 'string') throw badRequest('invalidSyntax', `Operations[${i}].path is required.`);
    if (method === 'POST' && typeof op.bulkId !== 'string') throw badRequest('invalidValue', `Operations[${i}]: a POST needs a bulkId.`);
    return {
      method: method as BulkOperation['method'],
      path: op.path,
      ...(typeof op.bulkId === 'string' ? { bulkId: op.bulkId } : {}),
      ...(typeof op.version === 'string' ? { version: op.version } : {}),
      ...(op.data !== undefined ? { data: op.data } : {}),
    };
  });
  // Refused before anything runs: a Bulk's cost stays within the invocation (bulk-cost.ts).
  assertBulkFits(ops, limits);
  return { ops, failOnErrors: (failRaw as number | undefined) ?? Number.POSITIVE_INFINITY };
}

const BULK_REF = /^bulkId:(.+)$/;

/** Replaces every "bulkId:x" string with the id created for x. */
function resolveRefs(value: Json, ids: Map<string, string>): Json {
  if (typeof value === 'string') {
    const m = BULK_REF.exec(value);
    if (!m) return value;
    const id = ids.get(m[1]!);
    if (!id) throw new UnresolvedReference(m[1]!);
    return id;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, ids));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, ids)]));
  return value;
}

function target(path: string, ids: Map<string, string>): { rt: ResourceTypeDef; id?: string } {
  const m = /^\/?(Users|Groups)(?:\/([^/]+))?\/?$/i.exec(path);
  if (!m) throw badRequest('invalidPath', `Unknown bulk operation path "${path}".`);
  const rt = m[1]!.toLowerCase() === 'users' ? userResourceType : groupResourceType;
  return { rt, ...(m[2] ? { id: resolveRefs(decodePathSegment(m[2]), ids) as string } : {}) };
}

/** `/Users/%E0%A4%A` is the client's malformed path, not a fault of ours: invalidPath. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('invalidPath', `The bulk operation path segment "${segment}" is not valid percent-encoding.`);
  }
}

/** `read`: the row a PATCH is applied to, read already in a shared batch (bulk-patch-run.ts). */
async function runOne(ctx: ScimContext, op: BulkOperation, ids: Map<string, string>, read?: StoredResource | null): Promise<JsonObject> {
  const { rt, id } = target(op.path, ids);
  const data = op.data === undefined ? undefined : resolveRefs(op.data, ids);
  const cond = op.version ? { ifMatch: op.version } : {};
  const echo = { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}) };
  if (op.method === 'POST') {
    if (id) throw badRequest('invalidPath', 'POST goes to /Users or /Groups.');
    const w = await createResource(ctx, rt, data, ID_ONLY);
    ids.set(op.bulkId!, w.resource.id as string);
    return { ...echo, location: w.location, version: etagOf(w.version), status: '201' };
  }
  if (!id) throw badRequest('invalidPath', `${op.method} needs a resource id in its path.`);
  if (op.method === 'DELETE') {
    await deleteById(ctx, rt, id, cond);
    return { ...echo, location: `${ctx.baseUrl}${rt.endpoint}/${id}`, status: '204' };
  }
  const w =
    op.method === 'PUT'
      ? await replaceWhole(ctx, rt, id, data, cond, ID_ONLY)
      : read !== undefined
        ? await patchInCode(ctx, rt, id, data, cond, ID_ONLY, read)
        : await patchResource(ctx, rt, id, data, cond, ID_ONLY);
  return { ...echo, location: w.location, version: etagOf(w.version), status: '200' };
}

/**
 * A group created with members goes the one-at-a-time path (createMany refuses it only after
 * resolving its members): left in a run, each later run re-resolved every group after it — 50
 * such groups cost 1,349 D1 queries instead of 100.
 */
const hasMembers = (data: Json | undefined) => isObject(data) && Array.isArray(data.members) && data.members.length > 0;

/** Consecutive creates written in one D1 batch: how far a run of them reaches from `start`. */
const CREATE_RUN = 100;

function createRunEnd(ops: BulkOperation[], start: number, failOnErrors: number): number {
  // failOnErrors counts errors in order; a batch could create past the one that should stop it.
  if (Number.isFinite(failOnErrors)) return start;
  const path = ops[start]!.path.replace(/\/+$/, '').toLowerCase();
  let end = start;
  while (
    end < ops.length &&
    end - start < CREATE_RUN &&
    ops[end]!.method === 'POST' &&
    ops[end]!.path.replace(/\/+$/, '').toLowerCase() === path &&
    !JSON.stringify(ops[end]!.data ?? null).includes('"bulkId:') &&
    !hasMembers(ops[end]!.data)
  ) {
    end++;
  }
  return end;
}

/** A run of creates as one batch; undefined when it must go one at a time (conflict, members). */
async function createRun(ctx: ScimContext, run: BulkOperation[], ids: Map<string, string>): Promise<JsonObject[] | undefined> {
  const { rt } = target(run[0]!.path, ids);
  const out = await createMany(
    ctx,
    rt,
    run.map((op) => op.data),
    ID_ONLY,
  );
  if (!out) return undefined;
  return out.map((w, k) => {
    const op = run[k]!;
    if (w instanceof ScimError) return failure(op, w);
    ids.set(op.bulkId!, w.resource.id as string);
    return { method: op.method, bulkId: op.bulkId!, location: w.location, version: etagOf(w.version), status: '201' };
  });
}

/**
 * RFC 7644 §3.7.3: the BulkResponse reports each operation's own status. Earlier operations have
 * committed by the time a later one fails, so a bug in one operation must not turn the whole
 * response into a 500 — the client would retry operations that already applied. It is logged
 * and reported as that operation's 500; its own batch was never written or rolled back whole.
 */
function unexpected(err: unknown): ScimError {
  console.error(JSON.stringify({ event: 'bulk_operation_failed', error: String(err), stack: (err as Error)?.stack }));
  return new ScimError(500, 'Internal server error.');
}

function failure(op: BulkOperation, err: ScimError): JsonObject {
  return { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), status: String(err.status), response: err.toJSON() as JsonObject };
}

export async function runBulk(ctx: ScimContext, body: unknown, limits: Limits): Promise<JsonObject> {
  const { ops, failOnErrors } = parseRequest(body, limits);
  // What the operations cost comes out of the automatic dispatch this write starts in its waitUntil (limits/budget.ts).
  chargeRequestCpu(ops.length * CPU_MS.bulkOperation);
  const ids = new Map<string, string>();
  const results: (JsonObject | undefined)[] = new Array(ops.length);
  let errors = 0;
  const attempt = async (i: number, final: boolean, read?: StoredResource | null): Promise<boolean> => {
    try {
      results[i] = await runOne(ctx, ops[i]!, ids, read);
    } catch (err) {
      if (err instanceof UnresolvedReference) {
        if (!final) return false;
        results[i] = failure(ops[i]!, new ScimError(409, `bulkId "${err.message}" is not created by any operation of this request.`, 'invalidValue'));
      } else if (err instanceof ScimError) results[i] = failure(ops[i]!, err);
      else results[i] = failure(ops[i]!, unexpected(err));
      errors++;
    }
    return true;
  };
  const deferred: number[] = [];
  for (let i = 0; i < ops.length && errors < failOnErrors; ) {
    const end = createRunEnd(ops, i, failOnErrors);
    if (end > i + 1) {
      // A batch is all or nothing: if it fails at all, its operations go one at a time and each reports its own status.
      const done = await createRun(ctx, ops.slice(i, end), ids).catch(() => undefined);
      if (done) {
        done.forEach((r, k) => (results[i + k] = r));
        errors += done.filter((r) => r.status !== '201').length;
        i = end;
        continue;
      }
    }
    // failOnErrors counts errors in order; a shared batch could write past the one that should stop it.
    // A PATCH not followed by another runs alone, planned once (by patchResource), not twice.
    const patches =
      Number.isFinite(failOnErrors) || ops[i]!.method !== 'PATCH' || ops[i + 1]?.method !== 'PATCH'
        ? []
        : planPatchRun(ctx, ops, i, (path) => target(path, ids));
    if (patches.length > 1) {
      const done = await runPatchRun(ctx, patches);
      for (let k = 0; k < patches.length; k++) {
        const outcome = done?.[k];
        if (outcome && 'result' in outcome) results[i + k] = outcome.result;
        else await attempt(i + k, true, outcome?.read);
      }
      i += patches.length;
      continue;
    }
    if (!(await attempt(i, false))) deferred.push(i);
    i++;
  }
  for (const i of deferred) if (errors < failOnErrors) await attempt(i, true);
  return { schemas: [BULK_RESPONSE_URN], Operations: results.filter((r): r is JsonObject => r !== undefined) };
}
