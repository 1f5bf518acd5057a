/**
 * The SCIM 2.0 client the provisioning engine talks to a target with (RFC 7644 §3). Each
 * method resolves to a Result; failures are classified once (classify.ts) and carry the policy
 * the dispatcher applies (../failure.ts).
 */
import type { JsonObject } from '../../scim/schema/normalize';
import type { Failure } from '../failure';
import { classify } from './classify';
import { readAs, readList, readNothing, readOptionalResource, readResource } from './readers';
import { buildFilter } from './filter';
import { bulkResponseSchema, serviceProviderConfigSchema, type ScimResource, type ServiceProviderConfig } from './schemas';
import { createTransport, type ScimConnection } from './transport';
import type { BulkOperation, BulkOperationResult, ClientHooks, PatchOp, Result, WriteOptions } from './types';

export const SCIM_PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_BULK_REQUEST_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** Two results are enough to tell "one match" from "ambiguous" without listing a directory. */
const MATCH_COUNT = 2;

export interface ScimClient {
  serviceProviderConfig(): Promise<Result<ServiceProviderConfig>>;
  /** GET /Users?filter=…&count=2: the matching users (build the filter with buildFilter) */
  findUsers(filter: string): Promise<Result<ScimResource[]>>;
  /** GET /Users?filter=…&count=n: one page of matches for many values at once (Bulk matching) */
  searchUsers(filter: string, count: number): Promise<Result<ScimResource[]>>;
  getUser(id: string): Promise<Result<ScimResource>>;
  createUser(body: JsonObject): Promise<Result<ScimResource>>;
  /** `opts.ifMatch`: the version last read, sent as If-Match (a precondition_failed failure once it moved) */
  replaceUser(id: string, body: JsonObject, opts?: WriteOptions): Promise<Result<ScimResource>>;
  /** the resource when the target returned it (200), undefined for 204; `opts` as for replaceUser */
  patchUser(id: string, ops: readonly PatchOp[], opts?: WriteOptions): Promise<Result<ScimResource | undefined>>;
  deleteUser(id: string): Promise<Result<undefined>>;
  findGroupByDisplayName(displayName: string): Promise<Result<ScimResource[]>>;
  createGroup(body: JsonObject): Promise<Result<ScimResource>>;
  patchGroup(id: string, ops: readonly PatchOp[]): Promise<Result<ScimResource | undefined>>;
  deleteGroup(id: string): Promise<Result<undefined>>;
  /** POST /Bulk (RFC 7644 §3.7); each operation's outcome is classified like a response */
  bulk(operations: readonly BulkOperation[], opts?: { failOnErrors?: number }): Promise<Result<BulkOperationResult[]>>;
  /**
   * A connector whose target has no place for some groups (a Drupal site holds only the groups
   * mapped to roles) says why here; the group push then skips the group without a request.
   */
  declineGroup?(displayName: string): string | undefined;
  /**
   * Members per patchGroup call for a connector that changes membership one account at a time
   * (Drupal: a read and a write per member); the group push then works through a large group
   * over several claims. Unset: SCIM, where a chunk of 500 is one request.
   */
  membershipChunk?: number;
  /** where a request the engine names by its SCIM path (`/Users/{id}`) goes on this target: dry-run records and plans */
  requestPath?(scimPath: string): string;
}

export function createScimClient(conn: ScimConnection, hooks: ClientHooks = {}): ScimClient {
  const send = createTransport(conn, hooks);
  const item = (type: 'Users' | 'Groups', id: string) => `/${type}/${encodeURIComponent(id)}`;
  const search = (type: 'Users' | 'Groups', filter: string) => send('GET', `/${type}?filter=${encodeURIComponent(filter)}&count=${MATCH_COUNT}`, readList);
  const patchBody = (ops: readonly PatchOp[]) => ({ schemas: [SCIM_PATCH_OP_URN], Operations: ops });

  return {
    serviceProviderConfig: () => send('GET', '/ServiceProviderConfig', readAs(serviceProviderConfigSchema, 'ServiceProviderConfig'), { discovery: true }),
    findUsers: (filter) => search('Users', filter),
    searchUsers: (filter, count) => send('GET', `/Users?filter=${encodeURIComponent(filter)}&count=${count}`, readList),
    getUser: (id) => send('GET', item('Users', id), readResource),
    createUser: (body) => send('POST', '/Users', readResource, { body }),
    replaceUser: (id, body, opts = {}) => send('PUT', item('Users', id), readResource, { body, ...(opts.ifMatch ? { ifMatch: opts.ifMatch } : {}) }),
    patchUser: (id, ops, opts = {}) =>
      send('PATCH', item('Users', id), readOptionalResource, { body: patchBody(ops), ...(opts.ifMatch ? { ifMatch: opts.ifMatch } : {}) }),
    deleteUser: (id) => send('DELETE', item('Users', id), readNothing),
    findGroupByDisplayName: (displayName) => search('Groups', buildFilter('displayName', displayName)),
    createGroup: (body) => send('POST', '/Groups', readResource, { body }),
    patchGroup: (id, ops) => send('PATCH', item('Groups', id), readOptionalResource, { body: patchBody(ops) }),
    deleteGroup: (id) => send('DELETE', item('Groups', id), readNothing),
    async bulk(operations, opts = {}) {
      const body = {
        schemas: [SCIM_BULK_REQUEST_URN],
        ...(opts.failOnErrors === undefined ? {} : { failOnErrors: opts.failOnErrors }),
        Operations: operations,
      };
      const result = await send('POST', '/Bulk', readAs(bulkResponseSchema, 'BulkResponse'), { body });
      if (!result.ok) return result;
      return { ...result, value: result.value.Operations.map(toBulkResult) };
    },
  };
}

type BulkResponseOp = ReturnType<typeof bulkResponseSchema.parse>['Operations'][number];

function toBulkResult(op: BulkResponseOp): BulkOperationResult {
  const status = typeof op.status === 'number' ? op.status : op.status.code;
  const response = typeof op.response === 'object' && op.response !== null && !Array.isArray(op.response) ? (op.response as JsonObject) : undefined;
  const failure: Failure | undefined = status >= 200 && status < 300 ? undefined : classify(status, new Headers(), response ? JSON.stringify(response) : '');
  return {
    method: op.method,
    status,
    ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }),
    ...(op.location === undefined ? {} : { location: op.location }),
    ...(typeof op.version === 'string' ? { version: op.version } : {}),
    ...(response === undefined ? {} : { response }),
    ...(failure === undefined ? {} : { failure }),
  };
}
