/**
 * Settings of a target of kind `wordpress-rest`: a WordPress 6.x site written to through the core
 * REST API (`/wp/v2/users`) with an Application Password, no plugin. The engine still builds a
 * SCIM payload from the mapping; the connector translates the attributes a core WordPress user
 * has. Used by the admin API (validation with key paths) and the extension's forms.
 */
import { z } from 'zod';
import type { KindIssue } from './drupal-target';

/** WordPress role slugs (`editor`, `shop_manager`): sanitize_key() keeps a-z, 0-9, _ and -. */
const roleSlug = z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must be a WordPress role slug (a-z, 0-9, _ and -)');

export const wordpressTargetOptionsSchema = z
  .object({
    /**
     * where the REST API answers under the base URL: `/wp-json` with pretty permalinks, else
     * `/?rest_route=` (which always works, fixtures/wordpress-real api_deactivate/06)
     */
    restPath: z.enum(['/wp-json', '/?rest_route=']).default('/wp-json'),
    /** directory group displayName → WordPress role slug; unmapped groups are not pushed */
    roleMap: z.record(z.string().min(1).max(200), roleSlug).default({}),
    /** the role a new account gets, and the one restored on reactivation when none was remembered */
    defaultRole: roleSlug.default('subscriber'),
    /**
     * who inherits a deleted account's posts (WordPress requires `reassign`): the account the relay
     * signs in as, a user id, or nobody (`delete-content`: the posts are deleted with the account)
     */
    reassign: z.union([z.enum(['relay-account', 'delete-content']), z.number().int().positive()]).default('relay-account'),
    /** user 1 is the site's first administrator: protected unless the admin allows it here */
    allowUserOne: z.boolean().default(false),
  })
  .strict();
export type WordpressTargetOptions = z.infer<typeof wordpressTargetOptionsSchema>;

/** The payload attributes a core WordPress user has, and the REST field each becomes. */
export const WORDPRESS_CORE_ATTRIBUTES: Readonly<
  Record<string, 'username' | 'email' | 'name' | 'first_name' | 'last_name' | 'nickname' | 'url' | 'locale' | 'active'>
> = {
  userName: 'username',
  'emails[type eq "work"].value': 'email',
  'emails[primary eq true].value': 'email',
  'emails.value': 'email',
  displayName: 'name',
  'name.givenName': 'first_name',
  'name.familyName': 'last_name',
  nickName: 'nickname',
  profileUrl: 'url',
  locale: 'locale',
  active: 'active',
};

/** Matching on a WordPress target: the login, then the email (both searched, then compared exactly). */
export const WORDPRESS_DEFAULT_MATCHING = ['userName', 'emails[type eq "work"].value'];
const MATCHABLE = ['userName', 'emails[type eq "work"].value', 'emails[primary eq true].value', 'emails.value'];

/** What a WordPress target's token, matching and mapping must satisfy. */
export function wordpressTargetIssues(input: {
  token?: string | undefined;
  matching?: readonly string[] | undefined;
  mapping?: readonly { target: string }[] | undefined;
}): KindIssue[] {
  const issues: KindIssue[] = [];
  if (input.token !== undefined && !/^[^:]+:.+$/s.test(input.token)) {
    issues.push({ path: ['token'], message: 'the token is "username:application password" (Users → Profile → Application Passwords)' });
  }
  input.matching?.forEach((path, i) => {
    if (!MATCHABLE.includes(path)) issues.push({ path: ['matching', i], message: `a WordPress target matches on ${MATCHABLE.join(', ')}; not ${path}` });
  });
  input.mapping?.forEach((rule, i) => {
    if (!(rule.target in WORDPRESS_CORE_ATTRIBUTES))
      issues.push({
        path: ['mapping', i, 'target'],
        message: `a WordPress user has no ${rule.target}: map to ${Object.keys(WORDPRESS_CORE_ATTRIBUTES).join(', ')}`,
      });
  });
  return issues;
}
