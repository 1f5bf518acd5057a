import { describe, expect, it } from 'vitest';
import type { Link, ProvisionResult } from '../../../shared/src/provisioning';
import { chipLabel, chipState, describeLink, linkLabel, overrideSaid, STATE_LABEL } from '../../../extension/src/overlay/link-state';
import { summarise } from '../../../extension/src/overlay/summarise-outcome';

const link = (over: Partial<Link>): Link => ({
  targetId: 't',
  targetName: 'Relay B',
  state: 'never',
  remoteId: null,
  lastAttemptAt: null,
  lastSuccessAt: null,
  nextAttemptAt: null,
  lastError: null,
  ...over,
});
const result = (over: Partial<ProvisionResult>): ProvisionResult => ({
  targetId: 't',
  targetName: 'Relay B',
  ok: true,
  action: 'create',
  remoteId: 'r',
  attributesChanged: [],
  dryRun: false,
  error: null,
  failure: null,
  steps: [],
  ...over,
});

describe('chip texts', () => {
  it('labels every link state', () => {
    expect(STATE_LABEL).toEqual({ in_sync: 'in sync', pending: 'pending', failed: 'failed', never: 'not linked', out_of_scope: 'out of scope' });
  });

  it('puts an override beside the state on the chip (issue #13)', () => {
    expect(chipLabel(link({ state: 'in_sync' }))).toBe('Relay B: in sync');
    expect(chipLabel(link({ state: 'in_sync', override: 'always' }))).toBe('Relay B: in sync · always');
    expect(chipLabel(link({ state: 'out_of_scope', override: 'never' }))).toBe('Relay B: out of scope · never');
  });

  it('says why a user is out of scope, and that "always" wins over the scope', () => {
    expect(describeLink(link({ state: 'out_of_scope' }))).toBe("Out of scope for Relay B: not in the target's scope.");
    expect(describeLink(link({ state: 'out_of_scope', override: 'never' }))).toBe('Out of scope for Relay B: overridden "never provision".');
    expect(describeLink(link({ state: 'never', override: 'always' }))).toBe(
      'Not linked on Relay B: never provisioned there. Always provisioned to Relay B, whatever its scope.',
    );
  });

  it('says what an override change did', () => {
    expect(overrideSaid('ann', 'Relay B', 'always')).toBe('ann will always be provisioned to Relay B.');
    expect(overrideSaid('ann', 'Relay B', 'never')).toBe('ann will never be provisioned to Relay B.');
    expect(overrideSaid('ann', 'Relay B', null)).toBe('ann follows the scope of Relay B again.');
  });

  it('gives the failure reason once, without a doubled full stop, and the next attempt when there is one', () => {
    const text = describeLink(link({ state: 'failed', lastError: 'department is required.', nextAttemptAt: '2026-11-23T10:00:00Z' }));
    expect(text).toMatch(/^Failed on Relay B: department is required \(next attempt .+\)\.$/);
    expect(describeLink(link({ state: 'failed' }))).toBe('Failed on Relay B: no reason given.');
  });

  it('names drift reconcile found while its repair is on the way, roles first, and never says in sync', () => {
    const drifting = link({ state: 'pending', drift: ['attributes', 'roles'] });
    expect(linkLabel(drifting)).toBe('role drift — repairing');
    expect(chipState(drifting)).toBe('drift');
    expect(describeLink(drifting)).toBe('Reconcile found role drift, drift on Relay B: the repair is queued; in sync once it lands.');
    expect(linkLabel(link({ state: 'pending', drift: ['memberships'] }))).toBe('membership drift — repairing');
    // A failure says more than the drift behind it.
    expect(linkLabel(link({ state: 'failed', drift: ['roles'] }))).toBe('failed');
    expect(linkLabel(link({ state: 'in_sync', drift: null }))).toBe('in sync');
  });

  it('says what pending and not linked mean', () => {
    expect(describeLink(link({ state: 'pending' }))).toBe('Waiting to be sent to Relay B.');
    expect(describeLink(link({ state: 'never' }))).toBe('Not linked on Relay B: never provisioned there.');
  });
});

describe('row note after Provision', () => {
  const outcome = { uid: '7', ok: true, userId: 'u', error: null, imported: false };

  it('names where the user went, and why a target skipped it', () => {
    const skipped = result({
      targetName: 'App',
      action: 'skip',
      steps: [{ step: 'action', ok: true, detail: 'Inactive and never created: nothing to send.' }],
    });
    expect(summarise({ ...outcome, results: [result({}), skipped] })).toEqual({
      kind: 'ok',
      text: 'Provisioned to Relay B. App: skipped — Inactive and never created: nothing to send.',
    });
  });

  it("puts failures first, with the relay's reason", () => {
    expect(
      summarise({ ...outcome, ok: false, results: [result({}), result({ targetName: 'App', ok: false, error: 'HTTP 400: bad', failure: 'rejected' })] }),
    ).toEqual({ kind: 'error', text: 'App: HTTP 400: bad' });
    expect(summarise({ ...outcome, ok: false, error: 'The relay has no user for this account.', results: [] })).toEqual({
      kind: 'error',
      text: 'The relay has no user for this account.',
    });
  });
});
