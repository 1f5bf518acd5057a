/**
 * The mapping a new target starts with: the attributes nearly every SCIM app accepts, read from
 * the directory with sensible fallbacks. Admins edit from here.
 */
import { mappingRuleSchema, type MappingRule } from '../../../../shared/src/targets';
import { SCIM_ENTERPRISE_USER_URN } from './path';

const ENT = SCIM_ENTERPRISE_USER_URN;

const rules = [
  { target: 'userName', source: 'userName' },
  // RFC 7643 §3.1: externalId is "an identifier for the resource as defined by the provisioning
  // client", and towards a target the relay is that client. Our id never changes (userName and
  // emails do), so the target (and its admins) can always tie the account back to the relay's
  // user, and a later re-link can match on `externalId` when a userName was changed on one side.
  { target: 'externalId', source: 'id', clearWhenMissing: false },
  { target: 'name.givenName', source: 'name.givenName' },
  { target: 'name.familyName', source: 'name.familyName' },
  { target: 'name.formatted', source: 'name.formatted' },
  { target: 'displayName', source: 'displayName | name.formatted | userName' },
  // The work email where the directory has one, else the primary, else the first.
  { target: 'emails[type eq "work"].value', source: 'emails[type eq "work"].value | emails[primary eq true].value | emails.value' },
  // Clearing `active` would not mean "inactive"; deactivation is its own operation.
  { target: 'active', source: 'active', clearWhenMissing: false },
  { target: 'title', source: 'title' },
  { target: 'phoneNumbers[type eq "work"].value', source: 'phoneNumbers[type eq "work"].value' },
  { target: `${ENT}:employeeNumber`, source: `${ENT}:employeeNumber` },
  { target: `${ENT}:department`, source: `${ENT}:department` },
  // Not `manager`: its `value` is the manager's id in the relay, meaningless on the target
  // until it is translated to the manager's remote id (a job for the dispatcher, via links).
];

export const DEFAULT_MAPPING: MappingRule[] = rules.map((r) => mappingRuleSchema.parse(r));
