/**
 * The settings (`options`) of each target kind in one place: which schema parses them, what a
 * kind's token, matching and mapping must satisfy, and the matching a new target starts with.
 * A SCIM target has no options; the CMS kinds (Drupal, WordPress, Joomla) each have their own.
 */
import { z } from 'zod';
import { DRUPAL_DEFAULT_MATCHING, drupalTargetIssues, drupalTargetOptionsSchema, type DrupalTargetOptions, type KindIssue } from './drupal-target';
import { JOOMLA_DEFAULT_MATCHING, joomlaTargetIssues, joomlaTargetOptionsSchema, type JoomlaTargetOptions } from './joomla-target';
import { WORDPRESS_DEFAULT_MATCHING, wordpressTargetIssues, wordpressTargetOptionsSchema, type WordpressTargetOptions } from './wordpress-target';

export type TargetOptions = DrupalTargetOptions | WordpressTargetOptions | JoomlaTargetOptions;

/**
 * Options as they arrive, before the kind is known: an object, parsed by the kind's own schema
 * once it is (a union would hand `{}` to whichever kind comes first).
 */
export const targetOptionsInputSchema = z.record(z.string(), z.unknown()).meta({
  description:
    'settings of the kind. drupal-jsonapi: {auth, jsonapiPath, roleMap, fields}; wordpress-rest: {restPath, roleMap (group → role slug), defaultRole, reassign, allowUserOne}; joomla-webservices: {apiPath, roleMap (group → group id), defaultGroups, superUserGroups, allowSuperUsers}',
});

/** Options as stored and returned: each kind's parsed options are strict, so only one fits. */
export const targetOptionsSchema = z.union([drupalTargetOptionsSchema, wordpressTargetOptionsSchema, joomlaTargetOptionsSchema]);

const OPTIONS = {
  'drupal-jsonapi': drupalTargetOptionsSchema,
  'wordpress-rest': wordpressTargetOptionsSchema,
  'joomla-webservices': joomlaTargetOptionsSchema,
} as const;
export type CmsKind = keyof typeof OPTIONS;

export const isCmsKind = (kind: string): kind is CmsKind => kind in OPTIONS;

/** The kind's options parsed, with each problem at its key path under `options`. */
export function parseKindOptions(kind: CmsKind, raw: unknown): { ok: true; options: TargetOptions } | { ok: false; issues: KindIssue[] } {
  const parsed = OPTIONS[kind].safeParse(raw ?? {});
  if (parsed.success) return { ok: true, options: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ path: ['options', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message })),
  };
}

/** What the kind's token, matching and mapping must satisfy once its options are known. */
export function kindIssues(
  kind: CmsKind,
  input: { token?: string | undefined; matching?: readonly string[] | undefined; mapping?: readonly { target: string }[] | undefined; options: TargetOptions },
): KindIssue[] {
  if (kind === 'drupal-jsonapi') return drupalTargetIssues({ ...input, options: input.options as DrupalTargetOptions });
  if (kind === 'wordpress-rest') return wordpressTargetIssues(input);
  return joomlaTargetIssues(input);
}

export const DEFAULT_MATCHING_OF: Record<CmsKind, string[]> = {
  'drupal-jsonapi': DRUPAL_DEFAULT_MATCHING,
  'wordpress-rest': WORDPRESS_DEFAULT_MATCHING,
  'joomla-webservices': JOOMLA_DEFAULT_MATCHING,
};

/** `GET /targets/{id}/roles`: what the role map's picker offers (Drupal/WordPress roles, Joomla groups). */
export const targetRolesSchema = z.object({
  kind: z.enum(['drupal-jsonapi', 'wordpress-rest', 'joomla-webservices']),
  /** `id` is what options.roleMap takes: a Drupal machine name, a WordPress slug, a Joomla group id */
  items: z.array(z.object({ id: z.string(), name: z.string() })),
  /** why the list is empty or partial, in words (the site did not answer, WordPress lists no roles) */
  note: z.string().nullable(),
});
export type TargetRoles = z.infer<typeof targetRolesSchema>;
