/**
 * The OpenAPI 3.1 document of the admin API, generated from the route table (routes.ts) and the
 * same zod schemas the routes validate with. Request bodies and query parameters are described
 * as clients send them (zod's input side: defaults optional), responses as the API returns them.
 */
import { z } from 'zod';
import { ROUTES, type RouteSpec } from './routes';
import { apiErrorSchema } from './validate';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    // Output-side transforms (a trimmed baseUrl) have no JSON Schema; describe them as any value.
    unrepresentable: 'any',
    // zod closes output objects; responses may gain fields, so clients should not reject them.
    override: (ctx) => {
      if (io === 'output' && ctx.jsonSchema.additionalProperties === false) delete ctx.jsonSchema.additionalProperties;
    },
  }) as Json;
  return rest;
}

/** `/targets/:id` → `/targets/{id}`, as OpenAPI writes path templates. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z_]\w*)/g, '{$1}');

function parameters(spec: RouteSpec): Json[] {
  const path = [...spec.path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (!spec.query) return path;
  const { properties = {}, required = [] } = jsonSchema(spec.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
  const query = Object.entries(properties).map(([name, schema]) => ({ name, in: 'query', required: required.includes(name), schema }));
  return [...path, ...query];
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } });

function operation(name: string, spec: RouteSpec): Json {
  const responses: Json = {
    [spec.status]: spec.response
      ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } }
      : { description: 'No content' },
  };
  if (spec.body || spec.query) responses[400] = errorResponse('Invalid request: `issues` name each bad field by its key path');
  responses[401] = errorResponse('Missing or invalid bearer token');
  responses[403] = errorResponse('The token lacks the admin scope');
  if (spec.path.includes(':')) responses[404] = errorResponse('No such resource');
  if (name === 'retryOutboxItem' || name === 'approveOutboxItem') responses[409] = errorResponse('The row is not in a state this action applies to');
  const op: Json = { operationId: name, tags: [spec.tag], summary: spec.summary, responses };
  const params = parameters(spec);
  if (params.length) op.parameters = params;
  // a body whose fields are all optional may be left out (POST /outbox/retry)
  if (spec.body) op.requestBody = { required: !spec.body.safeParse({}).success, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
  return op;
}

export function buildOpenApiDocument(serverUrl: string): Json {
  const paths: Record<string, Json> = {};
  for (const [name, spec] of Object.entries(ROUTES) as [string, RouteSpec][]) {
    const key = openApiPath(spec.path);
    paths[key] = { ...paths[key], [spec.method]: operation(name, spec) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'SCIM Relay admin API',
      version: '1',
      description:
        'Targets, mappings, the provisioning queue, runs, audit log and directory views. JSON in and out; every route needs a bearer token with the admin scope. Lists page by keyset, newest first: pass `nextCursor` back as `cursor`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    tags: [
      { name: 'meta' },
      { name: 'targets', description: 'Downstream SCIM apps and their attribute mapping' },
      { name: 'outbox', description: 'Pending, failed, dead and held provisioning work' },
      { name: 'logs', description: 'Dispatcher runs and the audit log' },
      { name: 'users', description: 'The directory as the extension sees it, with sync state per target' },
      { name: 'tokens', description: 'API tokens: hashed at rest, the secret shown once' },
      { name: 'sources', description: 'Systems people are imported from (Drupal JSON:API, SCIM), their runs and held reconciliations' },
    ],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token with the admin scope' } },
      schemas: { ApiError: jsonSchema(apiErrorSchema, 'output') },
    },
  };
}
