/**
 * One benchmark runtime: the worker bundled by wrangler, served by workerd through Miniflare
 * (no `wrangler dev` proxy in front, which roughly halves throughput), with a fresh on-disk D1.
 * A phase starts its own runtime and disposes of it: workerd under long load grows to GBs and
 * runs out of file handles, so no runtime outlives its phase.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { unstable_readConfig } from 'wrangler';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const WORK_DIR = path.join(ROOT, 'bench/.work');

/** The slice of the D1 binding (proxied into Node by Miniflare) that the bench uses. */
export interface D1Statement {
  bind(...values: unknown[]): D1Statement;
  run(): Promise<unknown>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
}
export interface D1Like {
  prepare(sql: string): D1Statement;
  batch(statements: D1Statement[]): Promise<unknown[]>;
}
interface MiniflareLike {
  ready: Promise<URL>;
  getD1Database(binding: string): Promise<D1Like>;
  dispose(): Promise<void>;
}
type MiniflareClass = new (options: Record<string, unknown>) => MiniflareLike;
type LogClass = new (level: number) => unknown;

export interface Runtime {
  url: string;
  token: string;
  db: D1Like;
  /** the directory its D1 is persisted in (removed on dispose) */
  persist: string;
  description: string;
  dispose(): Promise<void>;
}

/**
 * wrangler's own Miniflare (4.x): the runtime `wrangler dev` would use. The hoisted `miniflare`
 * is the 5.x beta pulled in by @cloudflare/vitest-plugin, whose options have another shape.
 */
function loadMiniflare(): { Miniflare: MiniflareClass; Log: LogClass; warn: number; version: string; workerd: string } {
  const fromWrangler = createRequire(path.join(ROOT, 'node_modules/wrangler/package.json'));
  const pkgPath = fromWrangler.resolve('miniflare/package.json');
  const version = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
  if (!version.startsWith('4.')) throw new Error(`bench expects wrangler's Miniflare 4.x, found ${version} at ${pkgPath}`);
  const fromMiniflare = createRequire(pkgPath);
  const workerd = (JSON.parse(readFileSync(fromMiniflare.resolve('workerd/package.json'), 'utf8')) as { version: string }).version;
  const { Miniflare, Log, LogLevel } = fromWrangler('miniflare') as { Miniflare: MiniflareClass; Log: LogClass; LogLevel: { WARN: number } };
  return { Miniflare, Log, warn: LogLevel.WARN, version, workerd };
}

/**
 * Bundles the worker exactly as `wrangler deploy` would, once per bench run. Each bench passes
 * its own directory, so two benches running at once do not delete each other's bundle.
 */
export function bundleWorker(dirName = 'dist', entry?: string): string {
  const outdir = path.join(WORK_DIR, dirName);
  rmSync(outdir, { recursive: true, force: true });
  // `entry`: another entry module than wrangler.toml's main (bench:converge wraps the worker to count D1 queries).
  execFileSync(path.join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir, ...(entry ? [entry] : [])], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // wrangler names the bundle after its entry module.
  return path.join(outdir, entry ? `${path.basename(entry, path.extname(entry))}.js` : 'index.js');
}

function compatibilityDate(): string {
  const m = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8'));
  if (!m) throw new Error('wrangler.toml has no compatibility_date');
  return m[1]!;
}

/** The flags wrangler.toml sets (nodejs_compat: the limits harness's AsyncLocalStorage). */
function compatibilityFlags(): string[] {
  const m = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8'));
  return m ? [...m[1]!.matchAll(/"([^"]+)"/g)].map((f) => f[1]!) : [];
}

/** Statements of the drizzle-generated migrations, in order. */
function migrationStatements(): string[] {
  const dir = path.join(ROOT, 'migrations');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('--> statement-breakpoint'))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * A named token with every scope, stored as production stores it (SHA-256 of the secret), so
 * each request pays the real lookup rather than the bootstrap token's constant-time compare.
 */
async function createToken(db: D1Like): Promise<string> {
  const secret = `srt_${randomBytes(32).toString('base64url')}`;
  const hash = createHash('sha256').update(secret).digest('hex');
  await db
    .prepare('INSERT INTO tokens (id, name, hash, scopes) VALUES (?, ?, ?, ?)')
    .bind(randomBytes(8).toString('hex'), 'bench', hash, 'scim:read scim:write admin')
    .run();
  return secret;
}

