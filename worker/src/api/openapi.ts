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

/** Routes that open a target's token or a source's credentials (auth/secrets.ts). */
const OPENS_CREDENTIALS = new Set(['provisionUser', 'testTarget', 'runTarget', 'testSource', 'approveImportRun', 'importSourceUser']);

const MERGE_PATCH =
  'The body is a JSON merge patch (RFC 7396), sent as application/merge-patch+json or application/json: an object merges into the stored one member by member, so nested settings keep what the patch leaves out; null removes a member (a member with a default gets its default back; one without, such as name, cannot be removed); arrays and write-only members (token, credentials) are replaced whole. The merged result is validated whole: issues name key paths. Unknown keys are refused.';

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } });

function operation(name: string, spec: RouteSpec): Json {
  const responses: Json = {
    [spec.status]: spec.response
      ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } }
      : { description: 'No content' },
  };
  if (spec.body || spec.query) responses[400] = errorResponse('Invalid request: `issues` name each bad field (or unknown key) by its key path');
  if (spec.body) responses[413] = errorResponse('The body is larger than 1 MB');
  responses[401] = errorResponse('Missing or invalid bearer token');
  responses[403] = errorResponse('The token lacks the admin scope');
  if (spec.path.includes(':')) responses[404] = errorResponse('No such resource');
  if (name === 'retryOutboxItem' || name === 'approveOutboxItem') responses[409] = errorResponse('The row is not in a state this action applies to');
  if (OPENS_CREDENTIALS.has(name))
    responses[409] = errorResponse(
      '`secret_unreadable`: the stored token or credentials cannot be opened (sealed under another key or for another row); enter them again',
    );
  const op: Json = { operationId: name, tags: [spec.tag], summary: spec.summary, responses };
  const params = parameters(spec);
  if (params.length) op.parameters = params;
  if (spec.mergePatch && spec.body) {
    op.description = MERGE_PATCH;
    const schema = jsonSchema(spec.body, 'input');
    op.requestBody = { required: true, content: { 'application/merge-patch+json': { schema }, 'application/json': { schema } } };
  } else if (spec.body) {
    // a body whose fields are all optional may be left out (POST /outbox/retry)
    op.requestBody = { required: !spec.body.safeParse({}).success, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
  }
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
        'Targets, mappings, the provisioning queue, runs, audit log and directory views. JSON in and out (UTF-8, at most 1 MB, nested at most 32 levels); every route needs a bearer token with the admin scope. Requests are strict: an unknown key or query parameter is refused by name. PATCH takes a JSON merge patch (RFC 7396). Lists page by keyset, newest first: pass `nextCursor` back as `cursor`.',
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
