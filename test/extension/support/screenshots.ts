/**
 * Where end-to-end tests save screenshots. The committed ones under docs/screenshots/ are
 * refreshed only on request (`UPDATE_SCREENSHOTS=1`), so a test run leaves the tree clean;
 * otherwise they go to a temporary folder (the capture itself still runs).
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './extension-build.ts';

export function screenshotPath(file: string): string {
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'docs/screenshots') : path.join(os.tmpdir(), 'scim-relay-screenshots');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, file);
}
