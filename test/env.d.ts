/// <reference path="../node_modules/@cloudflare/vitest-plugin/types/cloudflare-test.d.ts" />
// cloudflare:test's `env` is the worker's Env (worker/src/env.ts) plus the migrations binding.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('@cloudflare/vitest-plugin').D1Migration[];
    /** wrangler.toml [env.test]: a queue delivered to the worker's own consumer (test/queue/) */
    TEST_WORK_QUEUE: Queue<import('../worker/src/queue/messages').WorkMessage>;
    /** wrangler.toml [env.test]: a queue nobody consumes, for tests that read what was sent */
    TEST_SINK_QUEUE: Queue<import('../worker/src/queue/messages').WorkMessage>;
  }
}
