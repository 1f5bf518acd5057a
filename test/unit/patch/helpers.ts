/** Shared fixtures for the PATCH engine tests: message builders, a stored user, an error assertion. */
import { expect } from 'vitest';
import { ScimError, type ScimType } from '../../../worker/src/scim/errors';
import { applyPatch, type PatchOutcome } from '../../../worker/src/scim/patch';
import { groupResourceType, userResourceType } from '../../../worker/src/scim/schema/registry';
import type { JsonObject } from '../../../worker/src/scim/schema/normalize';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

export type Op = { op: string; path?: string; value?: unknown };

export const message = (...ops: Op[]) => ({ schemas: [PATCH_OP], Operations: ops });

/** A stored Babs Jensen (RFC 7643 §8.2, trimmed), in the engine's normalised layout. */
export function babs(): JsonObject {
  return {
    userName: 'bjensen',
    externalId: 'bjensen',
    name: { familyName: 'Jensen', givenName: 'Barbara', formatted: 'Ms. Barbara J Jensen III' },
    displayName: 'Babs Jensen',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [
      { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', primary: true },
      { type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA' },
    ],
    [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
  };
}

export const group = (): JsonObject => ({ displayName: 'Tour Guides' });

export const patchUser = (current: JsonObject, ...ops: Op[]): PatchOutcome => applyPatch(userResourceType, current, message(...ops));
export const patchGroup = (...ops: Op[]): PatchOutcome => applyPatch(groupResourceType, group(), message(...ops));

/** Asserts `run` throws a 400 ScimError with this scimType (and, optionally, a detail matching `detail`). */
export function expectScimError(run: () => unknown, scimType: ScimType, detail?: RegExp): ScimError {
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
  if (detail) expect(err.message).toMatch(detail);
  return err;
}
