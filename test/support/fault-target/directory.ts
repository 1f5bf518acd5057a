/**
 * The fault target's SCIM service: in-memory Users and Groups with the answers a provisioning
 * client relies on (RFC 7644 §3): 201 + Location on create, 409 `uniqueness` on a taken
 * userName, filtered lists, PUT, PATCH, 204 on DELETE, ServiceProviderConfig.
 */
import { randomUUID } from 'node:crypto';
import type { TargetConfig, TargetState } from '../provided-context';
import { compileFilter } from './filter';
import { applyPatch, PatchError } from './patch';

type Resource = Record<string, unknown>;

export interface ScimReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

export function scimError(status: number, detail: string, scimType?: string): ScimReply {
  return { status, body: { schemas: [ERROR_URN], status: String(status), detail, ...(scimType ? { scimType } : {}) } };
}

const KINDS = {
  Users: { resourceType: 'User', schema: USER_URN, required: 'userName' },
  Groups: { resourceType: 'Group', schema: GROUP_URN, required: 'displayName' },
} as const;
type Kind = keyof typeof KINDS;

export class Directory {
  private readonly resources: Record<Kind, Map<string, Resource>> = { Users: new Map(), Groups: new Map() };

  state(): TargetState {
    return { users: [...this.resources.Users.values()], groups: [...this.resources.Groups.values()] };
  }

  /** `path` is below /scim/v2, e.g. `/Users/abc`; `base` is the absolute /scim/v2 URL. */
  handle(method: string, path: string, query: Record<string, string>, body: unknown, base: string, config: TargetConfig): ScimReply {
    const [, kindName, id, ...rest] = path.split('/');
    if (kindName === 'ServiceProviderConfig' && method === 'GET') return { status: 200, body: serviceProviderConfig(config) };
    if (kindName !== 'Users' && kindName !== 'Groups') return scimError(404, `Nothing at ${path}.`);
    if (rest.length > 0) return scimError(404, `Nothing at ${path}.`);
    const kind: Kind = kindName;
    if (id === undefined || id === '') {
      if (method === 'GET') return this.list(kind, query);
      if (method === 'POST') return this.create(kind, body, base);
      return scimError(405, `${method} not allowed on /${kind}.`);
    }
    const existing = this.resources[kind].get(id);
    if (!existing) return scimError(404, `${KINDS[kind].resourceType} ${id} not found.`);
    switch (method) {
      case 'GET':
        return { status: 200, body: existing };
      case 'PUT':
        return this.replace(kind, existing, body);
      case 'PATCH':
        return this.patch(kind, existing, body, config);
      case 'DELETE':
        this.remove(kind, id);
        return { status: 204 };
      default:
        return scimError(405, `${method} not allowed.`);
    }
  }

  private list(kind: Kind, query: Record<string, string>): ScimReply {
    let all = [...this.resources[kind].values()];
    if (query.filter) {
      try {
        all = all.filter(compileFilter(query.filter));
      } catch (e) {
        return scimError(400, `Bad filter: ${(e as Error).message}`, 'invalidFilter');
      }
    }
    const startIndex = Math.max(1, Number(query.startIndex ?? 1) || 1);
    const count = Math.max(0, Number(query.count ?? 100) || 0);
    const page = all.slice(startIndex - 1, startIndex - 1 + count);
    return { status: 200, body: { schemas: [LIST_URN], totalResults: all.length, startIndex, itemsPerPage: page.length, Resources: page } };
  }

  private create(kind: Kind, body: unknown, base: string): ScimReply {
    const input = asObject(body);
    if (!input) return scimError(400, 'The body must be a JSON object.', 'invalidSyntax');
    const { required, resourceType, schema } = KINDS[kind];
    if (typeof input[required] !== 'string' || input[required] === '') return scimError(400, `${required} is required.`, 'invalidValue');
    const conflict = this.uniquenessConflict(kind, input, undefined);
    if (conflict) return conflict;
    const id = randomUUID();
    const now = new Date().toISOString();
    const { id: _ignoredId, meta: _ignoredMeta, ...attrs } = input;
    const location = `${base}/${kind}/${id}`;
    const resource: Resource = {
      schemas: [schema],
      ...(kind === 'Users' ? { active: true } : {}),
      ...attrs,
      id,
      meta: { resourceType, created: now, lastModified: now, location, version: 'W/"1"' },
    };
    this.resources[kind].set(id, resource);
    return { status: 201, body: resource, headers: { location } };
  }

  private replace(kind: Kind, existing: Resource, body: unknown): ScimReply {
    const input = asObject(body);
    if (!input) return scimError(400, 'The body must be a JSON object.', 'invalidSyntax');
    const conflict = this.uniquenessConflict(kind, input, existing.id as string);
    if (conflict) return conflict;
    const { id: _ignoredId, meta: _ignoredMeta, ...attrs } = input;
    for (const key of Object.keys(existing)) if (key !== 'id' && key !== 'meta') delete existing[key];
    Object.assign(existing, { schemas: [KINDS[kind].schema], ...attrs });
    return this.touched(existing);
  }

  private patch(kind: Kind, existing: Resource, body: unknown, config: TargetConfig): ScimReply {
    if (!config.patch) return scimError(501, 'PATCH is not supported.');
    const draft = structuredClone(existing);
    try {
      applyPatch(draft, body);
    } catch (e) {
      if (e instanceof PatchError) return scimError(400, e.message, e.scimType);
      return scimError(400, (e as Error).message, 'invalidValue');
    }
    const conflict = this.uniquenessConflict(kind, draft, existing.id as string);
    if (conflict) return conflict;
    for (const key of Object.keys(existing)) delete existing[key];
    Object.assign(existing, draft, { id: existing.id ?? draft.id });
    return this.touched(existing);
  }

  private remove(kind: Kind, id: string): void {
    this.resources[kind].delete(id);
    if (kind !== 'Users') return;
    for (const group of this.resources.Groups.values()) {
      if (Array.isArray(group.members)) group.members = group.members.filter((m: Resource) => m.value !== id);
    }
  }

  private touched(resource: Resource): ScimReply {
    const meta = resource.meta as Resource;
    const version = Number(String(meta.version).replace(/\D/g, '')) + 1;
    meta.version = `W/"${version}"`;
    meta.lastModified = new Date().toISOString();
    return { status: 200, body: resource };
  }

  /** userName is unique, case-insensitively (RFC 7643 §4.1.1). */
  private uniquenessConflict(kind: Kind, input: Resource, selfId: string | undefined): ScimReply | undefined {
    if (kind !== 'Users' || typeof input.userName !== 'string') return undefined;
    const wanted = input.userName.toLowerCase();
    for (const user of this.resources.Users.values()) {
      if (user.id !== selfId && String(user.userName).toLowerCase() === wanted) {
        return scimError(409, `userName ${input.userName} is already taken.`, 'uniqueness');
      }
    }
    return undefined;
  }
}

function asObject(body: unknown): Resource | undefined {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Resource) : undefined;
}

function serviceProviderConfig(config: TargetConfig): unknown {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: config.patch },
    bulk: { supported: config.bulk, maxOperations: config.bulk ? 100 : 0, maxPayloadSize: config.bulk ? 1_048_576 : 0 },
    filter: { supported: true, maxResults: 100 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'Bearer token', primary: true }],
  };
}
