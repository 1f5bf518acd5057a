/**
 * The mapping a new Drupal target starts with: what a core Drupal user has. `name` is the
 * directory's userName, `mail` its work email (else the primary, else the first), `status` its
 * `active`. Fields added by modules are mapped by the admin through options.fields.
 */
import { mappingRuleSchema, type MappingRule } from '../../../../shared/src/targets';

const rules = [
  { target: 'userName', source: 'userName' },
  { target: 'emails[type eq "work"].value', source: 'emails[type eq "work"].value | emails[primary eq true].value | emails.value' },
  // Clearing `active` would not mean "blocked"; deactivation is its own operation.
  { target: 'active', source: 'active', clearWhenMissing: false },
];

export const DRUPAL_DEFAULT_MAPPING: MappingRule[] = rules.map((r) => mappingRuleSchema.parse(r));
