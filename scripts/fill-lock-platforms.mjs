#!/usr/bin/env node
/**
 * The npm registry this project installs from lacks the other platforms' builds of some native
 * packages (rollup's and workerd's darwin/windows/android/… binaries). npm then leaves those
 * optional dependencies out of package-lock.json, and `npm ci` refuses the lock as out of sync.
 * This adds a placeholder entry for each missing optional dependency, marked optional and for a
 * platform no machine has ("os": ["none"]), so `npm ci` accepts the lock and never fetches it.
 * Run it after any `npm install` that changes the lock: `npm run lock:fill`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;

/**
 * Node's lookup: the dependent's own node_modules, then each enclosing node_modules up to the
 * top. The nearest copy found must be the version asked for.
 */
function resolves(from, name, version) {
  let dir = from;
  for (;;) {
    const found = packages[`${dir ? `${dir}/` : ''}node_modules/${name}`];
    if (found) return found.version === version;
    if (!dir) return false;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

for (const [path, pkg] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const exact = version.replace(/^[\^~=]/, '');
    if (resolves(path, name, exact)) continue;
    const hoisted = `node_modules/${name}`;
    const at = packages[hoisted] ? `${path}/node_modules/${name}` : hoisted;
    packages[at] = { version: exact, ...(pkg.dev ? { dev: true } : {}), optional: true, os: ['none'] };
    added++;
  }
}

// npm orders lock entries with localeCompare('en'); keep its order so `npm install` leaves the file alone.
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))));
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} placeholder(s) for optional platform packages the registry lacks.`);
