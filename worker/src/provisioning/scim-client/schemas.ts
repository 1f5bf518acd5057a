/**
 * Minimal shapes of what a target sends back, checked with `safeParse` at the edge (STYLE.md
 * "Parse at the edges"). Lenient where real servers differ (booleans as strings, a missing
 * `Resources` on an empty page, numeric statuses as strings) and strict only about what the
 * engine relies on: a resource has a string `id`.
 */
import { z } from 'zod';
import type { JsonObject } from '../../scim/schema/normalize';

/** `true`, `"true"`, `"True"` — some servers serialise booleans as strings. */
const looseBoolean = z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() === 'true' : v), z.boolean());
const looseInt = z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v), z.number().int());

/** RFC 7643 §3: every resource carries a server-assigned `id` (some servers send a number). */
export const scimResourceSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number().transform(String)]),
});
export type ScimResource = JsonObject & { id: string };

/** RFC 7644 §3.4.2: `totalResults` and, when there are any, `Resources`. */
export const listResponseSchema = z.looseObject({
  totalResults: looseInt.optional(),
  Resources: z.array(scimResourceSchema).optional(),
});

const feature = z.looseObject({ supported: looseBoolean.optional() }).optional();

/** RFC 7643 §5: only the features the engine uses. */
export const serviceProviderConfigSchema = z.looseObject({
  patch: feature,
  bulk: z.looseObject({ supported: looseBoolean.optional(), maxOperations: looseInt.optional() }).optional(),
  filter: z.looseObject({ supported: looseBoolean.optional(), maxResults: looseInt.optional() }).optional(),
  etag: feature,
});
export type ServiceProviderConfig = z.infer<typeof serviceProviderConfigSchema>;

/** RFC 7644 §3.7.3: the BulkResponse; each operation's status is a string like "201". */
export const bulkResponseSchema = z.looseObject({
  Operations: z.array(
    z.looseObject({
      method: z.string(),
      bulkId: z.string().optional(),
      location: z.string().optional(),
      status: z.union([looseInt, z.looseObject({ code: looseInt })]),
      response: z.unknown().optional(),
    }),
  ),
});

/** A zod error as one line naming the key paths, for a failure message. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}
