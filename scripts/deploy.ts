/**
 * `npm run deploy`: a real Cloudflare account from nothing to a running relay, in one command
 * that is safe to run again (every step checks before it creates):
 *  1. wrangler is logged in;
 *  2. the D1 database exists (created if missing) and its id is in wrangler.toml;
 *  3. the queues wrangler.toml declares exist;
 *  4. remote migrations are applied;
 *  5. RELAY_ENCRYPTION_KEY exists (never replaced: stored credentials are sealed with it), else
 *     it comes from the environment or `--encryption-key`, or is generated and shown once;
 *  6. the worker is deployed, the new secret uploaded with it;
 *  7. the SCIM URL is printed with the command that makes the first token.
 *
 * `--config <file>` deploys another wrangler config. WRANGLER_BIN points at another wrangler
 * (the tests use a stub that records every call).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PLACEHOLDER_DATABASE_ID, readDeployConfig, withDatabaseId } from './lib/wrangler-config.ts';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { config: { type: 'string', default: path.join(root, 'wrangler.toml') }, 'encryption-key': { type: 'string' } } });
const configFile = path.resolve(values.config);
const bin = process.env.WRANGLER_BIN ?? path.join(root, 'node_modules/.bin/wrangler');

interface Result {
  ok: boolean;
  out: string;
}

/** One wrangler call; its output is kept for parsing and shown only when it fails. */
function wrangler(args: string[]): Result {
  const r = spawnSync(bin, [...args, '--config', configFile], {
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function must(args: string[], what: string): string {
  const r = wrangler(args);
  if (!r.ok) fail(`${what} failed (wrangler ${args.join(' ')}):\n${r.out.trim()}`);
  return r.out;
}

function fail(message: string): never {
  console.error(`\n✗ ${message}`);
  process.exit(1);
}

const step = (text: string) => console.log(`• ${text}`);

/** The first JSON value in wrangler's output (it may print a banner before it). */
function jsonIn<T>(out: string): T | null {
  const at = out.search(/[[{]/);
  if (at < 0) return null;
  try {
    return JSON.parse(out.slice(at)) as T;
  } catch {
    return null;
  }
}

const whoami = wrangler(['whoami']);
if (!whoami.ok || /not authenticated/i.test(whoami.out))
  fail('wrangler is not logged in. Run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then run this again.');

let toml = readFileSync(configFile, 'utf8');
const config = readDeployConfig(toml);

// 2. The database: found by name, created only when missing.
const findDatabase = () =>
  jsonIn<{ uuid: string; name: string }[]>(must(['d1', 'list', '--json'], 'Listing D1 databases'))?.find((d) => d.name === config.databaseName);
let database = findDatabase();
if (database) step(`D1 database "${config.databaseName}" exists (${database.uuid}).`);
else {
  must(['d1', 'create', config.databaseName], `Creating D1 database "${config.databaseName}"`);
  database = findDatabase() ?? fail(`D1 database "${config.databaseName}" was created but is not listed.`);
  step(`Created D1 database "${config.databaseName}" (${database.uuid}).`);
}
if (config.databaseId !== database.uuid) {
  toml = withDatabaseId(toml, database.uuid);
  writeFileSync(configFile, toml);
  step(
    `Wrote database_id ${database.uuid} into ${path.relative(process.cwd(), configFile) || configFile}${config.databaseId && config.databaseId !== PLACEHOLDER_DATABASE_ID ? ` (was ${config.databaseId})` : ''}.`,
  );
}

// 3. Queues: creating one that exists fails with "already exists", which is what we want.
for (const queue of config.queues) {
  const r = wrangler(['queues', 'create', queue]);
  if (r.ok) step(`Created queue "${queue}".`);
  else if (/already (exists|taken)/i.test(r.out)) step(`Queue "${queue}" exists.`);
  else fail(`Creating queue "${queue}" failed:\n${r.out.trim()}`);
}

// 4. Migrations: wrangler applies only those not yet applied.
must(['d1', 'migrations', 'apply', 'DB', '--remote'], 'Applying remote migrations');
step('Remote migrations applied.');

// 5. Secrets: a worker that was never deployed has none (wrangler answers "not found").
const listed = wrangler(['secret', 'list', '--format', 'json']);
const secrets = new Set((listed.ok ? (jsonIn<{ name: string }[]>(listed.out) ?? []) : []).map((s) => s.name));
const upload: Record<string, string> = {};
let generatedKey: string | null = null;
if (secrets.has('RELAY_ENCRYPTION_KEY')) step('RELAY_ENCRYPTION_KEY is set (kept: stored credentials are sealed with it).');
else {
  const given = values['encryption-key'] || process.env.RELAY_ENCRYPTION_KEY || undefined;
  if (given && Buffer.from(given, 'base64').length !== 32) fail('The encryption key must be base64 of 32 bytes (e.g. `openssl rand -base64 32`).');
  upload.RELAY_ENCRYPTION_KEY = given ?? (generatedKey = randomBytes(32).toString('base64'));
  step(given ? 'RELAY_ENCRYPTION_KEY taken from the environment / --encryption-key.' : 'Generated RELAY_ENCRYPTION_KEY.');
}

// 6. Deploy, with any new secret in the same upload (a file only this user can read, removed after).
const dir = mkdtempSync(path.join(tmpdir(), 'scim-relay-deploy-'));
let deployed: string;
try {
  const args = ['deploy'];
  if (Object.keys(upload).length > 0) {
    const file = path.join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify(upload), { mode: 0o600 });
    args.push('--secrets-file', file);
  }
  deployed = must(args, 'Deploying the worker');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const url = /https:\/\/[^\s]+/.exec(deployed)?.[0]?.replace(/\/$/, '');

console.log('\n✓ SCIM Relay is deployed.');
if (generatedKey) {
  console.log(`\n  RELAY_ENCRYPTION_KEY (shown once; keep it in your password manager — target and source`);
  console.log(`  credentials cannot be read without it): ${generatedKey}`);
}
console.log(`\n  SCIM base URL for your IdP: ${url ? `${url}/scim/v2` : '(see the URL wrangler printed above)/scim/v2'}`);
console.log('  First tokens:');
console.log('    npm run token -- create --name entra --scopes scim:read,scim:write --remote   # for the IdP');
console.log('    npm run token -- create --name console --scopes admin --remote                # for the extension');
