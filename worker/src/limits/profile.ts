/**
 * Cloudflare's per-invocation limits as one profile that every budget derives from. Locally
 * workerd enforces none of them; on Cloudflare they decide whether the relay works at all.
 *
 * `RELAY_LIMITS` (wrangler.toml [vars]): "paid" (the default), "free", or a JSON object of
 * explicit numbers over a base profile, e.g. `{"base":"paid","cpuMs":300000}` for a Worker with
 * `limits.cpu_ms = 300000`.
 *
 * Figures: developers.cloudflare.com/workers/platform/limits/ and /d1/platform/limits/ —
 * Free: 10 ms CPU, 50 subrequests, 50 D1 queries; Paid: 30 s CPU (up to 5 min), 10,000
 * subrequests, 1,000 D1 queries; both: 6 simultaneous open connections, 128 MB, 100 bound
 * parameters and 100 KB per statement; `waitUntil` work ends 30 s after the response; a Cron
 * Trigger or queue consumer invocation may run 15 min of wall time. A D1 database holds 500 MB
 * (Free) or 10 GB (Paid).
 */
import { z } from 'zod';

export const INVOCATION_KINDS = ['http', 'waitUntil', 'cron', 'queue'] as const;
export type InvocationKind = (typeof INVOCATION_KINDS)[number];

const wallSchema = z.strictObject({
  http: z.number().int().positive(),
  waitUntil: z.number().int().positive(),
  cron: z.number().int().positive(),
  queue: z.number().int().positive(),
});

export const limitsSchema = z.strictObject({
  name: z.string(),
  /** D1 queries per invocation; a `batch()` is one query (one call to D1, one round trip) */
  d1Queries: z.number().int().positive(),
  /** outbound fetches per invocation */
  subrequests: z.number().int().positive(),
  /** D1 queries also use up subrequests (the Free plan's one pool of 50): the safe reading */
  d1CountsAsSubrequest: z.boolean(),
  /** simultaneous open outbound connections; more wait for one to close */
  connections: z.number().int().positive(),
  /** CPU time per invocation */
  cpuMs: z.number().int().positive(),
  /** wall time the relay gives itself per invocation kind, under the platform's own */
  wallMs: wallSchema,
  /** the plan's D1 database size */
  d1Bytes: z.number().int().positive(),
  /** the share of d1Bytes from which the console warns that the database is filling (limits/d1-size.ts) */
  d1WarnFraction: z.number().gt(0).max(1),
  /** the share of d1Bytes from which IdP writes are refused and imports stop (limits/d1-size.ts) */
  d1FullFraction: z.number().gt(0).max(1),
});
export type Limits = z.infer<typeof limitsSchema>;

export const PROFILES = {
  free: {
    name: 'free',
    d1Queries: 50,
    subrequests: 50,
    d1CountsAsSubrequest: true,
    connections: 6,
    cpuMs: 10,
    wallMs: { http: 25_000, waitUntil: 25_000, cron: 60_000, queue: 60_000 },
    d1Bytes: 500_000_000,
    d1WarnFraction: 0.8,
    d1FullFraction: 0.95,
  },
  paid: {
    name: 'paid',
    d1Queries: 1_000,
    subrequests: 10_000,
    d1CountsAsSubrequest: false,
    connections: 6,
    cpuMs: 30_000,
    wallMs: { http: 25_000, waitUntil: 25_000, cron: 60_000, queue: 60_000 },
    d1Bytes: 10_000_000_000,
    d1WarnFraction: 0.8,
    d1FullFraction: 0.95,
  },
} as const satisfies Record<string, Limits>;

const overrideSchema = limitsSchema
  .omit({ name: true, wallMs: true })
  .partial()
  .extend({ base: z.enum(['free', 'paid']).default('paid'), wallMs: wallSchema.partial().optional() })
  .strict();

export class LimitsConfigError extends Error {
  override readonly name = 'LimitsConfigError';
}

/**
 * The explicit profile last read, by its text: RELAY_LIMITS is one value per deployment, read by
 * every invocation's meter and by the budgets, pages and guards it sets, so its JSON and zod parse
 * run once per isolate, not at each of those (the named profiles need no parse).
 */
let explicit: { text: string; limits: Limits } | undefined;

/** The profile named by RELAY_LIMITS; a value that isn't one is a deployment mistake, said in words. */
export function parseLimits(value: string | undefined): Limits {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'paid') return PROFILES.paid;
  if (text === 'free') return PROFILES.free;
  if (explicit?.text !== text) explicit = { text, limits: parseExplicit(text) };
  return explicit.limits;
}

function parseExplicit(text: string): Limits {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LimitsConfigError(`RELAY_LIMITS must be "free", "paid" or a JSON object of numbers; got ${JSON.stringify(text.slice(0, 40))}.`);
  }
  const parsed = overrideSchema.safeParse(json);
  if (!parsed.success)
    throw new LimitsConfigError(`RELAY_LIMITS: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const { base, wallMs, ...numbers } = parsed.data;
  const from = PROFILES[base];
  const limits = { ...from, ...numbers, name: `${base}+custom`, wallMs: { ...from.wallMs, ...wallMs } };
  if (limits.d1WarnFraction > limits.d1FullFraction)
    throw new LimitsConfigError(`RELAY_LIMITS: d1WarnFraction (${limits.d1WarnFraction}) must not be above d1FullFraction (${limits.d1FullFraction}).`);
  return limits;
}

/** What one invocation of a kind may spend, with a reserve for its own bookkeeping writes. */
export interface InvocationBudget {
  d1Queries: number;
  /** outbound fetches; under a shared pool, what D1 leaves */
  subrequests: number;
  connections: number;
  wallMs: number;
}

/** Queries kept back for what every invocation must still write at the end (run rows, audit, cursors). */
export const D1_RESERVE = 5;

export function budgetFor(limits: Limits, kind: InvocationKind): InvocationBudget {
  const d1Queries = Math.max(1, limits.d1Queries - D1_RESERVE);
  return {
    d1Queries,
    subrequests: limits.d1CountsAsSubrequest ? Math.max(0, limits.subrequests - D1_RESERVE) : limits.subrequests,
    connections: limits.connections,
    wallMs: limits.wallMs[kind],
  };
}
