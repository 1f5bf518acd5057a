/**
 * `.dev.vars`: the local relay's bootstrap token and encryption key, read by wrangler dev. It
 * holds secrets, so it is made owner-only (0600) on every run: `writeFileSync`'s `mode` applies
 * only when it creates the file, and a copy made by hand or an older npm start left it 0644.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export const DEV_VARS_MODE = 0o600;

export interface DevVarsMakers {
  bootstrapToken: () => string;
  encryptionKey: () => string;
}

/** `KEY="value"` lines (wrangler's dotenv format); comments and other lines are skipped. */
export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (m) vars[m[1]!] = m[2]!;
  }
  return vars;
}

/** Fills in the missing secrets, writes the file when something was added, and leaves it mode 0600 either way. */
export function ensureDevVars(file: string, make: DevVarsMakers): { vars: Record<string, string>; wrote: boolean } {
  const vars = existsSync(file) ? parseDevVars(readFileSync(file, 'utf8')) : {};
  let wrote = false;
  if (!vars.RELAY_BOOTSTRAP_TOKEN) (vars.RELAY_BOOTSTRAP_TOKEN = make.bootstrapToken()), (wrote = true);
  if (!vars.RELAY_ENCRYPTION_KEY) (vars.RELAY_ENCRYPTION_KEY = make.encryptionKey()), (wrote = true);
  if (wrote) {
    const body = Object.entries(vars)
      .map(([k, v]) => `${k}="${v}"`)
      .join('\n');
    writeFileSync(file, `# Local secrets for wrangler dev, written by npm start. Never commit this file.\n${body}\n`, { mode: DEV_VARS_MODE });
  }
  chmodSync(file, DEV_VARS_MODE);
  return { vars, wrote };
}
