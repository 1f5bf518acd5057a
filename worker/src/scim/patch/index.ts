/** The SCIM PATCH engine (RFC 7644 §3.5.2). */
export { applyOperations, applyPatch, type PatchOutcome } from './apply-patch';
export type { MemberDelta } from './members';
export {
  MAX_PATCH_OPERATIONS,
  SCIM_PATCH_OP_URN,
  parsePatchRequest,
  readPatchRequest,
  type ParsedPatch,
  type PatchOperation,
  type PatchOpName,
} from './patch-request';
