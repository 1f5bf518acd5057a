/** Runs SQL against the relay's D1 through wrangler (local embedded D1 by default). */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';

export interface D1Target {
  remote: boolean;
}

const wranglerBin = new URL('../../node_modules/.bin/wrangler', import.meta.url).pathname;

export function wrangler(args: string[], opts: { quiet?: boolean } = {}): string {
  return execFileSync(wranglerBin, args, {
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    stdio: ['ignore', 'pipe', opts.quiet ? 'pipe' : 'inherit'],
  });
}

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** Executes one statement and returns its rows. Values are quoted here: wrangler has no bind. */
export function d1(sql: string, params: string[], target: D1Target): Record<string, unknown>[] {
  let i = 0;
  const text = sql.replace(/\?/g, () => quote(params[i++] ?? ''));
  const out = wrangler(['d1', 'execute', 'DB', target.remote ? '--remote' : '--local', '--json', '--command', text], { quiet: true });
  const parsed = JSON.parse(out.slice(out.indexOf('['))) as { results: Record<string, unknown>[] }[];
  return parsed[0]?.results ?? [];
}

export function applyMigrations(target: D1Target): void {
  wrangler(['d1', 'migrations', 'apply', 'DB', target.remote ? '--remote' : '--local'], { quiet: true });
}

/** Same format as worker/src/auth/tokens.ts: "srt_" + 32 random bytes, base64url. */
export function newTokenSecret(): string {
  return `srt_${randomBytes(32).toString('base64url')}`;
}

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

export function createToken(name: string, scopes: string[], target: D1Target): { id: string; secret: string } {
  const secret = newTokenSecret();
  const id = randomBytes(8).toString('hex');
  d1('INSERT INTO tokens (id, name, hash, scopes) VALUES (?, ?, ?, ?)', [id, name, sha256Hex(secret), scopes.join(' ')], target);
  return { id, secret };
}
