/**
 * Settings of a target of kind `drupal-jsonapi`: a Drupal 9/10/11 site written to through core
 * JSON:API (`user--user` resources) instead of a SCIM server. The engine still builds a SCIM
 * payload from the mapping; the connector translates the attributes a core user has, plus the
 * fields the admin names here. Used by the admin API (validation with key paths) and the
 * extension's forms.
 */
import { z } from 'zod';

/** Drupal machine names: role ids (`content_editor`) and field names (`field_first_name`). */
const machineName = z.string().regex(/^[a-z0-9_]{1,64}$/, 'must be a Drupal machine name (a-z, 0-9, _)');

export const drupalTargetOptionsSchema = z
  .object({
    /** HTTP Basic (core `basic_auth`; the token is "username:password") or a bearer/OAuth token */
    auth: z.enum(['basic', 'bearer']).default('basic'),
    /** where JSON:API answers under the base URL (`jsonapi.base_path`, `/jsonapi` by default) */
    jsonapiPath: z
      .string()
      .regex(/^\/[A-Za-z0-9_\-/]*$/, 'must be a path starting with /')
      .transform((p) => p.replace(/\/+$/, '') || '/jsonapi')
      .default('/jsonapi'),
    /** directory group displayName → Drupal role machine name; unmapped groups are not pushed */
    roleMap: z.record(z.string().min(1).max(200), machineName).default({}),
    /** extra SCIM paths of the mapped payload → Drupal field names (`name.givenName` → `field_first_name`) */
    fields: z.record(z.string().min(1).max(512), machineName).default({}),
  })
  .strict();
export type DrupalTargetOptions = z.infer<typeof drupalTargetOptionsSchema>;

/**
 * The payload attributes a core Drupal user has: `name`, `mail`, `status`. Any of the email
 * paths fills `mail` (Drupal keeps one address).
 */
export const DRUPAL_CORE_ATTRIBUTES: Readonly<Record<string, 'name' | 'mail' | 'status'>> = {
  userName: 'name',
  'emails[type eq "work"].value': 'mail',
  'emails[primary eq true].value': 'mail',
  'emails.value': 'mail',
  active: 'status',
};

/** Matching on a Drupal target: `filter[name]`, `filter[mail]` or a named field. */
export const DRUPAL_DEFAULT_MATCHING = ['userName', 'emails[type eq "work"].value'];

export interface KindIssue {
  path: (string | number)[];
  message: string;
}

/**
 * What a Drupal target's other settings must satisfy once its options are known: the token's
 * shape for Basic auth, matching and mapping onto attributes the connector can translate.
 */
export function drupalTargetIssues(input: {
  token?: string | undefined;
  matching?: readonly string[] | undefined;
  mapping?: readonly { target: string }[] | undefined;
  options: DrupalTargetOptions;
}): KindIssue[] {
  const issues: KindIssue[] = [];
  const known = (path: string) => path in DRUPAL_CORE_ATTRIBUTES || path in input.options.fields;
  const paths = [...Object.keys(DRUPAL_CORE_ATTRIBUTES), ...Object.keys(input.options.fields)];
  // `status` is no identifier: two accounts share it.
  const matchable = paths.filter((p) => p !== 'active');
  if (input.token !== undefined && input.options.auth === 'basic' && !/^[^:]+:.+$/s.test(input.token)) {
    issues.push({ path: ['token'], message: 'with Basic auth the token is "username:password" of a Drupal account that may administer users' });
  }
  input.matching?.forEach((path, i) => {
    if (!matchable.includes(path)) issues.push({ path: ['matching', i], message: `a Drupal target matches on ${matchable.join(', ')}; not ${path}` });
  });
  input.mapping?.forEach((rule, i) => {
    if (!known(rule.target))
      issues.push({
        path: ['mapping', i, 'target'],
        message: `a Drupal user has no ${rule.target}: map to ${paths.join(', ')}, or name a field in options.fields`,
      });
  });
  return issues;
}
