/**
 * What a Drupal site's core JSON:API sends back (https://jsonapi.org/format/1.0/ and Drupal's
 * jsonapi module), checked with `safeParse` at the edge. Lenient where sites differ (extra
 * attributes from modules, `drupal_internal__uid` as a string behind some proxies) and strict
 * only about what the connector relies on: a `user--user` resource has a UUID `id`.
 */
import { z } from 'zod';

export const JSONAPI_MEDIA_TYPE = 'application/vnd.api+json';
export const USER_TYPE = 'user--user';
export const ROLE_TYPE = 'user_role--user_role';

const uid = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(Number);

/** A resource identifier object (JSON:API §7.3); Drupal adds the role's machine name in `meta`. */
const identifier = z.looseObject({
  type: z.string(),
  id: z.string(),
  meta: z.looseObject({ drupal_internal__target_id: z.union([z.string(), z.number()]).optional() }).optional(),
});

const drupalUserSchema = z.looseObject({
  type: z.literal(USER_TYPE),
  id: z.string().min(1),
  attributes: z
    .looseObject({
      drupal_internal__uid: uid.optional(),
      name: z.string().nullable().optional(),
      mail: z.string().nullable().optional(),
      status: z.boolean().optional(),
    })
    .default({}),
  relationships: z.looseObject({ roles: z.looseObject({ data: z.array(identifier).nullable().optional() }).optional() }).optional(),
});
export type DrupalUser = z.infer<typeof drupalUserSchema>;

export const userDocumentSchema = z.looseObject({ data: drupalUserSchema });

/**
 * A collection: `data` may hold label-only objects for accounts the credentials cannot see in
 * full (the anonymous user, blocked users without *administer users*): those have no `name`.
 */
export const userCollectionSchema = z.looseObject({
  data: z.array(drupalUserSchema),
  meta: z.looseObject({ omitted: z.unknown().optional() }).optional(),
});

export const roleCollectionSchema = z.looseObject({
  data: z.array(
    z.looseObject({ type: z.literal(ROLE_TYPE), id: z.string(), attributes: z.looseObject({ drupal_internal__id: z.string(), label: z.string().optional() }) }),
  ),
});

/** GET {jsonapi}: the entry point lists the resource types; `meta.links.me` names the account (authenticated only). */
export const entryPointSchema = z.looseObject({
  links: z.record(z.string(), z.unknown()),
  meta: z.looseObject({ links: z.looseObject({ me: z.looseObject({ meta: z.looseObject({ id: z.string() }).optional() }).optional() }).optional() }).optional(),
});

/** JSON:API §7.2 error objects, as Drupal's jsonapi module writes them. */
export const errorDocumentSchema = z.looseObject({
  errors: z
    .array(
      z.looseObject({
        status: z.union([z.string(), z.number()]).optional(),
        title: z.string().optional(),
        detail: z.string().optional(),
        source: z.looseObject({ pointer: z.string().optional() }).optional(),
      }),
    )
    .min(1),
});
