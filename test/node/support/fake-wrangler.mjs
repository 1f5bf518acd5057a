#!/usr/bin/env node
// A stand-in for wrangler in the deploy script's tests: it keeps an account's state (databases,
// queues, secrets, deployments) in the JSON file FAKE_WRANGLER_STATE and logs every call there.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.FAKE_WRANGLER_STATE;
const state = JSON.parse(readFileSync(file, 'utf8'));
const args = process.argv.slice(2);
const cut = args.indexOf('--config');
const config = cut >= 0 ? args[cut + 1] : null;
const argv = cut >= 0 ? [...args.slice(0, cut), ...args.slice(cut + 2)] : args;
state.calls.push(argv.join(' '));
const save = () => writeFileSync(file, JSON.stringify(state, null, 2));
const out = (text, code = 0) => {
  save();
  process.stdout.write(`${text}\n`);
  process.exit(code);
};
const [a, b, c] = argv;
if (a === 'whoami') out(state.loggedIn ? '👋 You are logged in with an OAuth Token.' : 'You are not authenticated. Please run `wrangler login`.');
if (a === 'd1' && b === 'list') out(`Some banner\n${JSON.stringify(state.databases)}`);
if (a === 'd1' && b === 'create') {
  state.databases.push({ uuid: `db-${state.databases.length + 1}-uuid`, name: c });
  out(`✅ Successfully created DB '${c}'`);
}
if (a === 'd1' && b === 'migrations') {
  state.migrationsApplied = (state.migrationsApplied ?? 0) + 1;
  out('Migrations applied.');
}
if (a === 'queues' && b === 'create') {
  if (state.queues.includes(c)) out(`✘ [ERROR] A request to the Cloudflare API failed. Queue name '${c}' is already taken. [code: 11009]`, 1);
  state.queues.push(c);
  out(`Created queue ${c}.`);
}
if (a === 'secret' && b === 'list') {
  if (!state.deployed) out('✘ [ERROR] This Worker does not exist on your account. [code: 10007]', 1);
  out(JSON.stringify(Object.keys(state.secrets).map((name) => ({ name, type: 'secret_text' }))));
}
if (a === 'deploy') {
  const at = argv.indexOf('--secrets-file');
  if (at >= 0) {
    state.secretsFileMode = (await import('node:fs')).statSync(argv[at + 1]).mode & 0o777;
    Object.assign(state.secrets, JSON.parse(readFileSync(argv[at + 1], 'utf8')));
  }
  state.deployed = (state.deployed ?? 0) + 1;
  state.deployedConfig = readFileSync(config, 'utf8');
  out('Uploaded scim-relay\nDeployed scim-relay triggers\n  https://scim-relay.example.workers.dev\nCurrent Version ID: 1');
}
out(`fake wrangler: unknown command ${argv.join(' ')}`, 1);
