export { READ_ONLY_HELP, classifyDrupal, jsonApiDetail } from './classify';
export { createDrupalClient, DRUPAL_CAPABILITIES, type DrupalConnectionInput } from './client';
export { DRUPAL_DEFAULT_MAPPING } from './default-mapping';
export { toJsonApiQuery, UnsupportedFilter } from './filter';
export { CANCEL_METHOD_NOTE, testDrupalConnection } from './test-connection';
export { patchToAttributes, toDrupalAttributes, toScimUser } from './translate';
export { JSONAPI_MEDIA_TYPE } from './schemas';
export { createDrupalLister, DRUPAL_PAGE, type DrupalLister, type DrupalListedUser, type DrupalListPage } from './list';
