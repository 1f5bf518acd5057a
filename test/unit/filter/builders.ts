/**
 * Tiny AST builders and an error assertion for the filter tests, so each expected tree reads
 * like the filter it came from.
 */
import { expect } from 'vitest';
import type { AttrPath, CompareOp, Filter, FilterValue } from '../../../worker/src/scim/filter/ast';
import { ScimError, type ScimType } from '../../../worker/src/scim/errors';

/** `name.familyName` → { attr: 'name', sub: 'familyName' }; a URN goes in `uri`. */
export function path(dotted: string, uri?: string): AttrPath {
  const [attr, sub] = dotted.split('.') as [string, string | undefined];
  return { ...(uri === undefined ? {} : { uri }), attr, ...(sub === undefined ? {} : { sub }) };
}

export const cmp = (p: string | AttrPath, op: CompareOp, value: FilterValue): Filter => ({
  kind: 'compare',
  path: typeof p === 'string' ? path(p) : p,
  op,
  value,
});
export const pr = (p: string | AttrPath): Filter => ({ kind: 'present', path: typeof p === 'string' ? path(p) : p });
export const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
export const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
export const not = (filter: Filter): Filter => ({ kind: 'not', filter });
export const vpath = (p: string | AttrPath, filter: Filter): Filter => ({
  kind: 'valuePath',
  path: typeof p === 'string' ? path(p) : p,
  filter,
});

/** Asserts `run` throws a 400 ScimError with this scimType whose detail matches `detail`. */
export function expectScimError(run: () => unknown, scimType: ScimType, detail: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ScimError);
  const err = thrown as ScimError;
  expect(err.status).toBe(400);
  expect(err.scimType).toBe(scimType);
  expect(err.message).toMatch(detail);
}

export const CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
