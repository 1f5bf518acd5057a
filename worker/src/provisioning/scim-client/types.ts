/** The SCIM client's vocabulary: results that never throw, PatchOp and Bulk operations. */
import type { Json, JsonObject } from '../../scim/schema/normalize';
import type { Failure } from '../failure';

/** Every client method resolves to one of these; network and HTTP problems are failures, not throws. */
export type Result<T> =
  /** `detail`: what the target did, in words, where it differs from what was asked (a Drupal cancel method) */
  | { ok: true; value: T; status: number; detail?: string /** the response's ETag (RFC 7644 §3.14), when it sent one */; etag?: string }
  | { ok: false; failure: Failure };

/** RFC 7644 §3.14: a write that applies only while the resource is at the version last read. */
export interface WriteOptions {
  /** that version (an ETag such as `W/"3"`), sent as If-Match; a 412 failure says it moved on */
  ifMatch?: string;
}

/** One RFC 7644 §3.5.2 PATCH operation as sent. */
export interface PatchOp {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: Json;
}

/** One RFC 7644 §3.7 Bulk operation as sent. */
export interface BulkOperation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** relative to the base URL: `/Users`, `/Users/{id}`, `/Groups/{id}` */
  path: string;
  bulkId?: string;
  version?: string;
  data?: JsonObject;
}

/** One operation's outcome from a BulkResponse, classified like a response of its own. */
export interface BulkOperationResult {
  method: string;
  bulkId?: string;
  location?: string;
  status: number;
  /** the created or updated resource where the target returned one */
  response?: JsonObject;
  /** the resource's version after the operation (RFC 7644 §3.7.3), when given */
  version?: string;
  failure?: Failure;
}

/** What one request looked like, for the audit log: never the token, never a body. */
export interface RequestRecord {
  method: string;
  /** path and query relative to the base URL */
  path: string;
  status?: number;
  durationMs: number;
  failure?: Failure;
}

export interface ClientHooks {
  onRequest?(r: RequestRecord): void;
  /** a second identifier the target knows an account by (Drupal's numeric uid), seen in a response */
  onRemoteKey?(remoteId: string, remoteKey: string): void;
  /** the engine's protection (protected.ts): why the relay never writes this account, or null */
  protectedReason?(remoteId: string): string | null;
  /** an account the connector found protected while reading it (a Joomla Super User) */
  onProtected?(remoteId: string, reason: string): void;
}
