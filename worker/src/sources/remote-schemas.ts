/**
 * The shapes the importer reads from a source, parsed at the boundary (STYLE: every remote
 * response is `safeParse`d). Loose where servers vary: unknown keys pass, optional fields stay
 * optional, and a field the account may not see is simply absent (Drupal's label-only objects,
 * `meta.omitted`). What is present must have the type we read: a page that breaks that is a
 * named, transient `SourceError` naming the first bad key path, not a TypeError deep in a run.
 */
import { z } from 'zod';
import { SourceError } from './remote';

/**
 * A JSON:API `user--user` resource object. Label-only objects (uid 0, or no "view user
 * information") carry `attributes.display_name` only, so every attribute is optional.
 * https://jsonapi.org/format/1.0/#document-resource-objects
 */
export const drupalResourceSchema = z.looseObject({
  type: z.string().optional(),
  id: z.string().optional(),
  attributes: z
    .looseObject({
      drupal_internal__uid: z.union([z.number(), z.string()]).optional(),
      // Drupal prints an empty field as null
      name: z.string().nullish(),
      mail: z.string().nullish(),
      status: z.boolean().nullish(),
      changed: z.string().nullish(),
    })
    .optional(),
  relationships: z
    .looseObject({
      roles: z
        .looseObject({
          // resource identifier objects; a dangling or inaccessible reference has no target id
          data: z.array(z.looseObject({ meta: z.looseObject({ drupal_internal__target_id: z.string().optional() }).optional() })).nullish(),
        })
        .optional(),
    })
    .optional(),
});
export type DrupalResource = z.infer<typeof drupalResourceSchema>;

/** A JSON:API collection document: `data`, `links.next`, `meta.omitted` (Drupal's hidden resources). */
export const drupalCollectionSchema = z.looseObject({
  data: z.array(drupalResourceSchema),
  links: z.looseObject({ next: z.looseObject({ href: z.string() }).nullish() }).nullish(),
  meta: z.looseObject({ omitted: z.looseObject({ links: z.record(z.string(), z.unknown()).optional() }).optional() }).nullish(),
});

/** `GET /jsonapi/user/user/{uuid}`: one resource (null data: not visible, like a label-only object). */
export const drupalSingleSchema = z.looseObject({ data: drupalResourceSchema.nullable() });

/**
 * A SCIM User as the importer reads it. RFC 7643 §2.5: null is the same as unassigned, so every
 * attribute is nullish; a resource without id or userName is counted hidden, as before.
 */
export const scimUserResourceSchema = z.looseObject({
  id: z.string().nullish(),
  userName: z.string().nullish(),
  active: z.boolean().nullish(),
  emails: z.array(z.looseObject({ value: z.string().nullish(), type: z.string().nullish(), primary: z.boolean().nullish() })).nullish(),
  groups: z.array(z.looseObject({ display: z.string().nullish(), value: z.string().nullish() })).nullish(),
  meta: z.looseObject({ lastModified: z.string().nullish() }).nullish(),
});
export type ScimUserResource = z.infer<typeof scimUserResourceSchema>;

export const scimGroupResourceSchema = z.looseObject({
  displayName: z.string().nullish(),
  members: z.array(z.looseObject({ value: z.string().nullish(), type: z.string().nullish() })).nullish(),
});

/**
 * A WordPress REST user (`context=edit`): `username`, `email` and `roles` are edit-context
 * fields, absent from the public view anonymous callers get (test/fixtures/wordpress-real).
 */
export const wpUserSchema = z.looseObject({
  id: z.union([z.number(), z.string()]),
  username: z.string().optional(),
  email: z.string().nullish(),
  roles: z.array(z.string()).optional(),
});
export type WpUserResource = z.infer<typeof wpUserSchema>;
export const wpUserListSchema = z.array(wpUserSchema);

/**
 * A Joomla Web Services user (test/fixtures/joomla-real): a list row carries `group_names`
 * (titles joined by newlines), an item `groups` (an id map) and no titles; `block` is 0/1.
 */
export const joomlaUserSchema = z.looseObject({
  type: z.string().optional(),
  id: z.union([z.string(), z.number()]),
  attributes: z.looseObject({
    username: z.string(),
    name: z.string().nullish(),
    email: z.string().nullish(),
    block: z.union([z.number(), z.string(), z.boolean()]).nullish(),
    group_names: z.string().nullish(),
    groups: z.union([z.record(z.string(), z.union([z.number(), z.string()])), z.array(z.union([z.number(), z.string()]))]).nullish(),
  }),
});
export type JoomlaUserResource = z.infer<typeof joomlaUserSchema>;
export const joomlaListSchema = z.looseObject({
  data: z.array(joomlaUserSchema),
  links: z.looseObject({ next: z.string().nullish() }).nullish(),
  meta: z.looseObject({ 'total-pages': z.number().optional() }).nullish(),
});
export const joomlaGroupsSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.union([z.string(), z.number()]), attributes: z.looseObject({ title: z.string() }) })),
});

/** RFC 7644 §3.4.2: a ListResponse; `Resources` may be left out when there are none. */
export const scimListSchema = <T extends z.ZodType>(resource: T) => z.looseObject({ totalResults: z.number(), Resources: z.array(resource).nullish() });

/** `data.3.relationships.roles.data.0`: the issue's key path, cut short (keys come from the remote). */
export function issueKeyPath(path: readonly PropertyKey[]): string {
  const dotted = path.map(String).join('.');
  return dotted.length > 120 ? `${dotted.slice(0, 119)}…` : dotted || '(the whole body)';
}

/**
 * Parses a 200 answer. A mismatch is transient (`fatal` false): the run's failure counting
 * retries it and gives up after MAX_FAILURES, as for a page cut short.
 */
export function parseRemote<S extends z.ZodType>(schema: S, body: unknown, url: string, status: number): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0]!;
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : '';
  throw new SourceError(
    `The answer to ${new URL(url).pathname} has an unexpected shape at ${issueKeyPath(first.path)}: ${first.message}${more}.`,
    status,
    false,
  );
}
