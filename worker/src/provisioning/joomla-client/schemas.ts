/**
 * The Joomla Web Services API's documents as the connector reads them (fixtures/joomla-real):
 * JSON:API-shaped users (`groups` is an object map `{"4":4}` on an item, absent on a list, where
 * `group_names` is a newline-separated string), groups, and `{"errors":[{title, code?}]}`.
 */
import { z } from 'zod';

export const JOOMLA_MEDIA_TYPE = 'application/vnd.api+json';

const flag = z.union([z.number(), z.boolean(), z.string()]).transform((v) => v === 1 || v === true || v === '1');

export const joomlaUserAttributesSchema = z.looseObject({
  id: z.number().int().optional(),
  name: z.string().optional(),
  username: z.string().optional(),
  email: z.string().optional(),
  block: flag.optional(),
  /** list only: the titles of the account's groups, one a line */
  group_names: z.string().optional(),
  /** item only: `{"4": 4}` (an empty array `[]` when PHP serialises an empty map) */
  groups: z.union([z.record(z.string(), z.union([z.number(), z.string()])), z.array(z.union([z.number(), z.string()]))]).optional(),
});

export const joomlaUserSchema = z.looseObject({ type: z.string(), id: z.string(), attributes: joomlaUserAttributesSchema });
export type JoomlaUser = z.infer<typeof joomlaUserSchema>;

export const joomlaUserDocumentSchema = z.looseObject({ data: joomlaUserSchema });
export const joomlaUserCollectionSchema = z.looseObject({
  data: z.array(joomlaUserSchema),
  links: z.looseObject({ next: z.string().optional() }).optional(),
  meta: z.looseObject({ 'total-pages': z.number().optional() }).optional(),
});

export const joomlaGroupCollectionSchema = z.looseObject({
  data: z.array(
    z.looseObject({ id: z.string(), attributes: z.looseObject({ id: z.number().int(), title: z.string(), parent_id: z.number().int().optional() }) }),
  ),
  links: z.looseObject({ next: z.string().optional() }).optional(),
});

export const joomlaErrorSchema = z.looseObject({ errors: z.array(z.looseObject({ title: z.string().optional(), code: z.number().optional() })).min(1) });

/** The group ids of an item's `groups` map. */
export function groupIds(u: JoomlaUser): number[] {
  const g = u.attributes.groups;
  if (!g) return [];
  const values = Array.isArray(g) ? g : Object.values(g);
  return [...new Set(values.map(Number).filter((n) => Number.isInteger(n) && n > 0))];
}
