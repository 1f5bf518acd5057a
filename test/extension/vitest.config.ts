import { defineConfig } from 'vitest/config';

// The extension's tests run in Node, not workerd: adapter tests parse the real page captures with
// linkedom, and the end-to-end tests drive Chromium (playwright-core) with the built extension
// against relays served by Miniflare. One browser at a time on a 2-core machine: files run in turn.
export default defineConfig({
  test: {
    name: 'extension',
    root: new URL('../..', import.meta.url).pathname,
    // test/node: checks of the repository itself (it must stand alone), also run in Node.
    include: ['test/extension/**/*.test.ts', 'test/node/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
