/**
 * Protection in one place (protected.ts): which accounts every kind of target keeps the relay's
 * hands off, and the admin's "allow" options of the CMS kinds.
 */
import { describe, expect, it } from 'vitest';
import { parseKindOptions } from '../../../shared/src/target-kinds';
import type { Target } from '../../../shared/src/targets';
import { learnProtected, protectedReason, protectionOf } from '../../../worker/src/provisioning/protected';

/** A target of this kind with its options parsed as the API stores them. */
function target(kind: 'drupal-jsonapi' | 'wordpress-rest' | 'joomla-webservices', options: object): Pick<Target, 'kind' | 'protectedAccounts' | 'options'> {
  const parsed = parseKindOptions(kind, options);
  if (!parsed.ok) throw new Error(parsed.issues[0]?.message);
  return { kind, protectedAccounts: [], options: parsed.options as Target['options'] };
}

// A core Joomla API token names its account: base64("sha256:<user id>:<hmac>").
const joomlaToken = btoa('sha256:560:0123456789abcdef');

describe('protectionOf', () => {
  it('a Drupal site: uid 1 and the Basic login', () => {
    const p = protectionOf(target('drupal-jsonapi', { auth: 'basic' }), 'relay:secret');
    expect(protectedReason(p, { remoteKey: '1' })).toMatch(/uid 1/);
    expect(protectedReason(p, { userName: 'Relay' })).toMatch(/own login/);
    expect(protectedReason(p, { userName: 'ada', remoteId: 'u-2', remoteKey: '2' })).toBeNull();
  });

  it('a WordPress site: user 1 unless allowUserOne, and the Application Password login always', () => {
    const p = protectionOf(target('wordpress-rest', {}), 'relay:abcd efgh');
    expect(protectedReason(p, { remoteId: '1' })).toMatch(/user 1/);
    expect(protectedReason(p, { userName: 'relay' })).toMatch(/own login/);
    const allowed = protectionOf(target('wordpress-rest', { allowUserOne: true }), 'relay:abcd efgh');
    expect(protectedReason(allowed, { remoteId: '1' })).toBeNull();
    expect(protectedReason(allowed, { userName: 'relay' })).toMatch(/own login/);
  });

  it('a Joomla site: the account the token names, and Super Users as the connector reports them', () => {
    const p = protectionOf(target('joomla-webservices', {}), joomlaToken);
    expect(protectedReason(p, { remoteId: '560' })).toMatch(/API token belongs to/);
    expect(protectedReason(p, { remoteId: '700' })).toBeNull();
    learnProtected(p, '700', 'a Super User on this site');
    expect(protectedReason(p, { remoteId: '700' })).toBe('a Super User on this site');
  });

  it('a SCIM target: only the admin list, by userName (any case) or remote id', () => {
    const p = protectionOf({ kind: 'scim', protectedAccounts: ['Keeper@x.test', 'remote-9'], options: null }, 'bearer-token');
    expect(protectedReason(p, { userName: 'keeper@X.test' })).toMatch(/protectedAccounts/);
    expect(protectedReason(p, { remoteId: 'remote-9' })).toMatch(/protectedAccounts/);
    expect(protectedReason(p, { remoteId: '1', userName: 'admin' })).toBeNull();
  });
});
