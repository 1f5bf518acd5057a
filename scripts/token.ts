/**
 * Token management: `npm run token -- create --name okta --scopes scim:read,scim:write`,
 * `npm run token -- list`, `npm run token -- revoke <id>`. Add `--remote` for the deployed D1.
 * A new token's secret is printed once; only its SHA-256 is stored.
 */
import { parseArgs } from 'node:util';
import { createToken, d1 } from './lib/d1.ts';

const SCOPES = ['scim:read', 'scim:write', 'admin'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, scopes: { type: 'string', default: 'scim:read,scim:write' }, remote: { type: 'boolean', default: false } },
});
const target = { remote: values.remote };
const [command, arg] = positionals;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

switch (command) {
  case 'create': {
    if (!values.name) fail('usage: npm run token -- create --name <name> [--scopes scim:read,scim:write,admin] [--remote]');
    const scopes = values.scopes
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = scopes.filter((s) => !SCOPES.includes(s));
    if (unknown.length > 0 || scopes.length === 0) fail(`unknown scope(s): ${unknown.join(', ')}; choose from ${SCOPES.join(', ')}`);
    const { id, secret } = createToken(values.name, scopes, target);
    console.log(`Created token ${id} "${values.name}" with scopes ${scopes.join(', ')}.`);
    console.log(`Secret (shown once, store it now): ${secret}`);
    break;
  }
  case 'list': {
    const rows = d1('SELECT id, name, scopes, created, last_used, revoked FROM tokens ORDER BY created', [], target);
    if (rows.length === 0) console.log('No tokens.');
    for (const r of rows)
      console.log(
        `${r.id}  ${String(r.name).padEnd(20)} ${String(r.scopes).padEnd(30)} created ${r.created}  last used ${r.last_used ?? 'never'}${r.revoked ? `  REVOKED ${r.revoked}` : ''}`,
      );
    break;
  }
  case 'revoke': {
    if (!arg) fail('usage: npm run token -- revoke <id> [--remote]');
    const rows = d1("UPDATE tokens SET revoked = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ? AND revoked IS NULL RETURNING id", [arg], target);
    if (rows.length === 0) fail(`No active token with id ${arg}.`);
    console.log(`Revoked token ${arg}.`);
    break;
  }
  default:
    fail('usage: npm run token -- <create|list|revoke> …');
}
