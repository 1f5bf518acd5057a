/**
 * The WordPress REST API's documents as the connector reads them (fixtures/wordpress-real):
 * a user in `context=edit`, the error shape `{code, message, data}`, the REST index's
 * `authentication` (where Application Passwords announce themselves), an app-password list.
 * Loose objects: WordPress adds fields (meta, _links, avatar_urls) the relay does not need.
 */
import { z } from 'zod';

export const wpUserSchema = z.looseObject({
  id: z.number().int(),
  /** only in context=edit, like email and roles */
  username: z.string().optional(),
  name: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  email: z.string().optional(),
  nickname: z.string().optional(),
  url: z.string().optional(),
  locale: z.string().optional(),
  roles: z.array(z.string()).optional(),
});
export type WpUser = z.infer<typeof wpUserSchema>;

export const wpUserListSchema = z.array(wpUserSchema);

/** `DELETE /users/{id}?force=true` answers `{deleted, previous}`. */
export const wpDeletedSchema = z.looseObject({ deleted: z.boolean(), previous: wpUserSchema.optional() });

/** Every REST error: `{code, message, data: {status, params?, details?}}` (data is null for wp_insert_user's). */
export const wpErrorSchema = z.looseObject({
  code: z.string(),
  message: z.string().optional(),
  data: z
    .looseObject({
      status: z.number().optional(),
      params: z.record(z.string(), z.string()).optional(),
      details: z.record(z.string(), z.looseObject({ code: z.string().optional(), message: z.string().optional() })).optional(),
    })
    .nullable()
    .optional(),
});
export type WpError = z.infer<typeof wpErrorSchema>;

/** `GET /wp-json/`: Application Passwords appear under authentication only where they are available. */
export const wpIndexSchema = z.looseObject({
  name: z.string().optional(),
  namespaces: z.array(z.string()).optional(),
  authentication: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
});

export const wpAppPasswordListSchema = z.array(z.looseObject({ uuid: z.string(), name: z.string().optional() }));
