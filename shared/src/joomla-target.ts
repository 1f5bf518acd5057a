/**
 * Settings of a target of kind `joomla-webservices`: a Joomla 4/5 site written to through the
 * core Web Services API (`/api/index.php/v1/users`) with a Super User's API token, no extension.
 * The engine still builds a SCIM payload from the mapping; the connector translates the
 * attributes a core Joomla user has. Used by the admin API and the extension's forms.
 */
import { z } from 'zod';
import type { KindIssue } from './drupal-target';

/** Joomla addresses user groups by numeric id (`GET /v1/users/groups`). */
const groupId = z.number().int().positive();

export const joomlaTargetOptionsSchema = z
  .object({
    /** where the Web Services API answers under the base URL (`/api/index.php` without URL rewriting) */
    apiPath: z
      .string()
      .regex(/^\/[A-Za-z0-9_\-/.]*$/, 'must be a path starting with /')
      .transform((p) => p.replace(/\/+$/, '') || '/api/index.php')
      .default('/api/index.php'),
    /** directory group displayName → Joomla user group id; unmapped groups are not pushed */
    roleMap: z.record(z.string().min(1).max(200), groupId).default({}),
    /** the groups a new account gets (Joomla refuses an account without one; 2 is Registered) */
    defaultGroups: z.array(groupId).min(1).max(20).default([2]),
    /** the groups whose members count as Super Users (8 on a stock site): protected unless allowed */
    superUserGroups: z.array(groupId).max(20).default([8]),
    /** let the relay change or remove Super Users (never the account the token belongs to) */
    allowSuperUsers: z.boolean().default(false),
  })
  .strict();
export type JoomlaTargetOptions = z.infer<typeof joomlaTargetOptionsSchema>;

/** The payload attributes a core Joomla user has, and the field each becomes. */
export const JOOMLA_CORE_ATTRIBUTES: Readonly<Record<string, 'username' | 'email' | 'name' | 'block'>> = {
  userName: 'username',
  'emails[type eq "work"].value': 'email',
  'emails[primary eq true].value': 'email',
  'emails.value': 'email',
  displayName: 'name',
  active: 'block',
};

export const JOOMLA_DEFAULT_MATCHING = ['userName', 'emails[type eq "work"].value'];
const MATCHABLE = ['userName', 'emails[type eq "work"].value', 'emails[primary eq true].value', 'emails.value'];

/** What a Joomla target's matching and mapping must satisfy (the token is opaque). */
export function joomlaTargetIssues(input: { matching?: readonly string[] | undefined; mapping?: readonly { target: string }[] | undefined }): KindIssue[] {
  const issues: KindIssue[] = [];
  input.matching?.forEach((path, i) => {
    if (!MATCHABLE.includes(path)) issues.push({ path: ['matching', i], message: `a Joomla target matches on ${MATCHABLE.join(', ')}; not ${path}` });
  });
  input.mapping?.forEach((rule, i) => {
    if (!(rule.target in JOOMLA_CORE_ATTRIBUTES))
      issues.push({ path: ['mapping', i, 'target'], message: `a Joomla user has no ${rule.target}: map to ${Object.keys(JOOMLA_CORE_ATTRIBUTES).join(', ')}` });
  });
  return issues;
}
