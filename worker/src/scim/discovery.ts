/**
 * Discovery (RFC 7644 §4, RFC 7643 §5–7), generated from the attribute registry and the
 * limits the code enforces, so the documents advertise exactly what works.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { ScimError, notFound } from './errors';
import { allowOnly } from './method-not-allowed';
import { parseLimits, type Limits } from '../limits/profile';
import { bulkMaxOperations } from './bulk-cost';
import { baseUrlOf, MAX_PAYLOAD_BYTES, scimJson } from './http';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './list-params';
import { LIST_RESPONSE_URN } from './list';
import { RESOURCE_TYPES, SCHEMAS } from './schema/registry';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './schema/types';

const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

export function serviceProviderConfig(base: string, limits: Limits) {
  return {
    schemas: [SPC_URN],
    documentationUri: 'https://github.com/scim-relay/scim-relay#readme',
    patch: { supported: true },
    bulk: { supported: true, maxOperations: bulkMaxOperations(limits), maxPayloadSize: MAX_PAYLOAD_BYTES },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    // RFC 9865 §4: cursor and index paging are both offered.
    pagination: { cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: DEFAULT_PAGE_SIZE, maxPageSize: MAX_PAGE_SIZE },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'A relay token in the Authorization header: "Authorization: Bearer <token>" (RFC 6750).',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

function attributeDoc(a: AttributeDef): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attributeDoc) } : {}),
  };
}

export const schemaDoc = (s: SchemaDef, base: string) => ({
  schemas: [SCHEMA_URN],
  id: s.id,
  name: s.name,
  description: s.description,
  attributes: s.attributes.map(attributeDoc),
  meta: { resourceType: 'Schema', location: `${base}/Schemas/${s.id}` },
});

export const resourceTypeDoc = (rt: ResourceTypeDef, base: string) => ({
  schemas: [RESOURCE_TYPE_URN],
  id: rt.name,
  name: rt.name,
  endpoint: rt.endpoint,
  description: rt.description,
  schema: rt.schema.id,
  schemaExtensions: rt.extensions.map((e) => ({ schema: e.schema.id, required: e.required })),
  meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${rt.name}` },
});

const list = (items: unknown[]) => ({ schemas: [LIST_RESPONSE_URN], totalResults: items.length, itemsPerPage: items.length, startIndex: 1, Resources: items });

/**
 * RFC 7644 §4: a filter on a discovery endpoint SHOULD be refused with 403, so a client never
 * assumes the server applied it.
 */
const refuseFilter: MiddlewareHandler = async function refuseFilter(c, next) {
  if (c.req.query('filter') !== undefined) throw new ScimError(403, 'Discovery endpoints do not support filtering (RFC 7644 §4).');
  await next();
};

export const discoveryRoutes = new Hono<{ Bindings: Env }>()
  .use('/ServiceProviderConfig', refuseFilter)
  .use('/ResourceTypes/*', refuseFilter)
  .use('/ResourceTypes', refuseFilter)
  .use('/Schemas/*', refuseFilter)
  .use('/Schemas', refuseFilter)
  .get('/ServiceProviderConfig', (c) => scimJson(serviceProviderConfig(baseUrlOf(c), parseLimits(c.env.RELAY_LIMITS))))
  .get('/ResourceTypes', (c) => scimJson(list(RESOURCE_TYPES.map((rt) => resourceTypeDoc(rt, baseUrlOf(c))))))
  .get('/ResourceTypes/:name', (c) => {
    const rt = RESOURCE_TYPES.find((r) => r.name.toLowerCase() === c.req.param('name').toLowerCase());
    if (!rt) throw notFound(`Resource type "${c.req.param('name')}" not found.`);
    return scimJson(resourceTypeDoc(rt, baseUrlOf(c)));
  })
  .get('/Schemas', (c) => scimJson(list(SCHEMAS.map((s) => schemaDoc(s, baseUrlOf(c))))))
  .get('/Schemas/:id', (c) => {
    const s = SCHEMAS.find((x) => x.id.toLowerCase() === c.req.param('id').toLowerCase());
    if (!s) throw notFound(`Schema "${c.req.param('id')}" not found.`);
    return scimJson(schemaDoc(s, baseUrlOf(c)));
  })
  // RFC 7644 §4: discovery documents are read-only.
  .all('/ServiceProviderConfig', allowOnly('GET'))
  .all('/ResourceTypes', allowOnly('GET'))
  .all('/ResourceTypes/:name', allowOnly('GET'))
  .all('/Schemas', allowOnly('GET'))
  .all('/Schemas/:id', allowOnly('GET'));
