/**
 * The mapping a new Joomla target starts with: what a core Joomla user has. `username` is the
 * directory's userName, `email` its work email (else the primary, else the first), `name` (which
 * Joomla requires) the display name or the userName, and `active` (the connector's `block`).
 */
import { mappingRuleSchema, type MappingRule } from '../../../../shared/src/targets';

const rules = [
  { target: 'userName', source: 'userName' },
  { target: 'emails[type eq "work"].value', source: 'emails[type eq "work"].value | emails[primary eq true].value | emails.value' },
  // Joomla refuses an account without a name: never clear it.
  { target: 'displayName', source: 'displayName | name.formatted | userName', clearWhenMissing: false },
  { target: 'active', source: 'active', clearWhenMissing: false },
];

export const JOOMLA_DEFAULT_MAPPING: MappingRule[] = rules.map((r) => mappingRuleSchema.parse(r));
