/**
 * Common attributes (RFC 7643 §3.1): every resource has them, no schema declares them. They are
 * resolved like schema attributes so `id`, `externalId` and `meta.lastModified` can be filtered,
 * sorted and projected.
 */
import { attr } from './define';
import type { AttributeDef } from './types';

export const commonAttributes: AttributeDef[] = [
  attr('id', 'string', 'A unique identifier for a SCIM resource as defined by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
    storage: { kind: 'column', column: 'id' },
  }),
  attr('externalId', 'string', 'A String that is an identifier for the resource as defined by the provisioning client.', {
    caseExact: true,
    storage: { kind: 'column', column: 'external_id' },
  }),
  attr('meta', 'complex', 'A complex attribute containing resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      attr('resourceType', 'string', 'The name of the resource type of the resource.', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', 'The "DateTime" that the resource was added to the service provider.', {
        mutability: 'readOnly',
        storage: { kind: 'column', column: 'created' },
      }),
      attr('lastModified', 'dateTime', 'The most recent DateTime that the details of this resource were updated at the service provider.', {
        mutability: 'readOnly',
        storage: { kind: 'column', column: 'last_modified' },
      }),
      attr('location', 'reference', 'The URI of the resource being returned.', { mutability: 'readOnly', referenceTypes: ['uri'] }),
      attr('version', 'string', 'The version of the resource being returned.', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
];
