/** A directory user as the relay stores it (RFC 7643 §8.2 "Full User Representation", trimmed). */
import type { JsonObject } from '../../../worker/src/scim/schema/normalize';

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

export function babsJensen(): JsonObject {
  return {
    schemas: [CORE, ENTERPRISE],
    id: '2819c223-7f76-453a-919d-413861904646',
    userName: 'bjensen@example.com',
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    title: 'Tour Guide',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    phoneNumbers: [{ value: '555-555-5555', type: 'work' }],
    [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
    meta: { resourceType: 'User', version: 'W/"3"' },
  };
}
