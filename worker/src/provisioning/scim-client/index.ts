export { capabilitiesFrom, describeCapabilities } from './capabilities';
export { classify, classifyNetworkError, parseRetryAfter, targetDetail, type ClassifyOptions } from './classify';
export { createScimClient, SCIM_BULK_REQUEST_URN, SCIM_PATCH_OP_URN, type ScimClient } from './client';
export { buildFilter } from './filter';
export type { ScimResource, ServiceProviderConfig } from './schemas';
export { testConnection, type TestConnectionOptions, type TestConnectionResult } from './test-connection';
export { DEFAULT_TIMEOUT_MS, SCIM_MEDIA_TYPE, type ScimConnection } from './transport';
export type { BulkOperation, BulkOperationResult, ClientHooks, PatchOp, RequestRecord, Result, WriteOptions } from './types';
export { createScimLister, type ScimLister, type ScimListPage, type ScimListQuery } from './list';
