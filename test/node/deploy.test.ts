/**
 * `npm run deploy` against a stub wrangler that keeps an account's state: a fresh account gets a
 * database, its id in wrangler.toml, migrations, a generated encryption key and a deployment; a
 * second run creates nothing and never replaces the key.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDeployConfig, withDatabaseId } from '../../scripts/lib/wrangler-config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FAKE = path.join(import.meta.dirname, 'support/fake-wrangler.mjs');

interface State {
  loggedIn: boolean;
  databases: { uuid: string; name: string }[];
  queues: string[];
  secrets: Record<string, string>;
  calls: string[];
  deployed?: number;
  migrationsApplied?: number;
  secretsFileMode?: number;
  deployedConfig?: string;
}

let dir: string;
let config: string;
let stateFile: string;

const writeState = (s: Partial<State>) => writeFileSync(stateFile, JSON.stringify({ loggedIn: true, databases: [], queues: [], secrets: {}, calls: [], ...s }));
const readState = (): State => JSON.parse(readFileSync(stateFile, 'utf8'));

function deploy(extra: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/deploy.ts'), '--config', config, ...extra], {
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_BIN: FAKE, FAKE_WRANGLER_STATE: stateFile, RELAY_ENCRYPTION_KEY: '', ...env },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'deploy-test-'));
  config = path.join(dir, 'wrangler.toml');
  copyFileSync(path.join(ROOT, 'wrangler.toml'), config);
  stateFile = path.join(dir, 'state.json');
  writeState({});
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run deploy', () => {
  it('takes a fresh account to a deployed relay and prints the SCIM URL and the first-token commands', () => {
    const { code, out } = deploy();
    expect(code, out).toBe(0);
    const s = readState();
    expect(s.databases).toEqual([{ uuid: 'db-1-uuid', name: 'scim-relay' }]);
    expect(readFileSync(config, 'utf8')).toContain('database_id = "db-1-uuid"');
    expect(s.migrationsApplied).toBe(1);
    expect(Buffer.from(s.secrets.RELAY_ENCRYPTION_KEY!, 'base64')).toHaveLength(32);
    // The secret travels in a file only its owner can read.
    expect(s.secretsFileMode).toBe(0o600);
    expect(s.deployedConfig).toContain('database_id = "db-1-uuid"');
    expect(out).toContain('https://scim-relay.example.workers.dev/scim/v2');
    expect(out).toContain('npm run token -- create --name console --scopes admin --remote');
    expect(out).toContain(s.secrets.RELAY_ENCRYPTION_KEY);
  });

  it('is idempotent: a second run creates nothing and keeps the encryption key', () => {
    expect(deploy().code).toBe(0);
    const first = readState();
    const tomlAfterFirst = readFileSync(config, 'utf8');
    const { code, out } = deploy();
    expect(code, out).toBe(0);
    const second = readState();
    expect(second.databases).toHaveLength(1);
    expect(second.calls.filter((c) => c.startsWith('d1 create'))).toHaveLength(1);
    expect(second.secrets.RELAY_ENCRYPTION_KEY).toBe(first.secrets.RELAY_ENCRYPTION_KEY);
    expect(second.calls.filter((c) => c.includes('--secrets-file'))).toHaveLength(1);
    expect(readFileSync(config, 'utf8')).toBe(tomlAfterFirst);
    expect(second.deployed).toBe(2);
    expect(out).not.toContain(first.secrets.RELAY_ENCRYPTION_KEY);
  });

  it('finds a database that already exists by name instead of creating another', () => {
    writeState({ databases: [{ uuid: 'existing-uuid', name: 'scim-relay' }] });
    expect(deploy().code).toBe(0);
    expect(readState().calls.some((c) => c.startsWith('d1 create'))).toBe(false);
    expect(readFileSync(config, 'utf8')).toContain('database_id = "existing-uuid"');
  });

  it('stops before touching anything when wrangler is not logged in', () => {
    writeState({ loggedIn: false });
    const { code, out } = deploy();
    expect(code).toBe(1);
    expect(out).toContain('npx wrangler login');
    expect(readState().calls).toEqual(['whoami']);
  });

  it('uses an encryption key given in the environment and refuses one of the wrong size', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(deploy([], { RELAY_ENCRYPTION_KEY: key }).code).toBe(0);
    expect(readState().secrets.RELAY_ENCRYPTION_KEY).toBe(key);
    writeState({});
    const bad = deploy(['--encryption-key', 'c2hvcnQ=']);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('base64 of 32 bytes');
    expect(readState().deployed).toBeUndefined();
  });

  it('creates the queues wrangler.toml declares once, and accepts those that exist', () => {
    expect(deploy().code).toBe(0);
    // The work queue and its dead-letter queue; not the tests' queues of [env.test].
    expect(readState().queues.sort()).toEqual(['relay-work', 'relay-work-dlq']);
    const again = deploy();
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('Queue "relay-work" exists.');
    expect(again.out).toContain('Queue "relay-work-dlq" exists.');
    expect(readState().queues).toHaveLength(2);
  });

  it('creates the queues an admin added, including a dead-letter queue only a consumer names', () => {
    const shipped = readFileSync(config, 'utf8');
    const extra =
      '[[queues.producers]]\nbinding = "MORE"\nqueue = "relay-more"\n\n[[queues.consumers]]\nqueue = "relay-more"\ndead_letter_queue = "relay-dead"\n\n';
    writeFileSync(config, shipped.replace('[env.test]', `${extra}[env.test]`));
    expect(deploy().code).toBe(0);
    expect(readState().queues.sort()).toEqual(['relay-dead', 'relay-more', 'relay-work', 'relay-work-dlq']);
  });
});

describe('wrangler.toml edits', () => {
  const toml = `name = "scim-relay"\n\n[[d1_databases]]\nbinding = "OTHER"\ndatabase_name = "x"\ndatabase_id = "keep"\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "scim-relay"\n# a comment admins wrote\ndatabase_id = "old"\n\n[triggers]\ncrons = ["* * * * *"]\n`;

  it('changes only the DB database id and keeps comments and other blocks', () => {
    const out = withDatabaseId(toml, 'new-id');
    expect(out).toBe(toml.replace('database_id = "old"', 'database_id = "new-id"'));
    expect(readDeployConfig(out)).toMatchObject({ workerName: 'scim-relay', databaseName: 'scim-relay', databaseId: 'new-id', queues: [] });
  });

  it('adds the id when the block has none', () => {
    const out = withDatabaseId(toml.replace('database_id = "old"\n', ''), 'fresh');
    expect(readDeployConfig(out).databaseId).toBe('fresh');
  });
});
