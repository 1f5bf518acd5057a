/**
 * The repository stands alone: `npm test` must pass on a clone with nothing beside it, so no
 * source, test, benchmark or script may reach a path outside the repository (the team's
 * `../shared/` kit included). Fixtures the tests read live in `test/fixtures/`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCANNED = ['worker', 'shared', 'extension/src', 'test', 'bench', 'scripts', '.ci'];
// Built so this file does not match itself.
const TEAM_KIT = new RegExp(['shared', 'fixtures'].join('\\/'));
const SKIP = new Set(['node_modules', 'fixtures', '.output', '.wxt', 'results', '.work']);

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* files(full);
    else if (/\.(ts|tsx|mjs|js|json|sh)$/.test(name) || name === 'run') yield full;
  }
}

/** Every relative specifier in quotes, resolved against the file's folder. */
function escapingPaths(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/['"`]((?:\.\.\/)+[^'"`\s]*)['"`]/g)) {
    const resolved = path.resolve(path.dirname(file), m[1]!);
    if (!resolved.startsWith(ROOT + path.sep) && resolved !== ROOT) found.push(m[1]!);
  }
  if (TEAM_KIT.test(text)) found.push(TEAM_KIT.source);
  return found;
}

describe('the repository stands alone', () => {
  it('reaches no path outside itself from source, tests, benchmarks or scripts', () => {
    const offenders = SCANNED.flatMap((d) => [...files(path.join(ROOT, d))]).flatMap((f) => escapingPaths(f).map((p) => `${path.relative(ROOT, f)}: ${p}`));
    expect(offenders).toEqual([]);
  });

  it('keeps the page and API captures the tests read inside test/fixtures', () => {
    for (const name of [
      'drupal10-real-jsonapi-users.json',
      'drupal10-real-admin-people.html',
      'wordpress-users.html',
      'wordpress-real/README.md',
      'joomla-real/README.md',
    ]) {
      expect(statSync(path.join(ROOT, 'test/fixtures', name)).isFile()).toBe(true);
    }
  });
});
