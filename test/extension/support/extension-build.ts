/**
 * The built Chrome extension (`npm run ext:build` → extension/.output/chrome-mv3), copied for a
 * test run with one change to its manifest: `host_permissions` for http://127.0.0.1/*.
 *
 * Why: the extension asks for site and relay access as *optional* host permissions, granted from
 * a click in a browser prompt that headless Chromium cannot answer. Granting 127.0.0.1 at install
 * time stands in for that click; everything after it (the background noticing the grant,
 * registering content scripts for the origin, the token staying in the background) is the
 * shipped code. Nothing else in the build is touched.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const BUILT_EXTENSION = path.join(ROOT, 'extension/.output/chrome-mv3');
export const TEST_HOST_PERMISSION = 'http://127.0.0.1/*';

/** Builds the extension when there is no build yet (`npm test` builds it before vitest runs). */
export function ensureExtensionBuilt(): void {
  if (existsSync(path.join(BUILT_EXTENSION, 'manifest.json')) && !process.env.EXT_REBUILD) return;
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/wxt/bin/wxt.mjs'), 'build', 'extension'], { cwd: ROOT, stdio: 'inherit' });
}

export interface TestExtension {
  dir: string;
  remove(): void;
}

/** A temporary copy of the built extension with the test host permission added. */
export function prepareTestExtension(): TestExtension {
  ensureExtensionBuilt();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scim-relay-ext-'));
  cpSync(BUILT_EXTENSION, dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { host_permissions?: string[] };
  manifest.host_permissions = [...new Set([...(manifest.host_permissions ?? []), TEST_HOST_PERMISSION])];
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