export interface RuntimeOptions {
  /**
   * Serve `/cdn-cgi/handler/scheduled?cron=…` (Miniflare 4's route; the 5.x beta's is
   * `/cdn-cgi/local/scheduled`), so a bench can fire the worker's cron over HTTP.
   */
  triggerHandlers?: boolean;
  /** Chrome DevTools Protocol on this port (heap figures of the worker's isolate) */
  inspectorPort?: number;
  /** [vars] for the worker, e.g. RELAY_LIMITS=free */
  vars?: Record<string, string>;
  /** bind wrangler.toml's queues, producers and consumers as deployed (Miniflare runs them locally) */
  queues?: boolean;
}

/** The part of wrangler's config this file reads (its own types do not resolve under the bench's tsconfig). */
interface WranglerQueues {
  producers?: { binding: string; queue: string }[];
  consumers?: { queue: string; max_batch_size?: number; max_batch_timeout?: number; max_retries?: number; retry_delay?: number; dead_letter_queue?: string }[];
}

/**
 * wrangler.toml's top-level queues in Miniflare's shape, read by wrangler's own config reader.
 * Miniflare runs a queue's consumer one batch at a time (max_concurrency is not emulated).
 */
function queueOptions(): Record<string, unknown> {
  const { queues } = unstable_readConfig({ config: path.join(ROOT, 'wrangler.toml') }) as { queues: WranglerQueues };
  return {
    queueProducers: Object.fromEntries((queues.producers ?? []).map((p) => [p.binding, { queueName: p.queue }])),
    queueConsumers: Object.fromEntries(
      (queues.consumers ?? []).map((c) => [
        c.queue,
        {
          ...(c.max_batch_size !== undefined ? { maxBatchSize: c.max_batch_size } : {}),
          ...(c.max_batch_timeout !== undefined ? { maxBatchTimeout: c.max_batch_timeout } : {}),
          ...(c.max_retries !== undefined ? { maxRetries: c.max_retries } : {}),
          ...(c.retry_delay !== undefined ? { retryDelay: c.retry_delay } : {}),
          ...(c.dead_letter_queue !== undefined ? { deadLetterQueue: c.dead_letter_queue } : {}),
        },
      ]),
    ),
  };
}

export async function startRuntime(scriptPath: string, phase: string, options: RuntimeOptions = {}): Promise<Runtime> {
  const { Miniflare, Log, warn, version, workerd } = loadMiniflare();
  const persist = path.join(WORK_DIR, `d1-${phase}`);
  rmSync(persist, { recursive: true, force: true });
  mkdirSync(persist, { recursive: true });
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    compatibilityDate: compatibilityDate(),
    compatibilityFlags: compatibilityFlags(),
    d1Databases: { DB: `bench-${phase}` },
    d1Persist: persist,
    // No RELAY_BOOTSTRAP_TOKEN: production leaves it unset once named tokens exist.
    bindings: { RELAY_ENCRYPTION_KEY: randomBytes(32).toString('base64'), ...options.vars },
    host: '127.0.0.1',
    port: 0,
    // Request.cf is a placeholder: no lookup of workers.cloudflare.com from the bench.
    cf: false,
    // Runtime warnings and errors (a dropped connection, an isolate over its memory limit) show.
    log: new Log(warn),
    ...(options.triggerHandlers ? { unsafeTriggerHandlers: true } : {}),
    ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
    ...(options.queues ? queueOptions() : {}),
  });
  try {
    const url = (await mf.ready).origin;
    const db = await mf.getD1Database('DB');
    for (const sql of migrationStatements()) await db.prepare(sql).run();
    const token = await createToken(db);
    return {
      url,
      token,
      db,
      persist,
      description: `workerd ${workerd} via Miniflare ${version} (wrangler's), no wrangler proxy; D1 persisted on disk`,
      async dispose() {
        await mf.dispose();
        rmSync(persist, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await mf.dispose();
    rmSync(persist, { recursive: true, force: true });
    throw err;
  }
}
