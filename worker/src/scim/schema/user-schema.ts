/** Core User schema, RFC 7643 §4.1 and §8.7.1, with where each attribute lives in D1. */
import { attr, multiValued } from './define';
import type { SchemaDef } from './types';

export const SCIM_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';

const col = (column: string, lower = false) => ({ kind: 'column' as const, column, ...(lower ? { lower } : {}) });
const values = (name: string) => ({ kind: 'values' as const, attr: name });

export const userSchema: SchemaDef = {
  id: SCIM_USER_URN,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', 'Unique identifier for the User, typically used by the user to directly authenticate to the service provider.', {
      required: true,
      uniqueness: 'server',
      storage: col('user_name_lower', true),
    }),
    attr('name', 'complex', "The components of the user's real name.", {
      subAttributes: [
        attr('formatted', 'string', 'The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.'),
        attr('familyName', 'string', 'The family name of the User.', { storage: col('family_name_lower', true) }),
        attr('givenName', 'string', 'The given name of the User.', { storage: col('given_name_lower', true) }),
        attr('middleName', 'string', 'The middle name(s) of the User.'),
        attr('honorificPrefix', 'string', 'The honorific prefix(es) of the User.'),
        attr('honorificSuffix', 'string', 'The honorific suffix(es) of the User.'),
      ],
    }),
    attr('displayName', 'string', 'The name of the User, suitable for display to end-users.', { storage: col('display_name_lower', true) }),
    attr('nickName', 'string', 'The casual way to address the user in real life.'),
    attr('profileUrl', 'reference', "A fully qualified URL pointing to a page representing the User's online profile.", { referenceTypes: ['external'] }),
    attr('title', 'string', 'The user\'s title, such as "Vice President."'),
    attr('userType', 'string', 'Used to identify the relationship between the organization and the user.'),
    attr('preferredLanguage', 'string', "Indicates the User's preferred written or spoken language."),
    attr(
      'locale',
      'string',
      "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
    ),
    attr('timezone', 'string', "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
    attr('active', 'boolean', "A Boolean value indicating the User's administrative status.", { storage: col('active') }),
    attr('password', 'string', "The User's cleartext password. Never returned; accepted and neither kept nor sent on (the relay is not a login system).", {
      mutability: 'writeOnly',
      returned: 'never',
    }),
    multiValued('emails', 'Email addresses for the user.', { types: ['work', 'home', 'other'], storage: values('emails') }),
    multiValued('phoneNumbers', 'Phone numbers for the User.', {
      types: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
      storage: values('phoneNumbers'),
    }),
    multiValued('ims', 'Instant messaging addresses for the User.', {
      types: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
      storage: values('ims'),
    }),
    multiValued('photos', 'URLs of photos of the User.', {
      types: ['photo', 'thumbnail'],
      valueType: 'reference',
      referenceTypes: ['external'],
      storage: values('photos'),
    }),
    attr('addresses', 'complex', 'A physical mailing address for this User.', {
      multiValued: true,
      subAttributes: [
        attr('formatted', 'string', 'The full mailing address, formatted for display or use with a mailing label.'),
        attr('streetAddress', 'string', 'The full street address component.'),
        attr('locality', 'string', 'The city or locality component.'),
        attr('region', 'string', 'The state or region component.'),
        attr('postalCode', 'string', 'The zip code or postal code component.'),
        attr('country', 'string', 'The country name component.'),
        attr('type', 'string', "A label indicating the attribute's function.", { canonicalValues: ['work', 'home', 'other'] }),
        attr('primary', 'boolean', "A Boolean value indicating the 'primary' or preferred address."),
      ],
    }),
    attr(
      'groups',
      'complex',
      'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
      {
        multiValued: true,
        mutability: 'readOnly',
        storage: { kind: 'memberOf' },
        subAttributes: [
          attr('value', 'string', "The identifier of the User's group.", { mutability: 'readOnly', caseExact: true }),
          attr('$ref', 'reference', "The URI of the corresponding 'Group' resource to which the user belongs.", {
            referenceTypes: ['User', 'Group'],
            mutability: 'readOnly',
          }),
          attr('display', 'string', 'A human-readable name, primarily used for display purposes.', { mutability: 'readOnly' }),
          attr('type', 'string', "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.", {
            canonicalValues: ['direct', 'indirect'],
            mutability: 'readOnly',
          }),
        ],
      },
    ),
    multiValued('entitlements', 'A list of entitlements for the User that represent a thing the User has.', { storage: values('entitlements') }),
    multiValued('roles', 'A list of roles for the User that collectively represent who the User is.', { storage: values('roles') }),
    multiValued('x509Certificates', 'A list of certificates issued to the User.', { valueType: 'binary' }),
  ],
};
