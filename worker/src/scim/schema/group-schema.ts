/** Core Group schema, RFC 7643 §4.2 and §8.7.1. */
import { attr } from './define';
import type { SchemaDef } from './types';

export const SCIM_GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export const groupSchema: SchemaDef = {
  id: SCIM_GROUP_URN,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'string', 'A human-readable name for the Group.', {
      required: true,
      storage: { kind: 'column', column: 'display_name_lower', lower: true },
    }),
    attr('members', 'complex', 'A list of members of the Group.', {
      multiValued: true,
      storage: { kind: 'members' },
      subAttributes: [
        attr('value', 'string', 'Identifier of the member of this Group.', { mutability: 'immutable', caseExact: true }),
        attr('$ref', 'reference', 'The URI corresponding to a SCIM resource that is a member of this Group.', {
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
        }),
        attr('display', 'string', 'A human-readable name, primarily used for display purposes.', { mutability: 'readOnly' }),
        attr('type', 'string', "A label indicating the type of resource, e.g., 'User' or 'Group'.", {
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
    }),
  ],
};
