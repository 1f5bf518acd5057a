import { defineConfig } from 'drizzle-kit';

// migrations/ is generated from worker/src/db/schema.ts and applied by wrangler (local and remote).
export default defineConfig({
  dialect: 'sqlite',
  schema: './worker/src/db/schema.ts',
  out: './migrations',
});
