/**
 * zod schemas generated from the attribute registry, per request context (create / replace,
 * and one attribute's value for PATCH). The normaliser has already canonicalised names; these
 * check types, canonical shapes and required attributes, and report issues with key paths.
 */
import { z } from 'zod';
import { badRequest } from '../errors';
import type { Json, JsonObject } from './normalize';
import type { AttributeDef, ResourceTypeDef } from './types';

export type WriteContext = 'create' | 'replace';

// Entra ID sends booleans as strings ("True", "False"); RFC 7643 §2.3.2 says JSON booleans.
const stringBoolean = z.preprocess((v) => (typeof v === 'string' && /^(true|false)$/i.test(v) ? v.toLowerCase() === 'true' : v), z.boolean());

// RFC 7643 §2.3.5: xsd:dateTime, i.e. an RFC 3339 timestamp.
const dateTime = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
  message: 'expected an RFC 3339 dateTime',
});

function scalar(def: AttributeDef): z.ZodType {
  switch (def.type) {
    case 'string':
    case 'reference':
      return z.string().max(65_536);
    case 'binary':
      return z.string().regex(/^[A-Za-z0-9+/=\s]*$/, 'expected base64');
    case 'boolean':
      return stringBoolean;
    case 'integer':
      return z.number().int();
    case 'decimal':
      return z.number();
    case 'dateTime':
      return dateTime;
    case 'complex':
      return z.object(Object.fromEntries((def.subAttributes ?? []).map((s) => [s.name, valueSchema(s).optional()])));
  }
}

/** The schema of one attribute's value (an array for multi-valued attributes). */
export function valueSchema(def: AttributeDef): z.ZodType {
  const one = scalar(def);
  return def.multiValued ? z.array(one).max(10_000) : one;
}

function attributesSchema(list: readonly AttributeDef[]): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const def of list) {
    if (def.mutability === 'readOnly') continue;
    // A required string must also be non-empty: `userName: ""` is not a userName.
    const s =
      def.required && def.type === 'string' && !def.multiValued
        ? z
            .string()
            .max(65_536)
            .refine((v) => v.trim() !== '', 'must not be empty')
        : valueSchema(def);
    shape[def.name] = def.required ? s : s.optional();
  }
  return z.object(shape);
}

const cache = new Map<string, z.ZodType>();

/** The whole-resource schema for POST (create) and PUT (replace). */
export function resourceSchema(rt: ResourceTypeDef, ctx: WriteContext): z.ZodType {
  const key = `${rt.name}:${ctx}`;
  let schema = cache.get(key);
  if (!schema) {
    const core = attributesSchema(rt.schema.attributes).extend({ externalId: z.string().max(1024).optional() });
    const extensions = Object.fromEntries(rt.extensions.map((e) => [e.schema.id, attributesSchema(e.schema.attributes).optional()]));
    schema = core.extend(extensions);
    cache.set(key, schema);
  }
  return schema;
}

/** Turns zod issues into a SCIM invalidValue error naming the attribute path. */
export function parseOrThrow<T = JsonObject>(schema: z.ZodType, value: Json): T {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data as T;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : 'value';
  const detail = issue.code === 'invalid_type' && issue.input === undefined ? `${where} is required.` : `${where}: ${issue.message}.`;
  throw badRequest('invalidValue', `Invalid attribute value — ${detail}`);
}
