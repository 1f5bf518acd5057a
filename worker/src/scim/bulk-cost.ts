/**
 * What a BulkRequest may cost, known before it runs (RFC 7644 §3.7.4 lets the service provider
 * refuse a request too large for it with 413). Without this a Bulk is an amplifier: measured on a
 * Bulk of 50 group creates with 20 members each, 1,349 D1 queries in one invocation, past the
 * Paid plan's 1,000, and any `scim:write` token could send one.
 *
 * Each operation is charged the D1 queries it may make at most (measured with the limits meter:
 * a user create is batched with its neighbours, a group create resolves its members in one read
 * and writes them in one batch, a replace or patch reads then writes), member lists by the chunk
 * of bound parameters they are resolved in. A one-trip PATCH (one-trip-patch.ts) costs one batch,
 * and one read more to name unknown member ids; in a batch shared with its neighbours
 * (bulk-patch-run.ts) it costs a share of that batch, and if the shared batch fails, its own again:
 * at most 3, within the PATCH's charge. A one-trip PATCH with a value filter in a path (Entra
 * ID's `emails[type eq "work"].value`) may find its batch refused for what is stored
 * (`needs_read`) and then read and write: 3 of its own, and 1 more for a shared batch that failed,
 * so it is charged 4, and so is one that adds to a user's multi-valued attribute (`add` of
 * `emails`), whose batch may be refused the same way. A PATCH of another shape in such a batch puts only its
 * read there, then writes on its own as before; a batch of reads fails only with a one-trip PATCH
 * in it, whose charge has a query to spare for it. maxOperations, advertised in /ServiceProviderConfig,
 * is the count for which any mix of operations fits the invocation's D1 queries.
 */
import { budgetFor, type Limits } from '../limits/profile';
import { ScimError } from './errors';
import { readPatchRequest } from './patch';
import { isObject, type Json } from './schema/normalize';

/** the dearest operation without a member list: a group create (resolve, insert, members, change row) */
const MAX_OPERATION_QUERIES = 4;
/** the request's own queries: the token check and the response's reads */
const REQUEST_QUERIES = 2;
/** member ids resolved per D1 read (100 bound parameters per statement, a few kept for the rest) */
const MEMBERS_PER_QUERY = 90;
/** RFC 7644 §3.7.4 leaves the number to the service provider; no profile goes past this */
const CEILING = 1000;

export interface CostedOperation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  data?: Json;
}

const QUERIES_BY_METHOD: Record<CostedOperation['method'], number> = { POST: 2, PUT: 3, PATCH: 3, DELETE: 2 };

/** Operations any mix of which fits one HTTP invocation of the profile. */
export function bulkMaxOperations(limits: Limits): number {
  return Math.max(1, Math.min(CEILING, Math.floor((budgetFor(limits, 'http').d1Queries - REQUEST_QUERIES) / MAX_OPERATION_QUERIES)));
}

/** Member references an operation carries: `members` of a group body, or a PATCH's member values. */
function memberCount(data: Json | undefined): number {
  if (!isObject(data)) return 0;
  const members = Array.isArray(data.members) ? data.members.length : 0;
  const ops = Array.isArray(data.Operations) ? data.Operations : [];
  return ops.reduce<number>((n, op) => {
    if (!isObject(op)) return n;
    const value = op.value;
    if (Array.isArray(value)) return n + value.length;
    if (isObject(value) && Array.isArray(value.members)) return n + value.members.length;
    return n;
  }, members);
}

/**
 * A PATCH its one-trip batch may refuse (one-trip-patch.ts): a value filter in an operation's
 * path, or (not for a Group, whose members are rows) an `add`, which may append to a
 * multi-valued attribute.
 */
function mayBeRefused(data: Json | undefined, isGroup: boolean): boolean {
  const ops = readPatchRequest(data);
  return Array.isArray(ops) && ops.some((op) => op.path?.includes('[') || (!isGroup && op.op === 'add'));
}

export function operationQueries(op: CostedOperation): number {
  const isGroup = /^\/?groups/i.test(op.path);
  const members = isGroup ? memberCount(op.data) : 0;
  const refused = op.method === 'PATCH' && mayBeRefused(op.data, isGroup) ? 1 : 0;
  return QUERIES_BY_METHOD[op.method] + (isGroup ? 1 : 0) + refused + Math.ceil(members / MEMBERS_PER_QUERY);
}

/** Refuses, before anything runs, a request whose operations could need more than the invocation allows. */
export function assertBulkFits(ops: CostedOperation[], limits: Limits): void {
  const max = bulkMaxOperations(limits);
  if (ops.length > max)
    throw new ScimError(
      413,
      `A BulkRequest may hold at most ${max} operations on this relay (its ${limits.name} plan's limits); this one has ${ops.length}. Send it in smaller requests.`,
    );
  const allowed = budgetFor(limits, 'http').d1Queries - REQUEST_QUERIES;
  const cost = ops.reduce((n, op) => n + operationQueries(op), 0);
  if (cost > allowed)
    throw new ScimError(
      413,
      `This BulkRequest could need ${cost} database queries (its member lists count one per ${MEMBERS_PER_QUERY} members); one request may make at most ${allowed} on this relay's ${limits.name} plan. Send it in smaller requests.`,
    );
}
