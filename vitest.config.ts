import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export const TEST_BOOTSTRAP_TOKEN = 'test-bootstrap-token-0123456789abcdef';

/**
 * Files whose tests keep to their own data (unique names, no counts of the whole directory) and
 * add no target: they share one D1 per pool worker (isolate: false), which saves the 3-5 s of a
 * fresh workerd that every isolated file pays (README "Testing"). A file that adds targets stays
 * isolated: every SCIM write dispatches to the automatic targets in its D1, whichever file made them.
 */
const SHARED_STORAGE = ['test/{unit,conformance,vendors,worker}/**/*.test.ts'];
const ADDS_TARGETS = ['test/unit/provisioning/planner.test.ts', 'test/unit/provisioning/scope.test.ts', 'test/unit/reconcile/listers.test.ts'];
/** End to end (provisioning out, queues, import): each file gets a workerd and a D1 of its own. */
const END_TO_END = ['test/{e2e,queue,sources}/**/*.test.ts'];
/** The admin API, and the unit files above: isolated too, under Paid only. */
const ISOLATED = [...END_TO_END, 'test/api/**/*.test.ts', ...ADDS_TARGETS];
/** SCIM in: the conformance suite, run again under Free with the end-to-end files. */
const SCIM_IN = ['test/conformance/**/*.test.ts'];

// Worker tests run in workerd against a real (local) D1. Migrations are read once here and
// applied by test/apply-migrations.ts.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  const workerProject = (name: string, include: string[], isolate: boolean, limits: Record<string, string> = {}, exclude: string[] = []) => ({
    plugins: [
      cloudflareTest({
        // [env.test]: the worker without WORK_QUEUE, plus the queue tests' own queues (wrangler.toml).
        wrangler: { configPath: './wrangler.toml', environment: 'test' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            RELAY_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
            RELAY_ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
            // The limits harness: every invocation fails past the RELAY_LIMITS profile (test/limits-harness.ts).
            RELAY_ENFORCE_LIMITS: '1',
            ...limits,
          },
        },
      }),
    ],
    test: {
      name,
      include,
      isolate,
      // vitest's default is one worker fewer than the cores: 1 on CI's 2 cores, where these tests
      // spend most of their time waiting on workerd, relay B and the fake sites.
      maxWorkers: 2,
      exclude: ['test/extension/**', 'test/node/**', 'node_modules/**', ...exclude],
      setupFiles: ['./test/apply-migrations.ts', './test/limits-harness.ts'],
      // Real D1 in workerd on a 2-core machine: a 1,000-operation Bulk takes seconds, not ms.
      testTimeout: 30_000,
      // Relay B and the fault-injecting SCIM target for test/e2e (URLs reach tests via inject).
      globalSetup: ['./test/support/global-setup.ts'],
    },
  });
  // Everything under the wrangler.toml profile (Paid), and a second pass under the Free plan's
  // limits over every suite that serves SCIM, provisions, queues or imports end to end (README: Testing).
  const free = { RELAY_LIMITS: 'free' };
  const workers = [
    workerProject('worker', ISOLATED, true),
    workerProject('worker-shared', SHARED_STORAGE, false, {}, ADDS_TARGETS),
    workerProject('worker-free', END_TO_END, true, free),
    workerProject('worker-free-shared', SCIM_IN, false, free),
  ];
  return {
    test: {
      // The worker in workerd under each plan's limits (above), the extension in Node with Chromium (its own config).
      projects: [...workers, './test/extension/vitest.config.ts'],
      // The JSON report lets .ci/run print the plain 'N passed, N failed' closing line.
      reporters: ['default', ['json', { outputFile: 'node_modules/.cache/vitest-results.json' }] as [string, { outputFile: string }]],
    },
  };
});
