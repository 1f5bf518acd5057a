/**
 * The PatchOp message (RFC 7644 §3.5.2): `{ schemas: [PatchOp URN], Operations: [{ op, path?,
 * value? }] }`, validated leniently where real clients differ from the RFC and strictly where
 * a mistake would change data.
 */
import { ScimError, badRequest } from '../errors';
import { isObject, type Json } from '../schema/normalize';

export const SCIM_PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const MAX_PATCH_OPERATIONS = 1000;

export type PatchOpName = 'add' | 'remove' | 'replace';

export interface PatchOperation {
  op: PatchOpName;
  /** absent when the client sent no path (or `"path": null`, RFC 7643 §2.5: null is unassigned) */
  path: string | undefined;
  /** false when the operation carries no `value` member at all */
  hasValue: boolean;
  value: Json;
}

const OP_NAMES: readonly PatchOpName[] = ['add', 'remove', 'replace'];

/** RFC 7643 §2.1 spirit, applied to message members: `Operations`, `operations`, `Op`, `Path`. */
function member(obj: Record<string, unknown>, name: string): { found: boolean; value: unknown } {
  if (Object.hasOwn(obj, name)) return { found: true, value: obj[name] };
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? { found: false, value: undefined } : { found: true, value: obj[key] };
}

/** Parses the request body into operations; throws 400 invalidSyntax / invalidValue. */
export function parsePatchRequest(request: unknown): PatchOperation[] {
  if (!isObject(request)) throw badRequest('invalidSyntax', 'The PATCH body must be a JSON object with "schemas" and "Operations".');
  checkSchemas(member(request, 'schemas'));
  // Some clients write "operations"; RFC 7644 §3.5.2 spells it "Operations".
  const ops = member(request, 'Operations').value;
  if (!Array.isArray(ops) || ops.length === 0) {
    throw badRequest('invalidSyntax', 'The PATCH body must carry a non-empty "Operations" array (RFC 7644 §3.5.2).');
  }
  if (ops.length > MAX_PATCH_OPERATIONS) {
    throw badRequest('invalidValue', `A PATCH request may carry at most ${MAX_PATCH_OPERATIONS} operations; this one has ${ops.length}.`);
  }
  return ops.map(parseOperation);
}

/**
 * A PATCH body parsed once on its way through (the one-trip planners, then the engine): its
 * operations, or the 400 it is answered with once the resource is found and the preconditions
 * hold (RFC 7644 §3.5.2 answers in that order: 404, 412, 400).
 */
export type ParsedPatch = PatchOperation[] | ScimError;

export function readPatchRequest(request: unknown): ParsedPatch {
  try {
    return parsePatchRequest(request);
  } catch (err) {
    if (err instanceof ScimError) return err;
    throw err;
  }
}

/**
 * RFC 7644 §3.5.2: "schemas" MUST be the PatchOp URN. We accept a message without "schemas"
 * (some hand-written clients omit it) but reject one that names something else, which is a
 * resource body sent to PATCH by mistake. URNs compare case-insensitively (RFC 8141 §3.1 for the
 * NID; clients vary the case of the rest too).
 */
function checkSchemas(schemas: { found: boolean; value: unknown }): void {
  if (!schemas.found || schemas.value === null) return;
  const list = Array.isArray(schemas.value) ? schemas.value : [schemas.value];
  if (!list.some((s) => typeof s === 'string' && s.toLowerCase() === SCIM_PATCH_OP_URN.toLowerCase())) {
    throw badRequest('invalidSyntax', `"schemas" must list ${SCIM_PATCH_OP_URN}.`);
  }
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isObject(raw)) throw badRequest('invalidSyntax', `${where} must be an object with "op", "path" and "value".`);
  const op = member(raw, 'op').value;
  // Quirk `capitalisedOp`: Entra ID sends "Add", "Replace", "Remove" (RFC 7644 §3.5.2 says lower case).
  const name = typeof op === 'string' ? op.toLowerCase() : undefined;
  if (!OP_NAMES.includes(name as PatchOpName)) {
    throw badRequest('invalidSyntax', `${where}.op must be "add", "remove" or "replace", not ${JSON.stringify(op ?? null)}.`);
  }
  const path = member(raw, 'path').value;
  if (path !== undefined && path !== null && typeof path !== 'string') {
    throw badRequest('invalidPath', `${where}.path must be a string.`);
  }
  const value = member(raw, 'value');
  // RFC 7644 §3.5.2.1 / §3.5.2.3: add and replace MUST carry "value" ("value": null is allowed
  // and means "unassign", RFC 7643 §2.5).
  if (name !== 'remove' && !value.found) throw badRequest('invalidSyntax', `${where} (${name}) must carry a "value".`);
  return { op: name as PatchOpName, path: typeof path === 'string' ? path : undefined, hasValue: value.found, value: (value.value ?? null) as Json };
}
