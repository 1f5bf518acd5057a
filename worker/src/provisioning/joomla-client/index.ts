export { classifyJoomla, joomlaDetail, TOKEN_HELP } from './classify';
export { createJoomlaClient, JOOMLA_CAPABILITIES, type JoomlaClient, type JoomlaConnectionInput } from './client';
export { JOOMLA_DEFAULT_MAPPING } from './default-mapping';
export { JOOMLA_MEDIA_TYPE } from './schemas';
export { testJoomlaConnection } from './test-connection';
export { patchToJoomlaFields, toJoomlaFields, toScimUser } from './translate';
export { tokenUserId } from './transport';
