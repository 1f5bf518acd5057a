import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export const TEST_BOOTSTRAP_TOKEN = 'test-bootstrap-token-0123456789abcdef';

/** The suites that run again under RELAY_LIMITS=free: SCIM in, provisioning out, import. */
const FREE_PLAN_SUITES = [
  'test/conformance/users-crud.test.ts',
  'test/conformance/groups.test.ts',
  'test/conformance/bulk.test.ts',
  'test/e2e/provisioning-relay.test.ts',
  'test/e2e/plan-limits.test.ts',
  'test/sources/drupal-import.test.ts',
  'test/sources/import-to-relay-b.test.ts',
];

// Worker tests run in workerd against a real (local) D1. Migrations are read once here and
// applied by test/apply-migrations.ts.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  const workerProject = (name: string, include: string[], limits: Record<string, string> = {}) => ({
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
      exclude: ['test/extension/**', 'test/node/**', 'node_modules/**'],
      setupFiles: ['./test/apply-migrations.ts', './test/limits-harness.ts'],
      // Real D1 in workerd on a 2-core machine: a 1,000-operation Bulk takes seconds, not ms.
      testTimeout: 30_000,
      // Relay B and the fault-injecting SCIM target for test/e2e (URLs reach tests via inject).
      globalSetup: ['./test/support/global-setup.ts'],
    },
  });
  // Everything under the wrangler.toml profile (Paid), and a second pass under the Free plan's
  // limits over the suites that provision, import and serve SCIM end to end (README: Testing).
  const worker = workerProject('worker', ['test/**/*.test.ts']);
  const workerFree = workerProject('worker-free', FREE_PLAN_SUITES, { RELAY_LIMITS: 'free' });
  return {
    test: {
      // The worker in workerd under each plan's limits (above), the extension in Node with Chromium (its own config).
      projects: [worker, workerFree, './test/extension/vitest.config.ts'],
      // The JSON report lets .ci/run print the plain 'N passed, N failed' closing line.
      reporters: ['default', ['json', { outputFile: 'node_modules/.cache/vitest-results.json' }] as [string, { outputFile: string }]],
    },
  };
});
