export { APP_PASSWORDS_HELP, classifyWordpress } from './classify';
export { createWordpressClient, randomPassword, WORDPRESS_CAPABILITIES, type WordpressClient, type WordpressConnectionInput } from './client';
export { WORDPRESS_DEFAULT_MAPPING } from './default-mapping';
export { sameValue, toLookup, UnsupportedLookup } from './filter';
export { CORE_ROLES } from './roles';
export { testWordpressConnection } from './test-connection';
export { patchToWpFields, toScimUser, toWpFields } from './translate';
