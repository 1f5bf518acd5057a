/**
 * vitest globalSetup (runs in Node, once per `vitest run`): starts relay B and the fault target
 * on 127.0.0.1 (and a fault proxy in front of relay B) and hands their URLs and tokens to the tests with `provide`; tests read them
 * with `inject` (test/support/e2e.ts). The returned function stops both servers.
 */
import type { TestProject } from 'vitest/node';
import { startDrupalSite } from './drupal-site/server';
import { startFaultProxy } from './fault-proxy/server';
import { startFaultTarget } from './fault-target/server';
import { startJoomlaSite } from './joomla-site/server';
import './provided-context';
import { startRelayB } from './relay-b';
import { startWordpressSite } from './wordpress-site/server';

export const RELAY_B_TOKEN = 'relay-b-bootstrap-token-0123456789abcdef';
export const FAULT_TARGET_TOKEN = 'fault-target-token-0123456789abcdef';
const RELAY_B_ENCRYPTION_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 255 - i)).toString('base64');

/**
 * A failure to start is handed to the tests instead of thrown: only the end-to-end tests need
 * these servers, so only they fail (test/support/e2e.ts throws it on import), with the cause.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const [relayB, target, drupal, wordpress, joomla] = await Promise.allSettled([
    startRelayB({ bootstrapToken: RELAY_B_TOKEN, encryptionKey: RELAY_B_ENCRYPTION_KEY }).then(async (b) => {
      const proxy = await startFaultProxy(b.url).catch(async (e: unknown) => {
        await b.close();
        throw e;
      });
      return { url: b.url, token: b.token, proxyUrl: proxy.url, close: () => Promise.all([proxy.close(), b.close()]).then(() => undefined) };
    }),
    startFaultTarget(FAULT_TARGET_TOKEN),
    startDrupalSite(),
    startWordpressSite(),
    startJoomlaSite(),
  ]);
  const all = [relayB, target, drupal, wordpress, joomla];
  const stop = async () => {
    await Promise.all(all.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
  };
  if (
    relayB.status === 'rejected' ||
    target.status === 'rejected' ||
    drupal.status === 'rejected' ||
    wordpress.status === 'rejected' ||
    joomla.status === 'rejected'
  ) {
    const reason: unknown = all.find((s): s is PromiseRejectedResult => s.status === 'rejected')!.reason;
    const message = `end-to-end servers did not start: ${reason instanceof Error ? reason.message : String(reason)}`;
    console.warn(`[e2e] ${message}`);
    project.provide('e2eSetupError', message);
    return stop;
  }
  project.provide('e2eSetupError', null);
  // The convergence property test replays one seed when told (test/e2e/converge-property.test.ts).
  project.provide('propertySeed', process.env.PROPERTY_SEED ?? null);
  project.provide('relayBUrl', relayB.value.url);
  project.provide('relayBToken', relayB.value.token);
  project.provide('relayBProxyUrl', relayB.value.proxyUrl);
  project.provide('faultTargetUrl', target.value.url);
  project.provide('faultTargetToken', target.value.token);
  project.provide('drupalSiteUrl', drupal.value.url);
  project.provide('wordpressSiteUrl', wordpress.value.url);
  project.provide('joomlaSiteUrl', joomla.value.url);
  if (process.env.E2E_VERBOSE) console.log(`[e2e] relay B ${relayB.value.url}, fault target ${target.value.url} (${Date.now() - started} ms)`);
  return stop;
}
