/**
 * Bindings and secrets of the worker (wrangler.toml, .dev.vars / `wrangler secret put`),
 * declared on Cloudflare.Env so `cloudflare:test`'s `env` has the same type.
 */
declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      /** A token with every scope, for automation and first setup. Optional. */
      RELAY_BOOTSTRAP_TOKEN?: string;
      /** base64 of 32 random bytes: the AES-GCM key for target credentials. */
      RELAY_ENCRYPTION_KEY?: string;
      /** the limits profile every budget derives from: "paid" (default), "free", or JSON (worker/src/limits/profile.ts) */
      RELAY_LIMITS?: string;
      /** "replica": SCIM reads without a bookmark may be served by a D1 read replica; default "primary" (worker/src/db/d1-session.ts) */
      RELAY_D1_READS?: string;
      /** days the audit log and finished runs are kept (default 90; db/retention.ts) */
      RELAY_AUDIT_RETENTION_DAYS?: string;
      /** "1": fail any invocation that goes past its profile (the tests' limits harness) */
      RELAY_ENFORCE_LIMITS?: string;
      /**
       * The work queue's producer (wrangler.toml [[queues.producers]], README "Queues"). Unbound
       * (a plan or an operator without Queues): SCIM writes dispatch in waitUntil and the cron drains.
       */
      WORK_QUEUE?: Queue<import('./queue/messages').WorkMessage>;
    }
  }
}

export type Env = Cloudflare.Env;
