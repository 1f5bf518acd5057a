/**
 * The report a CMS target's "Save and test" builds step by step (Drupal, WordPress, Joomla): each
 * step says in words what it found, a failed one is also a problem to fix, and the last step sums
 * up. One builder, so the three connectors report alike.
 */
import type { Step } from '../../../shared/src/provisioning';
import { capabilitiesFrom } from './scim-client/capabilities';
import type { TestConnectionResult } from './scim-client/test-connection';
import type { ServiceProviderConfig } from './scim-client/schemas';
import type { Result } from './scim-client/types';

export function createTestReport(site: string, capabilities: ServiceProviderConfig, now: () => Date = () => new Date()) {
  const steps: Step[] = [];
  const problems: string[] = [];
  const record = (step: Step['step'], ok: boolean, detail: string, r?: Result<unknown>) => {
    const httpStatus = r ? (r.ok ? r.status : r.failure.status) : undefined;
    steps.push({ step, ok, detail, ...(httpStatus === undefined ? {} : { httpStatus }) });
    if (!ok) problems.push(detail);
  };
  const finish = (withCapabilities: boolean): TestConnectionResult => {
    const ok = problems.length === 0;
    steps.push({ step: 'result', ok, detail: ok ? `The ${site} site works with the relay.` : `${problems.length} problem(s) to fix before provisioning.` });
    return { ok, steps, problems, ...(withCapabilities ? { capabilities: capabilitiesFrom(capabilities, now()) } : {}) };
  };
  return { steps, problems, record, finish };
}
