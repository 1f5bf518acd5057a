/**
 * What one operation does to its target once the message is parsed: write a value (add or
 * replace), or unassign. RFC 7643 §2.5 makes `"value": null` the same as unassigned, so Okta's
 * and Entra ID's `{"op":"replace","path":"title","value":null}` is an unset (quirk `nullValue`).
 */
import type { Json } from '../schema/normalize';
import type { PatchOperation } from './patch-request';

export type PatchAction =
  | { kind: 'write'; op: 'add' | 'replace'; value: Json }
  | { kind: 'unset' }
  /** `remove` with a value list and no filter: remove just those elements (members quirk, generalised) */
  | { kind: 'unsetValues'; values: Json };

export function actionOf(operation: PatchOperation): PatchAction {
  if (operation.op === 'remove') {
    return operation.hasValue && operation.value !== null ? { kind: 'unsetValues', values: operation.value } : { kind: 'unset' };
  }
  return operation.value === null ? { kind: 'unset' } : { kind: 'write', op: operation.op, value: operation.value };
}
