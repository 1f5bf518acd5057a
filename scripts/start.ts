/**
 * `npm start`: everything a first local run needs, then the relay on 127.0.0.1:8787
 * (or where `npm start -- --ip A --port N` says).
 *  1. .dev.vars with a random bootstrap token and encryption key (never committed);
 *  2. migrations applied to the embedded local D1;
 *  3. a SCIM token for an IdP (created once, kept in .wrangler/relay-local.json);
 *  4. the extension built;
 *  5. wrangler dev on `--ip` / `--port` (scripts/lib/start-options.ts), with the banner printed once it answers.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { applyMigrations, createToken, newTokenSecret } from './lib/d1.ts';
import { ensureDevVars } from './lib/dev-vars.ts';
import { baseUrlOf, parseStartArgs, START_USAGE, StartUsageError, wranglerDevArgs, type StartOptions } from './lib/start-options.ts';

const root = new URL('..', import.meta.url).pathname;
const local = { remote: false };

let options: StartOptions;
try {
  options = parseStartArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof StartUsageError)) throw err;
  console.error(`${err.message}\n${START_USAGE}`);
  process.exit(2);
}

function ensureScimToken(): string {
  const dir = `${root}.wrangler`;
  const file = `${dir}/relay-local.json`;
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { scimToken: string }).scimToken;
  const { secret } = createToken('local IdP', ['scim:read', 'scim:write'], local);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify({ scimToken: secret }, null, 2), { mode: 0o600 });
  return secret;
}

async function waitUntilUp(url: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

const { vars, wrote } = ensureDevVars(`${root}.dev.vars`, { bootstrapToken: newTokenSecret, encryptionKey: () => randomBytes(32).toString('base64') });
if (wrote) console.log('Wrote .dev.vars (bootstrap token and encryption key).');
console.log('Applying migrations to the local D1…');
applyMigrations(local);
const scimToken = ensureScimToken();
console.log('Building the extension…');
// The build's output (bundler warnings) is shown only when it fails.
const ext = spawn(`${root}node_modules/.bin/wxt`, ['build', 'extension'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
let extLog = '';
ext.stdout.on('data', (d: Buffer) => (extLog += d.toString()));
ext.stderr.on('data', (d: Buffer) => (extLog += d.toString()));
const extDone = new Promise<number>((resolve) =>
  ext.on('exit', (code) => {
    if (code !== 0) console.error(extLog);
    resolve(code ?? 1);
  }),
);

const dev = spawn(`${root}node_modules/.bin/wrangler`, wranglerDevArgs(options), {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => dev.kill(sig));
dev.on('exit', (code) => process.exit(code ?? 0));

const base = baseUrlOf(options);
const [up, extCode] = await Promise.all([waitUntilUp(`${base}/scim/v2/ServiceProviderConfig`, 120_000), extDone]);
console.log(`
────────────────────────────────────────────────────────────────────────
 SCIM Relay is running${up ? '' : ' (not answering yet — see the log above)'}
   SCIM base URL (paste into your IdP): ${base}/scim/v2
   SCIM token    (scim:read scim:write): ${scimToken}
   Admin token   (all scopes, .dev.vars RELAY_BOOTSTRAP_TOKEN): ${vars.RELAY_BOOTSTRAP_TOKEN}
   Extension     ${extCode === 0 ? `built: load ${root}extension/.output/chrome-mv3 unpacked` : 'build failed (see above)'}
   Cron          curl "${base}/__scheduled?cron=*+*+*+*+*"
────────────────────────────────────────────────────────────────────────`);
