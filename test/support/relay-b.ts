/**
 * Relay B: the same worker, bundled with esbuild and served by workerd through Miniflare on
 * 127.0.0.1, with its own in-memory D1 and the migrations applied. End-to-end tests use it as
 * a real SCIM target for relay A (the worker under test in the vitest pool).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readD1Migrations } from '@cloudflare/vitest-plugin';
import { build } from 'esbuild';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface RelayB {
  url: string;
  token: string;
  /** Sends a message to the relay's work queue (only with `queues`). */
  sendWork(body: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface RelayBOptions {
  bootstrapToken: string;
  /** base64 of 32 bytes */
  encryptionKey: string;
  /**
   * Bind WORK_QUEUE and consume it and its dead-letter queue, as wrangler.toml does, with no
   * retry: a crash goes to the dead-letter queue at once (README "Queues").
   */
  queues?: boolean;
  /** more [vars], e.g. RELAY_LIMITS for a relay whose database reports nearly full */
  vars?: Record<string, string>;
}

const QUEUES = {
  queueProducers: { WORK_QUEUE: { queueName: 'relay-work' } },
  queueConsumers: {
    'relay-work': { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 0, retryDelay: 0, deadLetterQueue: 'relay-work-dlq' },
    'relay-work-dlq': { maxBatchSize: 10, maxBatchTimeout: 1 },
  },
};

/** The worker's compatibility date and flags, as wrangler.toml sets them for relay A. */
async function compatibility(): Promise<{ date: string; flags: string[] }> {
  const toml = await readFile(path.join(ROOT, 'wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!date) throw new Error('wrangler.toml has no compatibility_date');
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1];
  return { date, flags: flags ? [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) : [] };
}

async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'worker/src/index.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    // Provided by workerd at run time, as wrangler leaves them.
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export async function startRelayB(options: RelayBOptions): Promise<RelayB> {
  const [script, compat, migrations] = await Promise.all([bundleWorker(), compatibility(), readD1Migrations(path.join(ROOT, 'migrations'))]);
  // The pool's miniflare is v5, whose native options differ; the v4 shape is the documented one.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      // Port 0: the OS picks a free port, so there is nothing to retry.
      host: '127.0.0.1',
      port: 0,
      // Serves /cdn-cgi/local/scheduled, so tests can run relay B's cron over HTTP.
      unsafeTriggerHandlers: true,
      workers: [
        {
          name: 'relay-b',
          modules: true,
          script,
          compatibilityDate: compat.date,
          compatibilityFlags: compat.flags,
          d1Databases: ['DB'],
          bindings: { ...options.vars, RELAY_BOOTSTRAP_TOKEN: options.bootstrapToken, RELAY_ENCRYPTION_KEY: options.encryptionKey },
          ...(options.queues ? QUEUES : {}),
        },
      ],
    }),
  );
  try {
    const url = await mf.ready;
    const db = await mf.getD1Database('DB');
    // readD1Migrations splits each file into whole statements (a CREATE TRIGGER … BEGIN … END
    // stays one statement); a batch per file is one transaction, as wrangler applies them.
    for (const migration of migrations) await db.batch(migration.queries.map((q) => db.prepare(q)));
    const sendWork = async (body: unknown) => {
      if (!options.queues) throw new Error('relay started without queues');
      await (await mf.getQueueProducer('WORK_QUEUE')).send(body);
    };
    return { url: url.origin, token: options.bootstrapToken, sendWork, close: () => mf.dispose() };
  } catch (e) {
    await mf.dispose();
    throw e;
  }
}
