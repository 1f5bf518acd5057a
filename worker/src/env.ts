/** Bindings and secrets of the worker (wrangler.toml, .dev.vars / `wrangler secret put`). */
export interface Env {
  DB: D1Database;
  /** A token with every scope, for automation and first setup. Optional. */
  RELAY_BOOTSTRAP_TOKEN?: string;
  /** base64 of 32 random bytes: the AES-GCM key for target credentials. */
  RELAY_ENCRYPTION_KEY?: string;
}
