/**
 * "Save and test": a real round trip against the target that says what works, what is missing
 * and why. It reads the ServiceProviderConfig (base URL, token, capabilities), runs each
 * matching filter for a value nobody has (expects 200 and no results), and, when the admin names
 * one, finds an existing user.
 */
import type { Step } from '../../../../shared/src/provisioning';
import type { Capabilities } from '../../../../shared/src/targets';
import type { Failure } from '../failure';
import { MappingError } from '../mapping/path';
import { capabilitiesFrom, describeCapabilities } from './capabilities';
import type { ScimClient } from './client';
import { buildFilter } from './filter';
import type { Result } from './types';

export interface TestConnectionOptions {
  /** a userName known to exist on the target */
  existingUserName?: string;
  now?: () => Date;
  /** the made-up value the matching filters look for */
  probeValue?: string;
}

export interface TestConnectionResult {
  ok: boolean;
  steps: Step[];
  capabilities?: Capabilities;
  problems: string[];
}

export async function testConnection(client: ScimClient, matching: readonly string[], opts: TestConnectionOptions = {}): Promise<TestConnectionResult> {
  const steps: Step[] = [];
  const problems: string[] = [];
  const record = (step: Step['step'], ok: boolean, detail: string, r: Timed<unknown>) => {
    const httpStatus = r.result.ok ? r.result.status : r.result.failure.status;
    steps.push({ step, ok, detail, durationMs: r.ms, ...(httpStatus === undefined ? {} : { httpStatus }) });
    if (!ok) problems.push(detail);
  };
  const finish = (capabilities?: Capabilities): TestConnectionResult => {
    const ok = problems.length === 0;
    steps.push({ step: 'result', ok, detail: ok ? 'The target works with the relay.' : `${problems.length} problem(s) to fix before provisioning.` });
    return { ok, steps, problems, ...(capabilities ? { capabilities } : {}) };
  };

  const spc = await timed(() => client.serviceProviderConfig());
  let capabilities: Capabilities | undefined;
  if (spc.result.ok) {
    capabilities = capabilitiesFrom(spc.result.value, (opts.now ?? (() => new Date()))());
    record('test_connection', true, `Connected. ${describeCapabilities(capabilities)}.`, spc);
  } else {
    record('test_connection', false, explainDiscovery(spc.result.failure), spc);
    // Unreachable, wrong base URL or bad token: nothing further can work.
    if (spc.result.failure.kind === 'fatal' || spc.result.failure.kind === 'transient') return finish();
  }

  const probe = opts.probeValue ?? `relay-test-${crypto.randomUUID()}@example.invalid`;
  for (const path of matching) {
    let filter: string;
    try {
      filter = buildFilter(path, probe);
    } catch (e) {
      if (!(e instanceof MappingError)) throw e;
      const detail = `The matching attribute ${path} is not a SCIM path: ${e.message}`;
      steps.push({ step: 'match', ok: false, detail });
      problems.push(detail);
      continue;
    }
    const r = await timed(() => client.findUsers(filter));
    if (r.result.ok) {
      const n = r.result.value.length;
      if (n === 0) record('match', true, `Matching on ${path} works: a made-up value finds nobody.`, r);
      else
        record(
          'match',
          false,
          `The target returned ${n > 1 ? 'users' : 'a user'} for a made-up ${path}: it ignores the filter, so matching on ${path} would link the wrong accounts.`,
          r,
        );
    } else {
      record('match', false, explainFilter(path, r.result.failure), r);
      if (r.result.failure.kind === 'fatal') return finish(capabilities);
    }
  }

  if (opts.existingUserName !== undefined) {
    const name = opts.existingUserName;
    const r = await timed(() => client.findUsers(buildFilter('userName', name)));
    if (!r.result.ok) record('read', false, `Looking up ${name} failed: ${r.result.failure.message}`, r);
    else if (r.result.value.length === 1) record('read', true, `Found ${name} on the target (id ${r.result.value[0]!.id}).`, r);
    else if (r.result.value.length === 0)
      record('read', false, `No user with userName ${name} on the target: check the name, or the target's filtering on userName.`, r);
    else record('read', false, `More than one user matches userName ${name}: the target's filtering on userName is unreliable.`, r);
  }
  return finish(capabilities);
}

type Timed<T> = { result: Result<T>; ms: number };

async function timed<T>(run: () => Promise<Result<T>>): Promise<Timed<T>> {
  const started = Date.now();
  const result = await run();
  return { result, ms: Date.now() - started };
}

function explainDiscovery(f: Failure): string {
  // A 200 that is not SCIM at /ServiceProviderConfig: usually a web app answering every path.
  if (f.kind === 'transient' && f.status !== undefined && f.status < 300) {
    return `The base URL answered, but not with a SCIM ServiceProviderConfig: check the base URL, which usually ends in /scim/v2. (${f.message})`;
  }
  if (f.kind === 'rejected') return `The target would not return its ServiceProviderConfig, so its capabilities are unknown: ${f.message}`;
  return f.message;
}

function explainFilter(path: string, f: Failure): string {
  if (f.kind === 'rejected') return `The target does not support filtering on ${path}, so it cannot be a matching attribute. ${f.message}`;
  if (f.kind === 'not_found') return `The target has no /Users endpoint at this base URL (404): check the base URL.`;
  return `Matching on ${path} could not be tested: ${f.message}`;
}
