/**
 * The mapping a new WordPress target starts with: what a core WordPress user has. `username` is
 * the directory's userName (WordPress cannot change it later), `email` its work email (else the
 * primary, else the first), first and last name, the display name, and `active` (which the
 * connector turns into roles removed or restored: WordPress has no disabled flag).
 */
import { mappingRuleSchema, type MappingRule } from '../../../../shared/src/targets';

const rules = [
  { target: 'userName', source: 'userName' },
  { target: 'emails[type eq "work"].value', source: 'emails[type eq "work"].value | emails[primary eq true].value | emails.value' },
  { target: 'name.givenName', source: 'name.givenName' },
  { target: 'name.familyName', source: 'name.familyName' },
  { target: 'displayName', source: 'displayName | name.formatted | userName', clearWhenMissing: false },
  // Clearing `active` would not mean "deactivated"; deactivation is its own operation.
  { target: 'active', source: 'active', clearWhenMissing: false },
];

export const WORDPRESS_DEFAULT_MAPPING: MappingRule[] = rules.map((r) => mappingRuleSchema.parse(r));
