/**
 * `npm start`'s flags and its `.dev.vars`: `npm start -- --port 8795 --ip …` reaches wrangler dev
 * and the printed URLs, and the secrets file is owner-only on every run (scripts/lib/).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDevVars } from '../../scripts/lib/dev-vars';
import { baseUrlOf, parseStartArgs, StartUsageError, wranglerDevArgs } from '../../scripts/lib/start-options';

describe('npm start arguments', () => {
  it('listens on 127.0.0.1:8787 when given nothing', () => {
    const options = parseStartArgs([]);
    expect(options).toEqual({ ip: '127.0.0.1', port: 8787 });
    expect(baseUrlOf(options)).toBe('http://127.0.0.1:8787');
  });

  it('passes --port and --ip to wrangler dev and prints them in the URLs', () => {
    const options = parseStartArgs(['--port', '8795', '--ip', '127.0.0.2']);
    expect(wranglerDevArgs(options)).toEqual(['dev', '--ip', '127.0.0.2', '--port', '8795', '--test-scheduled']);
    expect(baseUrlOf(options)).toBe('http://127.0.0.2:8795');
  });

  it('reads the --flag=value form and lets a flag win over PORT from the environment', () => {
    expect(parseStartArgs(['--port=8795'], { PORT: '9000' })).toEqual({ ip: '127.0.0.1', port: 8795 });
    expect(parseStartArgs([], { PORT: '9000' }).port).toBe(9000);
  });

  it('prints a loopback URL for a wildcard bind and brackets an IPv6 address', () => {
    expect(baseUrlOf(parseStartArgs(['--ip', '0.0.0.0', '--port', '8795']))).toBe('http://127.0.0.1:8795');
    expect(baseUrlOf(parseStartArgs(['--ip', '::1']))).toBe('http://[::1]:8787');
    expect(baseUrlOf(parseStartArgs(['--ip', '::']))).toBe('http://[::1]:8787');
  });

  it('refuses a port that is not a number from 1 to 65535, a flag without a value, and an unknown flag', () => {
    for (const argv of [['--port', 'abc'], ['--port', '0'], ['--port', '70000'], ['--port'], ['--ip'], ['--ip', '--port', '1'], ['--remote'], ['8795']]) {
      expect(() => parseStartArgs(argv), argv.join(' ')).toThrow(StartUsageError);
    }
  });
});

describe('.dev.vars', () => {
  const dirs: string[] = [];
  const tempFile = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scim-relay-devvars-'));
    dirs.push(dir);
    return path.join(dir, '.dev.vars');
  };
  const makers = { bootstrapToken: () => 'srt_test', encryptionKey: () => 'a2V5' };
  const modeOf = (file: string) => statSync(file).mode & 0o777;
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is written with both secrets and mode 0600 on first run', () => {
    const file = tempFile();
    const { vars, wrote } = ensureDevVars(file, makers);
    expect(wrote).toBe(true);
    expect(vars).toEqual({ RELAY_BOOTSTRAP_TOKEN: 'srt_test', RELAY_ENCRYPTION_KEY: 'a2V5' });
    expect(modeOf(file)).toBe(0o600);
  });

  it('becomes mode 0600 when it already exists as 0644 with both secrets', () => {
    const file = tempFile();
    writeFileSync(file, 'RELAY_BOOTSTRAP_TOKEN="srt_kept"\nRELAY_ENCRYPTION_KEY="kept"\n');
    chmodSync(file, 0o644);
    const { vars, wrote } = ensureDevVars(file, makers);
    expect(wrote).toBe(false);
    expect(vars.RELAY_BOOTSTRAP_TOKEN).toBe('srt_kept');
    expect(readFileSync(file, 'utf8')).toBe('RELAY_BOOTSTRAP_TOKEN="srt_kept"\nRELAY_ENCRYPTION_KEY="kept"\n');
    expect(modeOf(file)).toBe(0o600);
  });

  it('becomes mode 0600 when an existing 0644 file is completed with a missing secret', () => {
    const file = tempFile();
    writeFileSync(file, 'RELAY_BOOTSTRAP_TOKEN="srt_kept"\n');
    chmodSync(file, 0o644);
    const { vars, wrote } = ensureDevVars(file, makers);
    expect(wrote).toBe(true);
    expect(vars).toEqual({ RELAY_BOOTSTRAP_TOKEN: 'srt_kept', RELAY_ENCRYPTION_KEY: 'a2V5' });
    expect(modeOf(file)).toBe(0o600);
  });
});
